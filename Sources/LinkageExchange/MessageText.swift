import Foundation
import LinkageModel

/// Text from a file, as a message quotes it: characters that would act on the terminal or hide
/// from the reader are written out, so a NUL no longer ends the message early (C's fputs stops
/// there) and an escape sequence in a cell cannot recolour, move or retitle the user's terminal.
///
/// The convention, as in Swift and C string literals: `\0` for NUL, `\t` `\n` `\r` for tab, line
/// feed and carriage return, `\x1b` (two hex digits) for the other C0 controls and DEL, and
/// `\u{202e}` for C1 controls and for the invisible characters that reorder or hide text
/// (bidirectional controls, zero-width space, line and paragraph separators, the byte-order mark).
/// Everything else, Chinese included, is left as it is; so is a backslash.
public enum MessageText {
    public static func quoted(_ s: String) -> String {
        // Most text has nothing to escape: keep it without copying.
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            guard needsEscape(u) else { out.append(u); continue }
            let escaped: String
            switch u.value {
            case 0: escaped = "\\0"
            case 0x09: escaped = "\\t"
            case 0x0A: escaped = "\\n"
            case 0x0D: escaped = "\\r"
            case ..<0x20, 0x7F: escaped = String(format: "\\x%02x", u.value)
            default: escaped = "\\u{" + String(u.value, radix: 16) + "}"
            }
            out.append(contentsOf: escaped.unicodeScalars)
        }
        return String(out)
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0..<0x20, 0x7F...0x9F: return true                       // C0, DEL, C1 (CSI is 0x9B)
        case 0x061C, 0x200B, 0x200E, 0x200F, 0x2028...0x202E, 0x2060, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}
