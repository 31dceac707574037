import Foundation
import XCTest

/// Damaged and hostile workbooks through the real binary: `linkage import` exits 2 with a message
/// naming the damage, in bounded time and memory, and the register's file is byte for byte the
/// same afterwards. The workbooks are written by python3 byte by byte (tests/LinkageModelTests has
/// the in-process cases and the fuzz test).
final class XLSXImportSafetyTests: LinkageCLITestCase {
    static let writer = #"""
import struct, sys, zlib
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>王{r}</t></is></c><c r="B{r}"><v>{r}</v></c></row>' for r in range(1, 21))
sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{rows}</sheetData></worksheet>'.encode()
kind, path = sys.argv[1], sys.argv[2]
packed_sheet, declared, crc = None, None, None
if kind == "truncated": sheet = sheet[: sheet.rindex(b"<", 0, len(sheet) * 2 // 5) + 3]  # inside a tag
if kind == "badutf8": sheet = sheet.replace(b"<sheetData", b"<sh\xc3etData")
if kind == "merge": sheet = sheet.replace(b"</sheetData>", b'</sheetData><mergeCells><mergeCell ref="C2:A5"/></mergeCells>')
if kind == "badcrc": crc = zlib.crc32(sheet) ^ 1
if kind == "bomb":
    # 500 copies of one self-contained deflate block of a megabyte of rows: 524 MB from 0.5 MB.
    mb = (b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 21000)[: 1 << 20]
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(mb) + c.flush(zlib.Z_FULL_FLUSH)
    packed_sheet, declared, crc = block * 500 + b"\x03\x00", len(mb) * 500, 0
parts = [
    ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns}><sheets><sheet name="名单" sheetId="1"/></sheets></workbook>'.encode()),
    ("xl/worksheets/sheet1.xml", sheet),
]
out, directory = b"", b""
for name, data in parts:
    is_sheet = name.endswith("sheet1.xml")
    if is_sheet and packed_sheet is not None: packed = packed_sheet
    else:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = c.compress(data) + c.flush()
    entry_crc = crc if is_sheet and crc is not None else zlib.crc32(data)
    size = declared if is_sheet and declared is not None else len(data)
    n = name.encode()
    common = struct.pack("<HHHIIIIHH", 20, 0, 8, 0, entry_crc, len(packed), size, len(n), 0)
    directory += b"PK\x01\x02" + struct.pack("<H", 20) + common + struct.pack("<HHHII", 0, 0, 0, 0, len(out)) + n
    out += b"PK\x03\x04" + common + n + packed
out += directory + b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts), len(directory), len(out), 0)
open(path, "wb").write(out)
"""#

    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertEqual(try linkage("--db", "test.db", "sample", "--scale", "20", "--seed", "1").exitCode, 0)
        try write("writer.py", Self.writer)
    }

    func workbook(_ kind: String) throws -> String {
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "writer.py", kind, kind + ".xlsx"],
                                           in: directory, environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 60)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        return kind + ".xlsx"
    }

    /// Imports `file` and requires exit 2 with `expected` in the message, and the register unchanged.
    func assertRefused(_ file: String, _ expected: String..., file testFile: StaticString = #filePath, line: UInt = #line) throws {
        let before = try sha256("test.db")
        for dryRun in [false, true] {
            let r = try linkage(["--db", "test.db", "import", "households", file] + (dryRun ? ["--dry-run"] : []))
            XCTAssertEqual(r.exitCode, 2, "\(r)", file: testFile, line: line)
            for e in expected { XCTAssertTrue(r.stderr.contains(e), "'\(e)' not in \(r.stderr)", file: testFile, line: line) }
            XCTAssertTrue(r.stderr.lowercased().contains("save it again") || r.stderr.lowercased().contains("save the sheet again"), "says what to do: \(r.stderr)", file: testFile, line: line)
        }
        XCTAssertEqual(try sha256("test.db"), before, "the register is unchanged", file: testFile, line: line)
    }

    func testDamagedWorkbooksExit2AndLeaveTheRegisterAlone() throws {
        try assertRefused(workbook("truncated"), "the sheet '名单' (xl/worksheets/sheet1.xml)", "cut short")
        try assertRefused(workbook("badcrc"), "the zip entry xl/worksheets/sheet1.xml is damaged: its CRC-32 checksum")
        try assertRefused(workbook("badutf8"), "is not UTF-8")
        try assertRefused(workbook("merge"), "the merged range C2:A5 is written backwards")
    }

    func testAZipBombIsRefusedQuicklyInLittleMemory() throws {
        let bomb = try workbook("bomb")
        let size = try FileManager.default.attributesOfItem(atPath: path(bomb).path)[.size] as? Int ?? 0
        XCTAssertLessThan(size, 2 << 20, "the bomb is small")
        try assertRefused(bomb, "the zip entry xl/worksheets/sheet1.xml unpacks to 514,500,000 bytes", "zip bomb", "256 MiB an entry")
        // Peak memory of the refusal, as the kernel counts it for a child (python's getrusage, in KiB).
        let measure = "import resource, subprocess, sys, time; t = time.time(); subprocess.run(sys.argv[1:], capture_output=True); "
            + "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.time() - t)"
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/env"),
                                           ["python3", "-c", measure, try LinkageProcess.binary().path, "--db", "test.db", "import", "households", bomb],
                                           in: directory, environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 60)
        let figures = r.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(figures.count, 2, "\(r)")
        XCTAssertLessThan(figures.first ?? .infinity, 150_000, "peak memory in KiB")
        XCTAssertLessThan(figures.last ?? .infinity, 5, "seconds")
    }
}
