import Foundation
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// The CSV file read as a stream (``CSVFile``): chunks cut anywhere give the records, the line
/// numbers and the messages of the text read whole; the encoding is told by the first chunk with
/// a byte that is not ASCII.
final class CSVStreamTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("csv-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ bytes: some Sequence<UInt8>) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func records(_ path: String, chunkSize: Int) throws -> [CSVRecord] {
        var out: [CSVRecord] = []
        try CSVFile(path: path, chunkSize: chunkSize).records { out.append($0) }
        return out
    }

    private func gb18030(_ text: String) throws -> [UInt8] {
        [UInt8](try IconvProgram.convert(text, to: "GB18030"))
    }

    /// Quoted fields with separators, doubled quotes, LF, CRLF and a lone CR inside, blank lines.
    private let text = "名称,备注\r\n\"李家村, 一组\",\"他说\"\"好\"\"\"\r\n\r\n王家村,\"两行\n文字\"\n赵家村,\"回车\r\n换行\"\r孙家村,\"\"\n\"\",\n末行,x"

    func testTheParserFedOneByteAtATimeGivesTheRecordsOfTheWholeText() throws {
        let whole = try CSV.parse(text)
        XCTAssertEqual(whole.map(\.line), [1, 2, 4, 6, 8, 9, 10])
        XCTAssertEqual(whole[3].fields, ["赵家村", "回车\r\n换行"])
        XCTAssertEqual(whole[4].fields, ["孙家村", ""])
        var parser = CSVParser()
        var pieces: [CSVRecord] = []
        for byte in Array(text.utf8) {
            try [byte].withUnsafeBufferPointer { try parser.feed($0) { pieces.append($0) } }
        }
        try parser.finish { pieces.append($0) }
        XCTAssertEqual(pieces, whole)
    }

    func testAFileReadInChunksOfEverySizeGivesTheSameRecordsAndLines() throws {
        let whole = try CSV.parse(text)
        let path = try write("t.csv", Array(text.utf8))
        for size in [1, 2, 3, 5, 7, 16, 64, 1 << 20] {
            XCTAssertEqual(try records(path, chunkSize: size), whole, "chunks of \(size) bytes")
        }
    }

    func testAQuoteNeverClosedNamesTheLineItOpensOnWhateverTheChunks() throws {
        let path = try write("open.csv", Array("a,b\n1,\"open\n2,3\n4,5\n".utf8))
        for size in [1, 4, 1 << 20] {
            XCTAssertThrowsError(try records(path, chunkSize: size)) { error in
                XCTAssertEqual("\(error)", "\(path): line 2: a quoted field is never closed; a value with a quote inside needs it doubled (\"\")")
            }
        }
    }

    func testAnASCIIStartDoesNotDecideTheEncodingAChineseLineLaterDoes() throws {
        let text = "resident_id,head_name\n" + String(repeating: "620502198001010011,x\n", count: 50) + "620502198001010038,王五\n"
        let path = try write("gb.csv", try gb18030(text))
        let csv = try CSVFile(path: path, chunkSize: 64)
        XCTAssertEqual(csv.encoding, .gb18030)
        var last: CSVRecord?
        try csv.records { last = $0 }
        XCTAssertEqual(last, CSVRecord(line: 52, fields: ["620502198001010038", "王五"]))
        XCTAssertEqual(try CSVFile(path: try write("ascii.csv", Array("a,b\n1,2\n".utf8)), chunkSize: 2).encoding, .utf8)
    }

    func testALaterChunkThatDoesNotDecodeIsAnErrorNamingItsLineAndOffset() throws {
        // UTF-8 in the first chunk, a GB18030 byte pair on line 4.
        var bytes = Array("名称,备注\n李家村,一\n王家村,二\n".utf8)
        bytes += Array("赵家村,".utf8)
        let offset = bytes.count
        bytes += [0xB6, 0xFE] + Array("\n".utf8)
        let path = try write("mixed.csv", bytes)
        XCTAssertThrowsError(try records(path, chunkSize: 16)) { error in
            XCTAssertEqual("\(error)", "\(path): the file's first lines are UTF-8 but bytes B6 FE 0A at offset \(offset) (line 4) are not: it mixes encodings; save it again as \"CSV UTF-8\"")
        }
        // Bytes that are not GB18030 either, after a first line that is.
        var gb = try gb18030("名称,备注\n李家村,一\n")
        let bad = gb.count + 2
        gb += Array("a,".utf8) + [0x81, 0x20] + Array("\n".utf8)
        XCTAssertThrowsError(try records(try write("bad.csv", gb), chunkSize: 8)) { error in
            XCTAssertTrue("\(error)".contains("neither UTF-8 nor GB18030: bytes 81 20 0A at offset \(bad) (line 3) are not valid"), "\(error)")
        }
    }

    func testUTF8WithAMarkAndUTF16AreReadInChunksToo() throws {
        let text = "户主姓名\t村\r\n王五\t李家村\r\n赵七\t\"两行\n文字\"\r\n"
        let whole = try CSV.parse(text, separator: "\t")
        let bom = try write("bom.csv", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let le = try write("le.txt", [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        for size in [1, 3, 1 << 20] {
            let b = try CSVFile(path: bom, chunkSize: size)
            XCTAssertEqual(b.encoding, .utf8BOM)
            XCTAssertEqual(b.separator, "\t")
            var records: [CSVRecord] = []
            try b.records { records.append($0) }
            XCTAssertEqual(records, whole, "UTF-8 with a mark, chunks of \(size)")
            let u = try CSVFile(path: le, chunkSize: size)
            XCTAssertEqual(u.encoding, .utf16)
            XCTAssertEqual(u.separator, "\t")
            records = []
            try u.records { records.append($0) }
            XCTAssertEqual(records, whole, "UTF-16LE, chunks of \(size)")
        }
    }

    func testAUTF16FileCutInTheMiddleOfACharacterIsRefused() throws {
        let path = try write("cut.txt", [0xFF, 0xFE] + "a\tb\n1\t2\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0x31])
        XCTAssertThrowsError(try records(path, chunkSize: 3)) { error in
            XCTAssertEqual("\(error)", "\(path): the file starts with a UTF-16 byte-order mark but ends in the middle of a character; save it again as \"CSV UTF-8\"")
        }
    }

    func testAnInputTableReadsItsRowsAgainAtEachPass() throws {
        let path = try write("h.csv", Array("户主姓名,家庭人口\n王五,4\n赵七\n孙九,2,,\n".utf8))
        let table = try InputTable.read(path: path)
        XCTAssertEqual(table.header, ["户主姓名", "家庭人口"])
        for _ in 0..<2 {
            let (rows, problems) = try table.allRows()
            XCTAssertEqual(rows.map(\.line), [2, 4])
            XCTAssertEqual(rows[1].cells, [.text("孙九"), .text("2")])
            XCTAssertEqual(problems.map(\.description), ["\(path):3:2: the row has 1 field but the header has 2 — every row needs a value (or an empty place) for each of the 2 columns; is a comma missing?"])
        }
    }
}
