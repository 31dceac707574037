import CZlib // zlib, to write deflated fixtures byte by byte
import Foundation
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// A ZIP archive written byte by byte, so that a test can make exactly the damage it means: a
/// wrong CRC, a size that lies, a stream cut short, a bomb.
struct TestZip {
    struct Entry {
        var name: String
        var data: Data
        var deflate = true
        /// What the directory says, when a test wants it to lie.
        var crc: UInt32? = nil
        var declaredSize: Int? = nil
        /// The packed bytes as given, instead of packing `data`.
        var packed: Data? = nil
    }

    static func archive(_ entries: [Entry]) -> Data {
        var out = Data(), directory = Data()
        for e in entries {
            let packed = e.packed ?? (e.deflate ? deflate(e.data) : e.data)
            let name = Data(e.name.utf8)
            let crc = e.crc ?? crc32(e.data)
            let size = UInt32(e.declaredSize ?? e.data.count)
            let method: UInt16 = e.deflate ? 8 : 0
            let offset = UInt32(out.count)
            // version, flags, method, time and date, CRC, sizes, name length, extra length
            let common: [Data] = [le16(20), le16(0), le16(method), le32(0), le32(crc), le32(UInt32(packed.count)), le32(size),
                                  le16(UInt16(name.count)), le16(0)]
            out += ([le32(0x0403_4B50)] + common + [name, packed]).reduce(Data(), +)
            // made by, then the common part, comment length, disk, attributes, offset
            directory += ([le32(0x0201_4B50), le16(20)] + common + [le16(0), le16(0), le16(0), le32(0), le32(offset), name]).reduce(Data(), +)
        }
        let start = UInt32(out.count)
        out += directory
        let count = le16(UInt16(entries.count))
        out += [le32(0x0605_4B50), le16(0), le16(0), count, count, le32(UInt32(directory.count)), le32(start), le16(0)].reduce(Data(), +)
        return out
    }

    /// Raw deflate; `flush: Z_FULL_FLUSH` leaves a block that stands alone, to be repeated.
    static func deflate(_ data: Data, flush: Int32 = Z_FINISH) -> Data {
        var stream = z_stream()
        deflateInit2_(&stream, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        defer { deflateEnd(&stream) }
        var out = Data(count: Int(deflateBound(&stream, uLong(data.count))) + 64)
        let n: Int = data.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = output.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(output.count)
                _ = CZlib.deflate(&stream, flush)
                return output.count - Int(stream.avail_out)
            }
        }
        return out.prefix(n)
    }

    static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { UInt32(CZlib.crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
    }

    static func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8)]) }
    static func le32(_ v: UInt32) -> Data { le16(UInt16(v & 0xFFFF)) + le16(UInt16(v >> 16)) }
}

/// A small households workbook as XML parts, to damage one part at a time.
enum TestWorkbook {
    static let ns = #"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main""#
    static let shared = ["户主姓名", "户主身份证号", "家庭人口", "王五", "赵七"]

    static let rows = """
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>\
        <row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="inlineStr"><is><t>620502198001010011</t></is></c><c r="C2"><v>4</v></c></row>\
        <row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="inlineStr"><is><t>620502198001010038</t></is></c><c r="C3"><v>2</v></c></row>
        """

    static func sheet(_ rows: String = rows, merged: String = "") -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><worksheet \#(ns)><sheetData>\#(rows)</sheetData>\#(merged)</worksheet>"#
    }

    static func parts(sheet: String = sheet()) -> [(String, Data)] {
        let sst = shared.map { "<si><t>\($0)</t></si>" }.joined()
        return [
            ("[Content_Types].xml", #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#),
            ("xl/workbook.xml", #"<?xml version="1.0" encoding="UTF-8"?><workbook \#(ns) xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
            ("xl/sharedStrings.xml", #"<?xml version="1.0" encoding="UTF-8"?><sst \#(ns)>\#(sst)</sst>"#),
            ("xl/styles.xml", #"<?xml version="1.0" encoding="UTF-8"?><styleSheet \#(ns)><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>"#),
            ("xl/worksheets/sheet1.xml", sheet),
        ].map { ($0.0, Data($0.1.utf8)) }
    }

    /// The workbook as a ZIP archive; `sheet` as bytes when a test needs bytes no string holds.
    static func zip(sheet: String = sheet(), sheetBytes: Data? = nil, deflate: Bool = true) -> Data {
        TestZip.archive(parts(sheet: sheet).map { name, data in
            TestZip.Entry(name: name, data: name == "xl/worksheets/sheet1.xml" ? sheetBytes ?? data : data, deflate: deflate)
        })
    }
}

/// Damaged and hostile workbooks: each is refused whole with an ExchangeError that says where the
/// damage is and what to do, in bounded time and memory, never a trap and never a partial read.
final class XLSXSafetyTests: XCTestCase {
    /// The message of the ExchangeError reading `data` throws; fails the test when it reads.
    func refusal(_ data: Data, limits: XLSXLimits = XLSXLimits(), file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let sheet = try XLSXReader.read(data, file: "t.xlsx", limits: limits)
            XCTFail("read \(sheet.rows.count) rows instead of refusing the file", file: file, line: line)
        } catch let e as ExchangeError {
            XCTAssertTrue(e.message.hasPrefix("t.xlsx"), "the message names the file: \(e.message)", file: file, line: line)
            return e.message
        } catch {
            XCTFail("not an ExchangeError: \(error)", file: file, line: line)
        }
        return ""
    }

    func refusal(sheet: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        refusal(TestWorkbook.zip(sheet: sheet), file: file, line: line)
    }

    func assertContains(_ message: String, _ parts: String..., file: StaticString = #filePath, line: UInt = #line) {
        for p in parts { XCTAssertTrue(message.contains(p), "'\(p)' not in: \(message)", file: file, line: line) }
    }

    func testTheUndamagedWorkbookReads() throws {
        for deflate in [true, false] {
            let table = try InputTable.xlsx(data: TestWorkbook.zip(deflate: deflate), file: "t.xlsx")
            XCTAssertEqual(table.header, ["户主姓名", "户主身份证号", "家庭人口"])
            XCTAssertEqual(try table.allRows().rows.map { $0.cells.map(\.text) }, [["王五", "620502198001010011", "4"], ["赵七", "620502198001010038", "2"]])
        }
    }

    func testAMergedRangeWrittenBackwardsIsRefused() {
        let m = refusal(sheet: TestWorkbook.sheet(merged: #"<mergeCells count="1"><mergeCell ref="C2:A5"/></mergeCells>"#))
        assertContains(m, "the sheet '名单' (xl/worksheets/sheet1.xml)", "merged range C2:A5 is written backwards", "save it again")
        assertContains(refusal(sheet: TestWorkbook.sheet(merged: #"<mergeCells><mergeCell ref="A1:B2:C3"/></mergeCells>"#)), "'A1:B2:C3' is not a range of cells")
    }

    func testASharedStringIndexOutsideTheTableIsRefused() {
        for index in ["-1", "5", "99999999999999999999", "x"] {
            let rows = TestWorkbook.rows.replacingOccurrences(of: #"<c r="A3" t="s"><v>4</v>"#, with: #"<c r="A3" t="s"><v>\#(index)</v>"#)
            assertContains(refusal(sheet: TestWorkbook.sheet(rows)), "cell A3 refers to shared string '\(index)', but the workbook has 5")
        }
    }

    func testCellReferencesBeyondExcelAreRefused() {
        for ref in ["AAAAAAAAAAAAAA2", "XFE2", "A02", "2", "B", "A2B", "Ａ2"] {
            let rows = TestWorkbook.rows.replacingOccurrences(of: #"<c r="C2">"#, with: #"<c r="\#(ref)">"#)
            assertContains(refusal(sheet: TestWorkbook.sheet(rows)), "'\(ref)' in row 2 is not a cell reference (A1 to XFD1048576)")
        }
        // The last column and row Excel has are cells.
        XCTAssertEqual(XLSXSheet.parseReference("XFD1048576")?.column, 16_383)
        XCTAssertNil(XLSXSheet.parseReference("A1048577"))
        let rows = TestWorkbook.rows.replacingOccurrences(of: #"<c r="C2">"#, with: #"<c r="C3">"#)
        assertContains(refusal(sheet: TestWorkbook.sheet(rows)), "cell C3 is written inside row 2")
    }

    func testRowNumbersBeyondExcelAndRepeatedRowsAreRefused() {
        let start = Date()
        for r in ["1000000000", "1048577", "0", "-1", "x"] {
            let rows = TestWorkbook.rows.replacingOccurrences(of: #"<row r="3">"#, with: #"<row r="\#(r)">"#)
            assertContains(refusal(sheet: TestWorkbook.sheet(rows)), "the row number '\(r)' is not one from 1 to 1048576")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "a far row number costs nothing")
        let twice = TestWorkbook.rows.replacingOccurrences(of: #"<row r="3">"#, with: #"<row r="2">"#)
        assertContains(refusal(sheet: TestWorkbook.sheet(twice)), "row 2 appears twice")
    }

    func testInvalidUTF8InAnElementNameIsRefusedNotATrap() {
        var bytes = Data(TestWorkbook.sheet().utf8)
        let at = bytes.range(of: Data("<sheetData".utf8))!.lowerBound + 3
        bytes[at] = 0xC3 // a lead byte followed by ASCII
        let m = refusal(TestWorkbook.zip(sheetBytes: bytes))
        assertContains(m, "xl/worksheets/sheet1.xml): byte \(at) is not UTF-8", "save it again")
    }

    func testASheetCutOffMidXMLIsRefusedNotReadInPart() {
        let xml = TestWorkbook.sheet()
        let cut = String(xml.prefix(xml.count * 2 / 3))
        assertContains(refusal(sheet: cut), "the sheet '名单' (xl/worksheets/sheet1.xml)", "cut short")
        assertContains(refusal(sheet: "<worksheet><sheetData><row r=\"1\"></sheetData></worksheet>"), "the sheet '名单'", "line 1")
    }

    func testAnEntryWhoseCRCIsWrongIsRefused() {
        let data = TestZip.archive(TestWorkbook.parts().map { name, data in
            TestZip.Entry(name: name, data: data, crc: name.hasSuffix("sheet1.xml") ? 0x1234_5678 : nil)
        })
        assertContains(refusal(data), "the zip entry xl/worksheets/sheet1.xml is damaged: its CRC-32 checksum", "where the archive says 12345678", "get a fresh copy")
    }

    func testDamagedDeflateStreamsAreRefused() {
        var parts = TestWorkbook.parts().map { TestZip.Entry(name: $0.0, data: $0.1) }
        let i = parts.firstIndex { $0.name.hasSuffix("sheet1.xml") }!
        let packed = TestZip.deflate(parts[i].data)
        parts[i].packed = packed.prefix(packed.count / 2)
        assertContains(refusal(TestZip.archive(parts)), "the zip entry xl/worksheets/sheet1.xml is cut short")
        parts[i].packed = Data(repeating: 0xFF, count: 40)
        assertContains(refusal(TestZip.archive(parts)), "the zip entry xl/worksheets/sheet1.xml is damaged (")
        parts[i].packed = packed
        parts[i].declaredSize = parts[i].data.count + 10
        assertContains(refusal(TestZip.archive(parts)), "unpacks to \(parts[i].data.count) bytes where its directory declares")
    }

    /// A sheet that unpacks to 524 MB from about half a megabyte: one self-contained deflate block
    /// of a megabyte of rows, repeated.
    static func bomb(declaredSize: Int? = nil) -> Data {
        let row = #"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#
        let megabyte = Data(String(repeating: row, count: (1 << 20) / row.utf8.count).utf8)
        let block = TestZip.deflate(megabyte, flush: Z_FULL_FLUSH)
        var packed = Data()
        for _ in 0..<500 { packed += block }
        packed += Data([0x03, 0x00]) // the final block: fixed Huffman, empty
        let parts = TestWorkbook.parts().map { name, data in
            name.hasSuffix("sheet1.xml")
                ? TestZip.Entry(name: name, data: Data(), declaredSize: declaredSize ?? megabyte.count * 500, packed: packed)
                : TestZip.Entry(name: name, data: data)
        }
        return TestZip.archive(parts)
    }

    func testAZipBombIsRefusedBeforeItIsUnpacked() {
        let data = Self.bomb()
        let start = Date()
        let m = refusal(data)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        assertContains(m, "the zip entry xl/worksheets/sheet1.xml unpacks to 524,", "(500.0 MiB) from", "at most 100 times its packed size beyond the first 10 MiB, 256 MiB an entry and 512 MiB in all", "zip bomb")
    }

    func testAZipBombThatUnderstatesItsSizeIsStoppedAtThatSize() {
        let start = Date()
        let m = refusal(Self.bomb(declaredSize: 100_000))
        XCTAssertLessThan(Date().timeIntervalSince(start), 1, "inflating stops at the declared size")
        assertContains(m, "the zip entry xl/worksheets/sheet1.xml unpacks to more than the 100,000 bytes its directory declares")
    }

    func testTheSizeLimitsAreNamedWhenPassed() {
        var limits = XLSXLimits()
        limits.ratioGrace = 0
        limits.ratio = 2 // the sheet's XML packs more than 2:1
        assertContains(refusal(TestWorkbook.zip(), limits: limits), "the zip entry xl/worksheets/sheet1.xml unpacks to", "at most 2 times its packed size")
        // The total bounds the parts held in memory; the sheet, read as a stream, is not one.
        let held = TestWorkbook.parts().filter { !$0.0.hasPrefix("xl/worksheets/") && $0.0.hasPrefix("xl/") }.map(\.1.count).reduce(0, +)
        limits = XLSXLimits()
        limits.totalBytes = held - 1
        assertContains(refusal(TestWorkbook.zip(), limits: limits), "the zip entry xl/styles.xml unpacks to", "and \(XLSXArchive.size(held - 1)) in all")
        limits.totalBytes = held
        XCTAssertNoThrow(try XLSXReader.read(TestWorkbook.zip(), file: "t.xlsx", limits: limits))
    }

    func testADocumentTypeIsRefused() {
        let laughs = #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>"#
        assertContains(refusal(sheet: laughs), "declares a document type (<!DOCTYPE …>)")
    }

    /// Found by the fuzz test: FoundationXML dereferences NULL on a processing instruction without data.
    func testProcessingInstructionsAreRefusedNotATrap() {
        let sheet = TestWorkbook.sheet()
        let pi = sheet.replacingOccurrences(of: "<sheetData>", with: "<sheetData><?pi?>")
        assertContains(refusal(sheet: pi), "begins an XML processing instruction (<?…?>)")
        assertContains(refusal(sheet: sheet.replacingOccurrences(of: #"<?xml version="1.0" encoding="UTF-8"?>"#, with: "<?xml?>")),
                       "byte 0 begins an XML processing instruction")
        XCTAssertNoThrow(try XLSXReader.read(TestWorkbook.zip(sheet: "\u{FEFF}" + sheet), file: "t.xlsx"), "a byte-order mark before the declaration")
    }

    func testASheetWiderAndLongerThanTheCellLimitIsRefused() {
        // A header in XFD1 and 400 rows: a table of 6.5 million cells from a few kilobytes.
        var rows = #"<row r="1"><c r="A1" t="inlineStr"><is><t>h</t></is></c><c r="XFD1" t="inlineStr"><is><t>far</t></is></c></row>"#
        for r in 2...401 { rows += #"<row r="\#(r)"><c r="A\#(r)"><v>1</v></c></row>"# }
        assertContains(refusal(sheet: TestWorkbook.sheet(rows)), "spans 401 rows by 16384 columns (to column XFD)", "more than the 5000000 cells")
    }

    func testOverlappingMergedRangesAreBounded() {
        let many = String(repeating: #"<mergeCell ref="A1:XFD1048576"/>"#, count: 2000)
        var limits = XLSXLimits()
        limits.cells = 1000
        let start = Date()
        assertContains(refusal(TestWorkbook.zip(sheet: TestWorkbook.sheet(merged: "<mergeCells>\(many)</mergeCells>")), limits: limits),
                       "the merged ranges overlap (A1:XFD1048576 among them)")
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testArchiveDamageIsNamed() {
        let good = TestWorkbook.zip()
        assertContains(refusal(good.prefix(good.count - 10)), "is not an XLSX file (it is not a ZIP archive)")
        assertContains(refusal(Data("PK\u{3}\u{4} not really".utf8)), "is not an XLSX file")
        // The directory's flags and method are what count.
        let dir = TestZip.archive(TestWorkbook.parts().map { TestZip.Entry(name: $0.0, data: $0.1) })
        var flagged = dir
        let cd = flagged.range(of: Data([0x50, 0x4B, 0x01, 0x02]), options: .backwards)!.lowerBound // the sheet's record
        flagged[cd + 8] = 1
        assertContains(refusal(flagged), "is encrypted (protected by a password)")
        var method = dir
        method[cd + 10] = 12 // bzip2
        assertContains(refusal(method), "is packed with ZIP method 12")
    }
}
