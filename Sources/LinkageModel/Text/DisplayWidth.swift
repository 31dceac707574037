/// How many columns text takes on a terminal (and in a monospaced font): the one width rule of
/// linkage, used by the console's tables, `linkage.width` in Lua and the export formats.
///
/// A grapheme cluster (a Swift Character, what a person sees as one character) is measured as a
/// whole, so a base letter with its combining accents, a flag or an emoji ZWJ family is one glyph:
/// - an emoji (a scalar with Emoji_Presentation, or any emoji followed by U+FE0F): 2;
/// - otherwise the sum of its scalars: East Asian Wide or Fullwidth (UAX #11) 2; control
///   characters, nonspacing and enclosing marks (Mn, Me: accents, variation selectors) and the
///   default-ignorable ones (joiners, bidi marks, soft hyphen, Hangul medial and final jamo) 0;
///   the rest 1. Summing, as wcwidth does, keeps spacing marks (Mc) at 1.
///
/// Ambiguous-width characters (UAX #11 "A": …, ①, Greek and Cyrillic in CJK fonts) count 1, as
/// terminals outside CJK locales show them.
public extension Character {
    var displayWidth: Int {
        let scalars = unicodeScalars
        if scalars.count > 1 || scalars.first!.properties.isEmojiPresentation {
            var previousIsEmoji = false
            for u in scalars {
                if u.properties.isEmojiPresentation || (u == "\u{FE0F}" && previousIsEmoji) { return 2 }
                previousIsEmoji = u.properties.isEmoji
            }
        }
        return scalars.reduce(0) { $0 + DisplayWidth.of($1) }
    }
}

public extension StringProtocol {
    /// The columns the text takes (see `Character.displayWidth`).
    var displayWidth: Int {
        // ASCII without control characters is one column a byte; most values are, so skip the
        // grapheme breaking for them.
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return utf8.count }
        // Text of ASCII and common Chinese (ideographs, CJK punctuation, fullwidth forms), the
        // register's names and messages: each scalar is a character of its own, so the scalars
        // are summed without grapheme breaking. Anything else is measured by character.
        var sum = 0
        for u in unicodeScalars {
            guard let w = DisplayWidth.alone(u) else { return reduce(0) { $0 + $1.displayWidth } }
            sum += w
        }
        return sum
    }

    /// The text cut to at most `columns` columns, ending in `…` when cut; never splits a
    /// character (an accent stays with its letter, a wide character that does not fit is left out).
    func truncated(to columns: Int) -> String {
        guard displayWidth > columns else { return String(self) }
        guard columns > 0 else { return "" }
        if unicodeScalars.allSatisfy({ DisplayWidth.alone($0) != nil }) {
            var out = String.UnicodeScalarView()
            var used = 0
            for u in unicodeScalars {
                let w = DisplayWidth.alone(u)!
                if used + w > columns - 1 { break }
                out.append(u)
                used += w
            }
            return String(out) + "…"
        }
        var out = ""
        var used = 0
        for c in self {
            let w = c.displayWidth
            if used + w > columns - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// The text with spaces after it (or before it, `alignRight`) to take `columns` columns;
    /// text already as wide or wider is returned as it is.
    func padded(to columns: Int, alignRight: Bool = false) -> String {
        let fill = String(repeating: " ", count: Swift.max(0, columns - displayWidth))
        return alignRight ? fill + self : self + fill
    }
}

public enum DisplayWidth {
    /// The width of a scalar that is always a character of its own whatever its neighbours, for
    /// the scalars most of the register's text is made of (printable ASCII, the CJK ideographs,
    /// CJK punctuation, fullwidth forms, "…"); nil for any other, to be measured by character.
    @inline(__always)
    static func alone(_ u: Unicode.Scalar) -> Int? {
        switch u.value {
        case 0x20..<0x7F, 0x2026: return 1
        case 0x4E00...0x9FFF, 0x3001...0x3029, 0xFF01...0xFF60: return 2
        default: return nil
        }
    }

    /// The width of one scalar on its own: 0, 1 or 2 (emoji sequences are measured by Character).
    public static func of(_ u: Unicode.Scalar) -> Int {
        let p = u.properties
        switch p.generalCategory {
        case .control, .nonspacingMark, .enclosingMark, .lineSeparator, .paragraphSeparator: return 0
        default: break
        }
        if p.isDefaultIgnorableCodePoint || (0x1160...0x11FF).contains(u.value) || (0xD7B0...0xD7FF).contains(u.value) { return 0 }
        return p.isEmojiPresentation || isWide(u.value) ? 2 : 1
    }

    /// East Asian Wide (W) and Fullwidth (F) outside the emoji, which `isEmojiPresentation` covers
    /// (Unicode 9 made every Emoji_Presentation character W). From UAX #11's EastAsianWidth.txt,
    /// blocks merged where the gaps are unassigned: Hangul jamo, CJK radicals to Yi, Hangul
    /// syllables, CJK compatibility ideographs, vertical and small forms, fullwidth forms, Tangut,
    /// Kana supplements, enclosed ideographs, and planes 2 and 3.
    private static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x3247, 0x3250...0x4DBF, 0x4E00...0xA4CF,
        0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60,
        0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x16FF0...0x16FF1, 0x17000...0x18D08, 0x1AFF0...0x1B2FF,
        0x1F200...0x1F265, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    static func isWide(_ v: UInt32) -> Bool {
        guard v >= 0x1100 else { return false }
        return wide.contains { $0.contains(v) }
    }
}
