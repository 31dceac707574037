import Foundation
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// Text from a file reaches the terminal only escaped: a NUL cannot cut a message short and an
/// escape sequence cannot act on the terminal (docs/import-export.md, "Messages").
final class CSVSafetyTests: ExchangeTestCase {
    func testTheEscapingConvention() {
        XCTAssertEqual(MessageText.quoted("a\u{0}b\tc\nd\re"), #"a\0b\tc\nd\re"#)
        XCTAssertEqual(MessageText.quoted("\u{1B}[2J\u{7}\u{7F}"), #"\x1b[2J\x07\x7f"#)
        XCTAssertEqual(MessageText.quoted("\u{9B}31m \u{202E}cba \u{200B}\u{FEFF}"), #"\u{9b}31m \u{202e}cba \u{200b}\u{feff}"#)
        XCTAssertEqual(MessageText.quoted("王五 C:\\dir 'x' ½ €"), "王五 C:\\dir 'x' ½ €", "printable text, a backslash included, is left alone")
    }

    func testANulInACellNoLongerCutsTheProblemShort() throws {
        let report = try importCSV(.areas, "代码,名称,类型\n620502100,玉泉镇,乡\u{0}镇\n")
        let text = try XCTUnwrap(report.problems.first).description
        XCTAssertTrue(text.contains(#"'乡\0镇' is not one of the values the register allows — write one of"#), text)
        XCTAssertFalse(text.utf8.contains(0), text)
    }

    func testTerminalEscapesFromAFileAreWrittenOut() throws {
        // A header the register does not know, and a value: both are quoted from the file.
        let header = try importCSV(.areas, "代码,名称,类型,\u{1B}]0;pwned\u{7}\n620502100,玉泉镇,乡镇\n", name: "h.csv")
        let value = try importCSV(.areas, "代码,名称,类型\n620502100,玉泉镇,\u{9B}2J\u{1B}[31m\n", name: "v.csv")
        let all = (header.problems + value.problems).map(\.description).joined(separator: "\n")
        XCTAssertTrue(all.contains(#"unknown column '\x1b]0;pwned\x07'"#), all)
        XCTAssertTrue(all.contains(#"'\u{9b}2J\x1b[31m' is not one of the values"#), all)
        XCTAssertFalse(all.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 }, all)
    }
}
