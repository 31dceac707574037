import Foundation
import GRDB
import XCTest
@testable import LinkageModel
@testable import LinkageExchange

/// `--update` of rows that change nothing, found a batch at a time (`UnchangedRows`): every file
/// here is imported twice, into two copies of one register — with the unchanged rows found at
/// once, and with every row checked on its own — and both must give the same problems, the same
/// counts and the same register.
final class UnchangedImportTests: ExchangeTestCase {
    /// The register of `seedPlaces` with four households (one with an X in its resident ID).
    func seedHouseholds() throws {
        try seedPlaces()
        requireSuccess(try importCSV(.households, Self.households + "孙九,\(Self.withX),620502100002,,13700000000,,缺水,,1,900,1,\n"))
    }

    /// A valid resident ID that ends in X.
    static let withX: String = {
        for n in 1...999 {
            let id = ExchangeTestCase.id("620502197001011" + String(format: "%02d", n % 100))
            if id.hasSuffix("X") { return id }
        }
        fatalError("no resident ID ends in X")
    }()

    /// The households as `linkage export households --show-pii` writes them, as rows of cells.
    func exported() throws -> [[String]] {
        try register.queue.read { db in
            let table = try ExportTable.query(db, sql: try ImportKind.households.exportStatement(db))
            return try CSV.parse(String(decoding: Exporter.csv(table), as: UTF8.self)).map(\.fields)
        }
    }

    func csv(_ rows: [[String]]) -> String { CSV.text(rows) }

    /// The households table and the number of audited changes.
    func state(_ register: Register) throws -> [String] {
        try register.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM household ORDER BY id").map(\.description)
                + ["changes: \(try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_change") ?? 0)"]
        }
    }

    /// Imports `text` with --update both ways and checks they agree; the report of the fast way.
    func importBothWays(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> ImportReport {
        let csvPath = path("update.csv")
        try Data(text.utf8).write(to: URL(fileURLWithPath: csvPath))
        let copyPath = path("copy-\(UUID().uuidString).db")
        try register.queue.inDatabase { try $0.execute(sql: "VACUUM INTO ?", arguments: [copyPath]) }
        let copy = try Register(path: copyPath)
        let audit = AuditSource(osUser: "tester", source: "import \(csvPath)")
        let fast = try Importer.run(try InputTable.read(path: csvPath), kind: .households, register: register, update: true, dryRun: false,
                                    audit: audit, findUnchanged: true)
        let slow = try Importer.run(try InputTable.read(path: csvPath), kind: .households, register: copy, update: true, dryRun: false,
                                    audit: audit, findUnchanged: false)
        XCTAssertEqual(fast.problems.map(\.description), slow.problems.map(\.description), file: file, line: line)
        XCTAssertEqual([fast.rows, fast.inserted, fast.updated, fast.unchanged], [slow.rows, slow.inserted, slow.updated, slow.unchanged],
                       file: file, line: line)
        XCTAssertEqual(slow.unchangedAtOnce, 0, file: file, line: line)
        XCTAssertEqual(try state(register), try state(copy), file: file, line: line)
        return fast
    }

    func testAnExportedFileImportedBackIsFoundUnchangedAtOnce() throws {
        try seedHouseholds()
        let before = try state(register)
        let report = try importBothWays(csv(try exported()))
        requireSuccess(report)
        XCTAssertEqual([report.rows, report.inserted, report.updated, report.unchanged, report.unchangedAtOnce], [4, 0, 0, 4, 4])
        XCTAssertEqual(try state(register), before, "nothing is written, nothing audited")
    }

    /// Cells written another way than the export writes them are converted as a row's check
    /// converts them, and compared by value: the same values are unchanged, others are changes.
    func testTextsThatDifferOnlyInFormAreConvertedAndCompared() throws {
        try seedHouseholds()
        var rows = try exported()
        let h = rows[0]
        let c = { (name: String) in h.firstIndex(of: name)! }
        XCTAssertEqual(rows[1][c("income")], "2300.5")
        rows[1][c("income")] = "2,300.50"                       // a thousands separator and a trailing zero
        rows[1][c("members")] = " 4 "                           // spaces around
        rows[1][c("food_secure")] = "是"                         // yes in words
        rows[1][c("id")] = "\u{3000}1"                          // a full-width space
        rows[2][c("exit_year")] = "2015.0"                      // a whole number with a point
        rows[2][c("head_name")] = " 赵七"
        XCTAssertTrue(rows[4][c("resident_id")].hasSuffix("X"))
        rows[4][c("resident_id")] = rows[4][c("resident_id")].lowercased()  // a lower-case x
        rows[4][c("income")] = "900"                            // 900.0 written as an integer
        let report = try importBothWays(csv(rows))
        requireSuccess(report)
        XCTAssertEqual([report.updated, report.unchanged, report.unchangedAtOnce], [0, 4, 4])

        // A value that differs is a change, found by the row's checks and written.
        rows[1][c("income")] = "2,300.51"
        rows[4][c("phone")] = "13700000001"
        let changed = try importBothWays(csv(rows))
        requireSuccess(changed)
        XCTAssertEqual([changed.updated, changed.unchanged, changed.unchangedAtOnce], [2, 2, 2])
        XCTAssertEqual(try register.queue.read { try Double.fetchOne($0, sql: "SELECT income FROM household WHERE id = 1") }, 2300.51)
    }

    /// An empty cell keeps the register's value: the row is unchanged, but it is checked on its own
    /// (only a row whose every value is the register's is taken at once).
    func testAnEmptyCellKeepsTheRegistersValue() throws {
        try seedHouseholds()
        var rows = try exported()
        let c = { (name: String) in rows[0].firstIndex(of: name)! }
        XCTAssertFalse(rows[1][c("phone")].isEmpty)
        rows[1][c("phone")] = ""
        rows[2][c("id")] = ""                                    // found by its resident ID instead
        let report = try importBothWays(csv(rows))
        requireSuccess(report)
        XCTAssertEqual([report.updated, report.unchanged, report.unchangedAtOnce], [0, 4, 2])
    }

    /// What looks across rows stays exact: a duplicate of an unchanged row, a changed row that
    /// takes an unchanged row's resident ID, a new row with it — the same problems on the same lines.
    func testDuplicatesOfUnchangedRowsAreReported() throws {
        try seedHouseholds()
        let rows = try exported()
        let c = { (name: String) in rows[0].firstIndex(of: name)! }
        let twice = try importBothWays(csv(rows + [rows[2]]))
        XCTAssertEqual(twice.problems.map(\.line), [6, 6])
        XCTAssertTrue(twice.problems[0].message.contains("is already on line 3"), twice.problems[0].description)

        var taken = rows
        taken[2][c("resident_id")] = rows[1][c("resident_id")]
        let report = try importBothWays(csv(taken))
        XCTAssertFalse(report.problems.isEmpty)
        XCTAssertEqual(Set(report.problems.map(\.line)), [3])

        // The same household again, found by its resident ID rather than its id: as every row
        // checked on its own finds, both rows name one register row and change nothing.
        var again = rows[1]
        again[c("id")] = ""
        let report2 = try importBothWays(csv(rows + [again]))
        requireSuccess(report2)
        XCTAssertEqual([report2.unchanged, report2.unchangedAtOnce], [5, 0], "a row that shares a key with an unchanged one: all rows checked")
        XCTAssertEqual(try count("household"), 4)
    }

    /// The register's row is not taken on trust: a value the register holds but import refuses (a
    /// resident ID whose check character is wrong, which the schema's CHECK lets by), or a masked
    /// cell equal to nothing, is reported as when every row is checked.
    func testTheRegistersOwnValuesAreStillChecked() throws {
        try seedHouseholds()
        let bad = String(Self.h2.dropLast()) + (Self.h2.last == "0" ? "1" : "0")
        try register.queue.write { db in
            try db.execute(sql: "UPDATE household SET resident_id = ? WHERE resident_id = ?", arguments: [bad, Self.h2])
        }
        let rows = try exported()
        let report = try importBothWays(csv(rows))
        XCTAssertEqual(report.problems.map(\.line), [3])
        XCTAssertTrue(report.problems[0].message.contains("check character"), report.problems[0].description)

        var masked = rows
        let c = rows[0].firstIndex(of: "resident_id")!
        masked[1][c] = Privacy.mask(rows[1][c])
        let maskedReport = try importBothWays(csv(masked))
        XCTAssertTrue(maskedReport.problems.contains { $0.line == 2 && $0.message.contains("is masked") },
                      maskedReport.problems.map(\.description).joined(separator: "\n"))
    }

    /// A file of changed rows stops looking for unchanged ones after a batch, and imports as before.
    func testAFileOfChangesIsUpdated() throws {
        try seedHouseholds()
        var rows = try exported()
        let c = rows[0].firstIndex(of: "members")!
        for i in 1..<rows.count { rows[i][c] = String(Int(rows[i][c])! + 1) }
        let report = try importBothWays(csv(rows))
        requireSuccess(report)
        XCTAssertEqual([report.updated, report.unchanged, report.unchangedAtOnce], [4, 0, 0])
    }

    /// The register ids of the unchanged rows, kept as ranges: in order, out of order, joined, twice.
    func testIDRangesKeepEachIDOnce() {
        var ranges = IDRanges()
        var set = Set<Int64>()
        var generator = SystemRandomNumberGenerator()
        let ids: [Int64] = Array(1...50) + [70, 60, 55, 52, 51, 53, 54, 56, 57, 58, 59, 61] + (0..<400).map { _ in Int64.random(in: 1...300, using: &generator) }
        for id in ids {
            XCTAssertEqual(ranges.insert(id), set.insert(id).inserted, "id \(id)")
        }
        let listed = zip(ranges.starts, ranges.ends).flatMap { Array($0...$1) }
        XCTAssertEqual(listed, set.sorted())
        XCTAssertTrue(zip(ranges.ends, ranges.starts.dropFirst()).allSatisfy { $0 + 1 < $1 }, "ranges neither overlap nor touch")
        var ordered = IDRanges()
        for id in Int64(1)...100_000 where id % 1000 != 0 { _ = ordered.insert(id) }
        XCTAssertEqual(ordered.starts.count, 100, "an export in id order is a few ranges")
    }
}
