import Foundation
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// CSV, encodings, dates and the export formats, without a register.
final class ExchangeFormatTests: XCTestCase {
    func testCSVParsesQuotedFieldsWithSeparatorsQuotesAndLineBreaksAndKeepsLineNumbers() throws {
        let text = "名称,备注\r\n\"李家村, 一组\",\"他说\"\"好\"\"\"\r\n\r\n王家村,\"两行\n文字\"\n赵家村,\n"
        let records = try CSV.parse(text)
        XCTAssertEqual(records.map(\.line), [1, 2, 4, 6])
        XCTAssertEqual(records[1].fields, ["李家村, 一组", "他说\"好\""])
        XCTAssertEqual(records[2].fields, ["王家村", "两行\n文字"])
        XCTAssertEqual(records[3].fields, ["赵家村", ""])
    }

    func testCSVWithAnUnclosedQuoteNamesTheLineItOpensOn() {
        XCTAssertThrowsError(try CSV.parse("a,b\n1,\"open\n2,3\n")) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
        }
    }

    func testCSVWriterQuotesOnlyWhenItMustAndReadsBack() throws {
        XCTAssertEqual(CSV.field("王五"), "王五")
        XCTAssertEqual(CSV.field("a,b"), "\"a,b\"")
        XCTAssertEqual(CSV.field("say \"hi\""), "\"say \"\"hi\"\"\"")
        let rows = [["户主", "备注"], ["王五", "一,二"], ["赵七", "第一行\n第二行"], ["", " 空格 "]]
        XCTAssertEqual(try CSV.parse(CSV.text(rows)).map(\.fields), rows)
    }

    func testTabSeparatedTextIsRecognised() {
        XCTAssertEqual(CSV.separator(of: "户主姓名\t身份证号\n王五\t1\n"), "\t")
        XCTAssertEqual(CSV.separator(of: "户主姓名,身份证号\n"), ",")
    }

    func testUTF8WithAndWithoutBOMAndGB18030AreToldApartByTheirBytes() throws {
        let text = "户主姓名,村\n王五,李家村\n"
        XCTAssertEqual(try TextDecoding.decode(Data(text.utf8)).encoding, .utf8)
        let bom = try TextDecoding.decode(Data([0xEF, 0xBB, 0xBF] + Array(text.utf8)))
        XCTAssertEqual(bom.encoding, .utf8BOM)
        XCTAssertEqual(bom.text, text)
        // GB18030 made by the iconv program, not by the code under test.
        let gb = try iconv(text, to: "GB18030")
        XCTAssertNotEqual(gb, Data(text.utf8))
        let decoded = try TextDecoding.decode(gb)
        XCTAssertEqual(decoded.encoding, .gb18030)
        XCTAssertEqual(decoded.text, text)
        XCTAssertEqual(try TextDecoding.decode(Data("plain,ascii\n".utf8)).encoding, .utf8)
    }

    func testBytesThatAreNeitherUTF8NorGB18030AreRefusedWithTheirOffset() {
        XCTAssertThrowsError(try TextDecoding.decode(Data([0x61, 0x2C, 0x81, 0x20, 0x0A]))) { error in
            XCTAssertTrue("\(error)".contains("offset 2"), "\(error)")
        }
    }

    func testDatesAsSpreadsheetsWriteThem() {
        for text in ["2012-03-01", "2012-3-1", "2012/3/1", "2012.03.01", "2012年3月1日", "20120301", "2012/3/1 0:00"] {
            XCTAssertEqual(ImportValidator.normalizeDate(text), "2012-03-01", text)
        }
        XCTAssertNil(ImportValidator.normalizeDate("3/1/2012"))
        XCTAssertNil(ImportValidator.normalizeDate("明天"))
        XCTAssertEqual(XLSXReader.date(fromSerial: 40969), "2012-03-01")
        XCTAssertEqual(XLSXReader.date(fromSerial: 25569), "1970-01-01")
        XCTAssertEqual(XLSXReader.date(fromSerial: 36951.5), "2001-03-01", "the fraction is the time of day")
    }

    func testChineseCharactersCountDoubleInAColumnsWidth() {
        XCTAssertEqual(Exporter.displayWidth("abc"), 3)
        XCTAssertEqual(Exporter.displayWidth("李家村"), 6)
        XCTAssertEqual(Exporter.displayWidth("（一组）"), 8)
        XCTAssertEqual(Exporter.displayWidth("620502********001X"), 18)
    }

    func testJSONKeepsColumnOrderTypesAndChinese() throws {
        let table = ExportTable(columns: ["id", "名", "income", "note"],
                                rows: [[.integer(1), .text("王\"五\"\n"), .real(2300.5), .null]])
        let json = Exporter.json(table)
        XCTAssertEqual(json, "[\n  {\"id\": 1, \"名\": \"王\\\"五\\\"\\n\", \"income\": 2300.5, \"note\": null}\n]\n")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.first?["名"] as? String, "王\"五\"\n")
        XCTAssertEqual(Exporter.json(ExportTable(columns: ["a"], rows: [])), "[]\n")
    }

    func testMarkdownEscapesPipesAndLineBreaksAndAlignsNumbersRight() {
        let table = ExportTable(columns: ["村", "户数"], rows: [[.text("李|家\n村"), .integer(3)], [.text("王家村"), .null]])
        XCTAssertEqual(Exporter.markdown(table), "| 村 | 户数 |\n| --- | ---: |\n| 李\\|家<br>村 | 3 |\n| 王家村 |  |\n")
    }

    func testMaskingHidesResidentIDsAndMobileNumbersOnly() {
        let table = ExportTable(columns: ["a", "b", "c"], rows: [[.text("34052419800101001X"), .text("13800001234"), .text("620502100001")]])
        XCTAssertEqual(table.masked().rows[0], [.text("340524********001X"), .text("138****1234"), .text("620502100001")])
    }

    private func iconv(_ text: String, to encoding: String) throws -> Data {
        try IconvProgram.convert(text, to: encoding)
    }
}
