import XCTest
import LinkageModel
import LinkageExchange

/// The one width rule: columns on a terminal, by grapheme cluster.
final class DisplayWidthTests: XCTestCase {
    func testASCIIAndControlCharacters() {
        XCTAssertEqual("abc".displayWidth, 3)
        XCTAssertEqual("".displayWidth, 0)
        XCTAssertEqual("a\tb\u{1B}".displayWidth, 2)
        XCTAssertEqual("\r\n".displayWidth, 0)
    }

    func testChineseKanaHangulAndFullwidthFormsCountTwo() {
        XCTAssertEqual("李家村".displayWidth, 6)
        XCTAssertEqual("（一组）".displayWidth, 8)
        XCTAssertEqual("太京镇 3组".displayWidth, 10)
        XCTAssertEqual("カタカナ".displayWidth, 8)
        XCTAssertEqual("한국어".displayWidth, 6)
        XCTAssertEqual("ＡＢ".displayWidth, 4)
        XCTAssertEqual("\u{3000}".displayWidth, 2)  // ideographic space (F)
        XCTAssertEqual("𠀀".displayWidth, 2)        // plane 2, CJK extension B
        XCTAssertEqual("ｶ".displayWidth, 1)         // halfwidth katakana
        XCTAssertEqual("620502********001X".displayWidth, 18)
    }

    /// Text of ASCII and common Chinese is summed by scalar, without grapheme breaking: the same
    /// widths as character by character, also when a mark or selector follows.
    func testTheChineseFastPathMeasuresAsCharactersDo() {
        let ranges: [ClosedRange<UInt32>] = [0x20...0x7E, 0x2026...0x2026, 0x4E00...0x9FFF, 0x3001...0x3029, 0xFF01...0xFF60]
        for range in ranges {
            for v in range {
                let s = String(Unicode.Scalar(v)!)
                XCTAssertEqual(("中" + s + "a").displayWidth, 3 + s.first!.displayWidth, String(v, radix: 16))
            }
        }
        XCTAssertEqual("中\u{302A}文".displayWidth, 4, "an ideographic tone mark counts nothing")
        XCTAssertEqual("葛\u{E0100}".displayWidth, 2, "an ideographic variation selector counts nothing")
        XCTAssertEqual("户主\u{FE0F}".displayWidth, 4)
        XCTAssertEqual("联村联户，abc…".truncated(to: 9), "联村联户…")
        XCTAssertEqual("联村联户，abc…".truncated(to: 8), "联村联…")
        XCTAssertEqual("联村\u{302A}联户".truncated(to: 5), "联村\u{302A}…", "by character when a mark is in it")
        XCTAssertEqual("household 4 胡丽翠, 吉铺镇 望铺集村：lacks 义务教育有保障".displayWidth, 57)
    }

    func testCombiningMarksAndJoinersCountNothing() {
        XCTAssertEqual("e\u{0301}".displayWidth, 1)
        XCTAssertEqual("e\u{0301}\u{0302}x".displayWidth, 2)
        XCTAssertEqual("\u{0301}".displayWidth, 0)
        XCTAssertEqual("a\u{200B}b\u{200D}c".displayWidth, 3)
        XCTAssertEqual("a\u{FE0F}".displayWidth, 1)
        XCTAssertEqual("\u{1112}\u{1161}\u{11AB}".displayWidth, 2) // 한 as conjoining jamo
    }

    func testEmojiAreOneGlyphOfTwoColumns() {
        XCTAssertEqual("😀".displayWidth, 2)
        XCTAssertEqual("👨‍👩‍👧‍👦".displayWidth, 2)       // ZWJ family
        XCTAssertEqual("🇨🇳🇺🇸".displayWidth, 4)        // two flags
        XCTAssertEqual("👍🏽".displayWidth, 2)           // skin tone modifier
        XCTAssertEqual("❤️".displayWidth, 2)            // text default + VS16
        XCTAssertEqual("❤".displayWidth, 1)             // text default alone
        XCTAssertEqual("1️⃣".displayWidth, 2)            // keycap
        XCTAssertEqual("a😀b".displayWidth, 4)
    }

    func testTruncateCutsWithEllipsisAndNeverSplitsACharacter() {
        XCTAssertEqual("abcdef".truncated(to: 6), "abcdef")
        XCTAssertEqual("abcdef".truncated(to: 4), "abc…")
        XCTAssertEqual("李家村".truncated(to: 6), "李家村")
        XCTAssertEqual("李家村".truncated(to: 5), "李家…")
        XCTAssertEqual("李家村".truncated(to: 4), "李…")  // 家 does not fit beside the …
        XCTAssertEqual("李家村".truncated(to: 1), "…")
        XCTAssertEqual("李家村".truncated(to: 0), "")
        XCTAssertEqual("cafe\u{0301}s".truncated(to: 5), "cafe\u{0301}s")
        XCTAssertEqual("cafe\u{0301}s!".truncated(to: 5), "cafe\u{0301}…")
        XCTAssertEqual("a👨‍👩‍👧b".truncated(to: 3), "a…")
        XCTAssertEqual("a👨‍👩‍👧bc".truncated(to: 4), "a👨‍👩‍👧…")
    }

    func testPadFillsToColumns() {
        XCTAssertEqual("李".padded(to: 4), "李  ")
        XCTAssertEqual("42".padded(to: 4, alignRight: true), "  42")
        XCTAssertEqual("e\u{0301}".padded(to: 2), "e\u{0301} ")
        XCTAssertEqual("李家村".padded(to: 2), "李家村")
    }

    func testExporterUsesTheSameRule() {
        XCTAssertEqual(Exporter.displayWidth("李家村😀e\u{0301}"), 9)
    }
}
