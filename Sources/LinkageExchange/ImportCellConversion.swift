import Foundation
import GRDB
import LinkageModel

/// Cell conversion: a cell as the value of its column (types, codes, dates, resident IDs,
/// phones), with what is wrong and what would be right when it cannot be.
extension ImportValidator {
    /// Trimmed, with full-width spaces too.
    static func clean(_ s: String) -> String {
        // Most cells have nothing to trim: that is told from their ends, without Foundation's copy.
        if printedEnds(s) { return s }
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last,
              spaces.contains(first) || spaces.contains(last) else { return s }
        return s.trimmingCharacters(in: spaces)
    }

    /// Whether the first and the last scalar are certainly not white, told from their UTF-8 lead
    /// bytes: printable ASCII, or a scalar from U+4000 on (a lead byte from E4: CJK and beyond;
    /// every white scalar, U+3000 the last of them, lies below).
    static func printedEnds(_ s: String) -> Bool {
        let utf8 = s.utf8
        guard let first = utf8.first, first >= 0x21, first != 0x7F, first < 0x80 || first >= 0xE4 else { return false }
        var i = utf8.index(before: utf8.endIndex)
        var steps = 0
        while utf8[i] & 0xC0 == 0x80, steps < 3, i > utf8.startIndex {
            i = utf8.index(before: i)
            steps += 1
        }
        let last = utf8[i]
        return last >= 0x21 && last != 0x7F && (last < 0x80 || last >= 0xE4)
    }

    /// `cell.isEmpty` (every scalar white), told from the first byte for the usual cell that
    /// begins with a printable ASCII character or a CJK one (nothing from U+4000 is white).
    static func isBlank(_ cell: CellValue) -> Bool {
        // From the first byte: printable ASCII, or a lead byte from E4 (a scalar from U+4000).
        if case .text(let s) = cell, let first = s.utf8.first,
           (0x21...0x7E).contains(first) || (0xE4...0xF4).contains(first) { return false }
        return cell.isEmpty
    }

    /// "12,300" as "12300"; most numbers have no comma, and keep their text.
    static func withoutCommas(_ s: String) -> String {
        s.utf8.contains(UInt8(ascii: ",")) ? s.replacingOccurrences(of: ",", with: "") : s
    }

    private static let spaces = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}"))

    struct ValueProblem: Error { let message: String; let hint: String? }

    /// The conversions of one column of a file, kept by the cell's text: a text of a column always
    /// converts to the same value or problem, and most columns have few distinct texts (codes,
    /// yes/no, counts, years, village codes), converted once each. A column whose texts rarely
    /// repeat (names, resident IDs, phones) stops keeping them.
    ///
    /// The texts are kept by their UTF-8 bytes in a table of their own (FNV-1a, open addressing):
    /// a Swift dictionary of strings hashes each Chinese text through its normalised form, which
    /// cost more than the conversion it saved. Texts that are canonically equal but written with
    /// other bytes are converted each on their own, to the same result.
    final class CellMemo {
        let column: LinkageModel.Column
        let traits: ColumnTraits
        /// The texts kept, in a value of its own: one access of the class's storage per cell.
        private var kept = Kept()
        private var label: String?

        init(_ column: LinkageModel.Column, table: String) {
            self.column = column
            traits = ColumnTraits(column.name, table: table)
        }

        /// At most this many texts are kept; when they are full, the column keeps them only if
        /// more than half of its cells were found among them.
        static let capacity = 8192

        func convert(_ cell: CellValue, label: String, by validator: ImportValidator) -> Result<SQLValue, ValueProblem> {
            // The label is in the messages: the same for every row of a file, but checked.
            guard kept.keeping, case .text(let text) = cell, label == (self.label ?? label) else {
                return validator.convert(cell, column: column, label: label, traits: traits)
            }
            if self.label == nil { self.label = label }
            let (known, slot) = kept.find(text)
            if let known { return known }
            let result = validator.convert(cell, column: column, label: label, traits: traits)
            kept.keep(text, result, at: slot)
            return result
        }

        private struct Kept {
            /// The texts kept and their conversions, in the order first met.
            var texts: [String] = []
            var results: [Result<SQLValue, ValueProblem>] = []
            /// By hash: 1 + the index of a text kept, 0 for none; at most half full.
            var slots = [Int32](repeating: 0, count: 64)
            var lookups = 0
            var keeping = true

            /// The conversion kept for `text`, else the slot where it goes.
            mutating func find(_ text: String) -> (Result<SQLValue, ValueProblem>?, Int) {
                lookups += 1
                let mask = slots.count - 1
                var slot = CellMemo.hash(text) & mask
                while slots[slot] != 0 {
                    let i = Int(slots[slot]) - 1
                    if CellMemo.sameBytes(texts[i], text) { return (results[i], slot) }
                    slot = (slot + 1) & mask
                }
                return (nil, slot)
            }

            /// Keeps a conversion while there is room; a full table is dropped when fewer than
            /// half of the lookups found their text.
            mutating func keep(_ text: String, _ result: Result<SQLValue, ValueProblem>, at slot: Int) {
                if texts.count < CellMemo.capacity {
                    texts.append(text)
                    results.append(result)
                    slots[slot] = Int32(texts.count)
                    if 2 * texts.count > slots.count { grow() }
                } else if lookups < 2 * texts.count {
                    keeping = false
                    texts = []
                    results = []
                    slots = []
                }
            }

            /// Twice the slots, the texts placed again.
            mutating func grow() {
                slots = [Int32](repeating: 0, count: 2 * slots.count)
                let mask = slots.count - 1
                for (i, text) in texts.enumerated() {
                    var slot = CellMemo.hash(text) & mask
                    while slots[slot] != 0 { slot = (slot + 1) & mask }
                    slots[slot] = Int32(i + 1)
                }
            }
        }

        /// Whether two texts have the same UTF-8 bytes (not String's ==, which compares them
        /// normalised).
        static func sameBytes(_ a: String, _ b: String) -> Bool {
            let n = a.utf8.count
            guard n == b.utf8.count else { return false }
            guard n > 0 else { return true }
            let same = a.utf8.withContiguousStorageIfAvailable { pa in
                b.utf8.withContiguousStorageIfAvailable { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) == 0 }
            }
            return (same ?? nil) ?? a.utf8.elementsEqual(b.utf8)
        }

        /// FNV-1a of the text's UTF-8 bytes.
        static func hash(_ text: String) -> Int {
            var h: UInt64 = 0xcbf29ce484222325
            for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            return Int(truncatingIfNeeded: h ^ (h >> 29))
        }
    }

    /// Which of the rules by name a column's cells follow, told once per column.
    struct ColumnTraits {
        let isResidentID: Bool
        let isDate: Bool
        let isPhone: Bool
        let isYear: Bool
        /// The digits of a code (`area.code` 9, `village.code` 12).
        let codeLength: Int?

        init(_ name: String, table: String) {
            // Not String.contains(_:), which Foundation answers through NSString.
            isResidentID = name == "resident_id" || name.hasSuffix("_resident_id")
            isDate = name == "date" || name.hasSuffix("_date") || name.hasSuffix("_on")
            isPhone = name == "phone"
            isYear = name.hasSuffix("year")
            codeLength = name == "code" ? ["area": 9, "village": 12][table] : nil
        }
    }

    /// A phone number: 5 to 20 characters, digits, spaces, + and -.
    static func isPhone(_ text: String) -> Bool {
        let utf8 = text.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            // ASCII: a character is a byte (CR LF, one character of two, is refused either way).
            return (5...20).contains(utf8.count)
                && utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "-") }
        }
        return !(text.count < 5 || text.count > 20 || text.contains(where: { !($0.isASCII && ($0.isNumber || "+ -".contains($0))) }))
    }

    /// A cell as the value of a column: its type, enumeration, and the rules of resident IDs,
    /// dates, phones and codes; FieldCheck (the query API's own check) has the last word.
    func convert(_ cell: CellValue, column: LinkageModel.Column, label: String, traits: ColumnTraits) -> Result<SQLValue, ValueProblem> {
        let table = kind.table
        let name = column.name
        let isResidentID = traits.isResidentID
        var value: SQLValue
        switch column.kind {
        case .text:
            var text: String
            switch cell {
            case .number(let d):
                if isResidentID && d >= 1e15 {
                    return .failure(.init(message: "\(label) \(cell.text) is stored as a number, and a spreadsheet keeps only 15 of its digits",
                                          hint: "format the column as text and type the 18 characters again"))
                }
                if d == d.rounded(), abs(d) < 1e15 {
                    text = String(Int64(d))
                    if traits.isDate, let date = XLSXReader.date(fromSerial: d) { text = date }
                } else { text = cell.text }
            default: text = ImportValidator.clean(cell.text)
            }
            if column.allowed != nil { text = ImportValues.code(for: text, table: table, column: name, schema: schema) }
            if isResidentID {
                if text.utf8.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }),
                   text.range(of: #"^[0-9.]+[Ee]\+?[0-9]+$"#, options: .regularExpression) != nil {
                    return .failure(.init(message: "\(label) '\(text)' is a number Excel shortened",
                                          hint: "format the column as text in Excel and type the 18 characters again before saving"))
                }
                do { text = try ResidentID(text).value } catch {
                    return .failure(.init(message: "\(label) '\(text)': \(error)", hint: residentIDHint(text, error)))
                }
            } else if traits.isDate {
                guard let date = ImportValidator.normalizeDate(text), (try? DateText.check(date, field: name)) != nil else {
                    return .failure(.init(message: "\(label) '\(text)' is not a date", hint: "write YYYY-MM-DD, such as 2012-03-01, with a day that exists"))
                }
                text = date
            } else if traits.isPhone {
                if !ImportValidator.isPhone(text) {
                    return .failure(.init(message: "\(label) '\(text)' is not a phone number", hint: "write 5 to 20 digits (spaces, + and - allowed), such as 13800001234"))
                }
            } else if let length = traits.codeLength {
                if text.count != length || !text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    let what = table == "area" ? "a township or subdistrict code has 9 digits (county 6 + 3), such as 620502100"
                                               : "a village or community code has 12 digits (its area's 9 + 3), such as 620502100001"
                    return .failure(.init(message: "\(label) '\(text)' is not a code", hint: what))
                }
            }
            value = .text(text)
        case .integer:
            if column.isBoolean {
                switch cell {
                case .boolean(let b): value = .integer(b ? 1 : 0)
                case .integer(let i) where i == 0 || i == 1: value = .integer(i)
                case .number(let d) where d == 0 || d == 1: value = .integer(Int64(d))
                default:
                    let t = ImportValidator.clean(cell.text).lowercased()
                    if ImportValues.yes.contains(t) { value = .integer(1) }
                    else if ImportValues.no.contains(t) { value = .integer(0) }
                    else { return .failure(.init(message: "\(label) '\(cell.text)' is not yes or no", hint: "write 是 or 否 (or 1/0, yes/no, true/false)")) }
                }
            } else {
                switch cell {
                case .integer(let i): value = .integer(i)
                case .number(let d) where d == d.rounded() && abs(d) < 9e15: value = .integer(Int64(d))
                default:
                    let t = ImportValidator.withoutCommas(ImportValidator.clean(cell.text))
                    if let i = Int64(t) { value = .integer(i) }
                    else if let d = Double(t), d == d.rounded(), abs(d) < 9e15 { value = .integer(Int64(d)) }
                    else { return .failure(.init(message: "\(label) '\(cell.text)' is not a whole number", hint: "write digits only, such as 4")) }
                }
                if traits.isYear, case .integer(let y) = value, !(1980...2100).contains(y) {
                    return .failure(.init(message: "\(label) \(y) is not a year from 1980 to 2100", hint: "write the four-digit year, such as 2015"))
                }
            }
        case .real:
            switch cell {
            case .integer(let i): value = .real(Double(i))
            case .number(let d): value = .real(d)
            default:
                let t = ImportValidator.withoutCommas(ImportValidator.clean(cell.text))
                guard let d = Double(t), d.isFinite else {
                    return .failure(.init(message: "\(label) '\(cell.text)' is not a number", hint: "write digits with a decimal point if needed, such as 2300.5"))
                }
                value = .real(d)
            }
        case .blob, .any:
            value = .text(cell.text)
        }
        if let allowed = column.allowed, !allowed.contains(value), !column.isBoolean {
            let list = allowed.map { if case .text(let s) = $0 { return s } else { return $0.description } }
            let words = ImportValues.words(table: table, column: name, schema: schema).map { dict in
                Dictionary(grouping: dict.keys.sorted(), by: { dict[$0]! }).sorted { $0.key < $1.key }
                    .map { "\($0.key) (\($0.value.joined(separator: "/")))" }
            }
            return .failure(.init(message: "\(label) '\(cell.text)' is not one of the values the register allows",
                                  hint: "write one of \((words ?? list).joined(separator: ", "))"))
        }
        do {
            return .success(try FieldCheck.check(value, for: column, table: table, path: label))
        } catch {
            return .failure(.init(message: "\(error)", hint: nil))
        }
    }

    func residentIDHint(_ text: String, _ error: ResidentID.Problem) -> String {
        switch error {
        case .length: return "a resident ID has 18 characters: 17 digits and a digit or X, such as 34052419800101001X"
        case .characters: return "only digits, and X as the last character"
        case .birthDate: return "characters 7–14 are the birth date YYYYMMDD; check them against the person's papers"
        case .checkCharacter: return "check the 17 digits against the person's papers (the last character follows from them)"
        }
    }

    /// 2012-03-01, 2012-3-1, 2012/3/1, 2012.3.1, 2012年3月1日 and 20120301 as YYYY-MM-DD.
    static func normalizeDate(_ s: String) -> String? {
        var t = s.trimmingCharacters(in: .whitespaces)
        if let space = t.firstIndex(of: " ") { // "2012/3/1 0:00:00", as Excel writes a date with a time
            let rest = t[t.index(after: space)...]
            if rest.allSatisfy({ $0.isNumber || $0 == ":" }) { t = String(t[..<space]) }
        }
        if t.count == 8, t.allSatisfy({ $0.isASCII && $0.isNumber }) {
            t = "\(t.prefix(4))-\(t.dropFirst(4).prefix(2))-\(t.suffix(2))"
        }
        t = t.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "-").replacingOccurrences(of: "日", with: "")
        let parts = t.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }
}
