import Foundation
import XCTest

/// --dry-run, --read-only, the audit log and masking of personal data, through the real binary.
final class SafetyTests: SmallRegisterTestCase {
    func testDryRunReportsEachTablesChangesAndWritesNothing() throws {
        try write("edit.lua", """
            households:where{ township = '太京镇' }:update{ housing_secured = true }
            cadres:get(1):link(households:get(2), '2012-03-01')
            db.exec("UPDATE area SET name = '新名' WHERE id = 2")
            """)
        let r = try linkage("--db", "test.db", "run", "--dry-run", "edit.lua")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("dry run: nothing was written"), r.stdout)
        XCTAssertTrue(r.stdout.contains("household: 0 inserted, 8 updated, 0 deleted"), r.stdout)
        XCTAssertTrue(r.stdout.contains("housing_secured: 0 → 1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("link: 1 inserted, 0 updated, 0 deleted"), r.stdout)
        XCTAssertTrue(r.stdout.contains("area: 0 inserted, 1 updated, 0 deleted"), r.stdout)
        XCTAssertTrue(r.stdout.contains("name: 玉泉镇 → 新名"), r.stdout)
        XCTAssertEqual(try evaluate("return households:where{ housing_secured = true }:count(), links:count(), areas:get(2).name"), "0\t0\t玉泉镇\n")
    }

    func testReadOnlyRefusesWritesThroughTheAPIAndRawSQL() throws {
        let api = try linkage("--db", "test.db", "--read-only", "-e", "households:get(1):update{ income = 5 }")
        XCTAssertEqual(api.exitCode, 1, "\(api)")
        XCTAssertTrue(api.stderr.contains("the register is open read-only (--read-only)"), api.stderr)
        try write("raw.lua", "db.exec('DELETE FROM survey')")
        let raw = try linkage("--db", "test.db", "run", "--read-only", "raw.lua")
        XCTAssertEqual(raw.exitCode, 1, "\(raw)")
        XCTAssertTrue(raw.stderr.contains("raw.lua:1: SQL error: the register is open read-only"), raw.stderr)
        let read = try linkage("--db", "test.db", "--read-only", "-e", "return households:count()")
        XCTAssertEqual(read.stdout, "15\n", "\(read)")
    }

    func testEveryChangeIsAuditedWithUserScriptAndHash() throws {
        try write("fix.lua", "db.exec(\"UPDATE household SET income = 999 WHERE id = 3\")")
        XCTAssertEqual(try linkage("--db", "test.db", "run", "fix.lua").exitCode, 0)
        let session = try LinkageProcess.sqlite3(path("test.db"), "SELECT os_user <> '', source, length(source_sha256), closed_at IS NOT NULL FROM audit_session ORDER BY id DESC LIMIT 1")
        XCTAssertEqual(session.stdout, "1|fix.lua|64|1\n")
        let change = try LinkageProcess.sqlite3(path("test.db"), "SELECT table_name, row_id, action, json_extract(old, '$.income'), json_extract(new, '$.income') FROM audit_change ORDER BY id DESC LIMIT 1")
        XCTAssertEqual(change.stdout, "household|3|update|1450.0|999.0\n")
        let listing = try linkage("--db", "test.db", "audit", "--table", "household", "--limit", "100")
        XCTAssertTrue(listing.stdout.contains("via fix.lua  update household 3  income: 1450.0 → 999.0"), listing.stdout)
        // A read-only look leaves no session behind.
        _ = try linkage("--db", "test.db", "-e", "return households:count()")
        XCTAssertEqual(try LinkageProcess.sqlite3(path("test.db"), "SELECT count(*) FROM audit_session WHERE source = '-e'").stdout, "0\n")
    }

    func testChangesOutsideLinkageAreAuditedWithoutASession() throws {
        _ = try LinkageProcess.sqlite3(path("test.db"), "UPDATE area SET name = '外改' WHERE id = 3")
        let listing = try linkage("--db", "test.db", "audit", "--table", "area")
        XCTAssertTrue(listing.stdout.contains("outside linkage  update area 3  name: 大城街道 → 外改"), listing.stdout)
    }

    func testPersonalDataPrintsMaskedUnlessShowPII() throws {
        _ = try evaluate("households:get(1):update{ phone = '13812345678' }")
        XCTAssertEqual(try evaluate("local h = households:get(1) print(h.resident_id, h.phone)"), "620502********0014\t138****5678\n")
        let whole = try linkage("--db", "test.db", "--show-pii", "-e", "local h = households:get(1) io.write(h.resident_id, ' ', h.phone, '\\n')")
        XCTAssertEqual(whole.stdout, "620502197001010014 13812345678\n")
        XCTAssertEqual(try evaluate("local _ = io.write(households:get(1).resident_id, '\\n')"), "620502********0014\n")
        XCTAssertEqual(try evaluate("return #households:get(1).resident_id, households:get(1).village.code"), "18\t620502101201\n", "values stay whole; codes are not masked")
        let audit = try linkage("--db", "test.db", "audit", "--table", "household", "--limit", "1")
        XCTAssertFalse(audit.stdout.contains("197001010014"), audit.stdout)
    }

    func testPersonalDataStaysMaskedOnStderrInErrorsAndInEveryWrite() throws {
        let r = try linkage("--db", "test.db", "-e", """
            local h = households:get(1)
            io.stderr:write('err ', h.resident_id, '\\n') io.stdout:write(620502197001010014, '\\n')
            print(h.resident_id .. '\\0' .. '\\255')
            error('bad ' .. h.resident_id)
            """)
        XCTAssertEqual(r.exitCode, 1)
        XCTAssertFalse(r.stderr.contains("197001010014") || r.stdout.contains("197001010014"), "\(r)")
        XCTAssertTrue(r.stderr.contains("err 620502********0014"), r.stderr)
        XCTAssertTrue(r.stderr.contains("bad 620502********0014"), r.stderr)
        XCTAssertEqual(Array(r.stdoutData), Array("620502********0014\n620502********0014\0".utf8) + [255, 10], "bytes that are not UTF-8 pass unchanged")
        // A file the script writes keeps what it wrote; only what a person sees is masked.
        XCTAssertEqual(try evaluate("local f = io.open('o.txt', 'w') f:write(households:get(1).resident_id) f:close() return #io.open('o.txt'):read('a')"), "18\n")
        // print and io.write are Lua's own C functions, with Lua's messages.
        XCTAssertEqual(try evaluate("return debug.getinfo(print).what, debug.getinfo(io.write).what, select(2, pcall(io.write, {}))"),
                       "C\tC\tbad argument #1 to 'io.write' (string expected, got table)\n")
    }
}
