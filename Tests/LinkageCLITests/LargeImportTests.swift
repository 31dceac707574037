import Foundation
import XCTest

/// Imports of files far larger than one chunk of the streaming reader (1 MiB), through the real
/// binary: every row arrives, a record's line stays its physical line after quoted fields with
/// line breaks, and a refusal found late in the file leaves the register as it was. (Memory is
/// measured in bench/import.sh, not here.)
final class LargeImportTests: LinkageCLITestCase {
    private static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// A valid resident ID for the `k`th household: a birth date from 1940-01-01 on, 1,000 a day.
    static func residentID(_ k: Int) -> String {
        let first = calendar.date(from: DateComponents(year: 1940, month: 1, day: 1))!
        let c = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: k / 1000, to: first)!)
        return ImportExportTests.id(String(format: "620502%04d%02d%02d%03d", c.year!, c.month!, c.day!, k % 1000))
    }

    /// `n` households in two villages; every 500th has an address in quotes over two lines. Returns
    /// the file's text and the physical line each row starts on.
    static func households(_ n: Int, members: (Int) -> String = { _ in "3" }) -> (text: String, lines: [Int]) {
        var text = "head_name,resident_id,village,main_cause,members,address\n"
        text.reserveCapacity(n * 70)
        var lines: [Int] = []
        var line = 2
        for k in 0..<n {
            lines.append(line)
            let address = k % 500 == 0 ? "\"\(k)号\n二组\"" : "\(k)号"
            text += "户\(k),\(residentID(k)),62050210000\(1 + k % 2),因病,\(members(k)),\(address)\n"
            line += k % 500 == 0 ? 2 : 1
        }
        return (text, lines)
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        for (kind, text) in [("areas", "代码,名称,类型\n620502100,玉泉镇,乡镇\n"),
                             ("villages", "村代码,村名,乡镇\n620502100001,李家村,玉泉镇\n620502100002,王家村,玉泉镇\n")] {
            try write("\(kind).csv", text)
            let result = try linkage("--db", "test.db", "import", kind, "\(kind).csv")
            XCTAssertEqual(result.exitCode, 0, "\(result)")
        }
    }

    private func importing(_ file: String) throws -> ProcessResult {
        try LinkageProcess.run(["--db", "test.db", "import", "households", file], in: directory, timeout: 900)
    }

    func test200000HouseholdsImportAndAMistakeNearTheEndIsReportedOnItsPhysicalLine() throws {
        let n = 200_000
        let bad = n - 7
        let (wrong, lines) = Self.households(n) { $0 == bad ? "三" : "3" }
        try write("wrong.csv", wrong)
        XCTAssertGreaterThan(try bytes("wrong.csv").count, 10 << 20, "the file spans many chunks")
        let before = try bytes("test.db")
        let refused = try importing("wrong.csv")
        XCTAssertEqual(refused.exitCode, 2, "\(refused)")
        XCTAssertTrue(refused.stderr.hasPrefix("wrong.csv:\(lines[bad]):5: "), refused.stderr)
        XCTAssertTrue(refused.stderr.hasSuffix("linkage: wrong.csv: 1 problem in 1 row; nothing was imported\n"), refused.stderr)
        XCTAssertEqual(try bytes("test.db"), before, "the register is byte-identical after a failed import")

        try write("big.csv", Self.households(n).text)
        let result = try importing("big.csv")
        XCTAssertEqual(result.exitCode, 0, "\(result)")
        XCTAssertEqual(result.stdout, "big.csv: CSV, read as UTF-8, \(n) rows\nimported \(n) households from big.csv: \(n) added, 0 updated, 0 unchanged\n")
        XCTAssertEqual(try sqlite3("test.db", "SELECT count(*), count(DISTINCT resident_id), sum(address LIKE '%\n二组') FROM household;"),
                       "\(n)|\(n)|\(n / 500)\n")
        XCTAssertEqual(try sqlite3("test.db", "SELECT head_name || '/' || resident_id || '/' || address FROM household ORDER BY id DESC LIMIT 1;"),
                       "户\(n - 1)/\(Self.residentID(n - 1))/\(n - 1)号\n")
    }

    func testARowTheRegisterRefusesInTheSetIsFoundByReadingTheFileAgainRowByRow() throws {
        // A refusal no check of the importer foresees: a trigger of the register's owner.
        try sqlite3("test.db", """
            CREATE TRIGGER refuse_one BEFORE INSERT ON household WHEN NEW.head_name = '户24321'
            BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;
            """)
        let n = 25_000 // three batches of the importer
        let (text, lines) = Self.households(n)
        try write("h.csv", text)
        let before = try bytes("test.db")
        let result = try importing("h.csv")
        XCTAssertEqual(result.exitCode, 2, "\(result)")
        XCTAssertTrue(result.stderr.hasPrefix("h.csv:\(lines[24321]):"), result.stderr)
        XCTAssertTrue(result.stderr.contains("the register refuses the row: refused by the test"), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix("linkage: h.csv: 1 problem in 1 row; nothing was imported\n"), result.stderr)
        XCTAssertEqual(try bytes("test.db"), before, "the register is byte-identical after a failed import")
    }
}
