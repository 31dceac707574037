/// Personal data in text meant for people: resident IDs keep their area code and last four
/// characters (620502********123X), mobile numbers their first three and last four (138****1234).
/// The one definition of what is masked: the command line's messages and every byte a script
/// prints (print, io.write, io.stderr, error messages) go through it.
public enum Privacy {
    /// Whether `text` holds a value as ``mask(_:)`` writes it (620502********123X, 138****1234):
    /// an export without --show-pii read back, which must never be written into the register.
    public static func containsMasked(_ text: String) -> Bool {
        // Four asterisks in a row, looked for in the bytes: this runs on every cell of an import.
        // A masked phone, the shorter of the two, has 11 characters.
        guard text.utf8.count >= 11 else { return false }
        var run = 0
        guard text.utf8.contains(where: { run = $0 == UInt8(ascii: "*") ? run + 1 : 0; return run == 4 }) else { return false }
        return text.range(of: #"[0-9]{6}\*{8}[0-9]{3}[0-9Xx]|1[3-9][0-9]\*{4}[0-9]{4}"#, options: .regularExpression) != nil
    }

    public static func mask(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in mask(bytes).map { String(decoding: $0, as: UTF8.self) } } ?? text
    }

    /// A value with its text masked; numbers and NULL as they are.
    public static func mask(_ value: SQLValue) -> SQLValue {
        if case .text(let s) = value { return .text(mask(s)) }
        return value
    }

    /// The masked bytes, or nil when there is nothing to mask. Works on bytes, so text that is not
    /// valid UTF-8 is masked too and otherwise left as it was.
    public static func mask(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8]?
        let n = bytes.count
        func isDigit(_ i: Int) -> Bool { i < n && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        func isX(_ i: Int) -> Bool { i < n && (bytes[i] == 0x58 || bytes[i] == 0x78) }
        func hide(_ range: Range<Int>) {
            if out == nil { out = Array(bytes) }
            for i in range { out![i] = 0x2A }
        }
        var i = 0
        while i < n {
            guard isDigit(i) else { i += 1; continue }
            var end = i
            while isDigit(end) { end += 1 }
            let run = end - i
            if run == 18, !isX(end) {
                hide(i + 6 ..< i + 14)                          // a resident ID ending in a digit
            } else if run == 17, isX(end), !isDigit(end + 1), !isX(end + 1) {
                hide(i + 6 ..< i + 14)                          // a resident ID ending in X
                end += 1
            } else if run == 11, bytes[i] == 0x31, bytes[i + 1] >= 0x33 {
                hide(i + 3 ..< i + 7)                           // a mobile number, 1[3-9]…
            }
            i = end
        }
        return out
    }
}
