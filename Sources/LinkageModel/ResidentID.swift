/// The 18-character resident identity number of GB 11643-1999: a 6-digit area code, the birth date
/// YYYYMMDD, a 3-digit sequence (odd for men) and an ISO 7064 MOD 11-2 check character.
public struct ResidentID: Hashable, Sendable, CustomStringConvertible {
    /// The number with an upper-case X: the key that says "one person".
    public let value: String

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case length(Int)
        case characters
        case birthDate(String)
        case checkCharacter(found: Character, expected: Character)

        public var description: String {
            switch self {
            case .length(let n): return "a resident ID has 18 characters, this one has \(n)"
            case .characters: return "a resident ID is 17 digits and a final digit or X"
            case .birthDate(let d): return "the birth date \(d) in the resident ID is not a real date"
            case .checkCharacter(let found, let expected):
                return "the check character is \(found) but the first 17 digits give \(expected); a digit is probably mistyped"
            }
        }
    }

    /// Validates shape, birth date and check character. Unknown area codes are accepted.
    public init(_ text: String) throws(Problem) {
        if let valid = ResidentID.validASCII(text) {
            value = valid
            return
        }
        let chars = Array(text.uppercased())
        guard chars.count == 18 else { throw .length(chars.count) }
        guard chars.prefix(17).allSatisfy({ $0.isASCII && $0.isNumber }),
              chars[17] == "X" || (chars[17].isASCII && chars[17].isNumber) else { throw .characters }
        let date = String(chars[6..<14])
        guard ResidentID.isRealDate(date) else { throw .birthDate(date) }
        let expected = ResidentID.checkCharacter(for: chars.prefix(17).map { Int(String($0))! })
        guard chars[17] == expected else { throw .checkCharacter(found: chars[17], expected: expected) }
        value = String(chars)
    }

    public var description: String { value }

    /// The common case read from its bytes: 18 ASCII characters that pass every check below, as
    /// the number with an upper-case X; nil for anything else, which the checks word.
    private static func validASCII(_ text: String) -> String? {
        var count = 0, sum = 0, year = 0, month = 0, day = 0, last: UInt8 = 0
        for byte in text.utf8 {
            guard count < 17 else { last = byte; count += 1; continue }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let d = Int(byte - UInt8(ascii: "0"))
            sum += d * weights[count]
            switch count {
            case 6...9: year = year * 10 + d
            case 10...11: month = month * 10 + d
            case 12...13: day = day * 10 + d
            default: break
            }
            count += 1
        }
        guard count == 18, isRealDate(year: year, month: month, day: day) else { return nil }
        let expected = checkCharacters[sum % 11].asciiValue!
        guard last == expected || (expected == UInt8(ascii: "X") && last == UInt8(ascii: "x")) else { return nil }
        return last == UInt8(ascii: "x") ? text.uppercased() : text
    }

    /// The check character of 17 digits.
    public static func checkCharacter(for digits: [Int]) -> Character {
        var sum = 0
        for (d, w) in zip(digits, weights) { sum += d * w }
        return checkCharacters[sum % 11]
    }

    /// The number masked for printing: area code and the last four characters kept.
    public static func masked(_ text: String) -> String {
        guard text.count == 18 else { return String(repeating: "*", count: text.count) }
        return String(text.prefix(6)) + String(repeating: "*", count: 8) + String(text.suffix(4))
    }

    /// YYYYMMDD, a real calendar day between 1900 and 2100.
    static func isRealDate(_ s: String) -> Bool {
        guard s.count == 8, let y = Int(s.prefix(4)), let m = Int(s.dropFirst(4).prefix(2)), let d = Int(s.suffix(2)) else { return false }
        return isRealDate(year: y, month: m, day: d)
    }

    static func isRealDate(year y: Int, month m: Int, day d: Int) -> Bool {
        guard (1900...2100).contains(y), (1...12).contains(m) else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return (1...days).contains(d)
    }
}
