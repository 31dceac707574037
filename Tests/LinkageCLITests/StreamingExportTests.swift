import Foundation
import XCTest

/// CSV and JSON exports are written row by row (RowWriter): the same bytes as before, and a query
/// that fails part-way leaves no half-written file.
final class StreamingExportTests: SmallRegisterTestCase {
    func testAQueryThatFailsPartWayLeavesNoFile() throws {
        let r = try linkage("--db", "test.db", "export", "--sql", "SELECT id, CASE WHEN id > 5 THEN json('not json') ELSE id END AS x FROM household ORDER BY id", "-o", "part.csv")
        XCTAssertEqual(r.exitCode, 2, "\(r)")
        XCTAssertTrue(r.stderr.contains("malformed JSON"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.appendingPathComponent("part.csv").path), "no half-written export")
    }

    func testStreamedCSVAndJSONAreWhatTheWholeTableWriters() throws {
        let csv = try linkage("--db", "test.db", "export", "household")
        XCTAssertEqual(csv.exitCode, 0)
        let lines = csv.stdout.components(separatedBy: "\r\n")
        XCTAssertEqual(lines.count, 15 + 2, "a header, 15 households and the last CRLF")
        XCTAssertTrue(lines[1].contains("620502********"), "masked unless --show-pii: \(lines[1])")
        let json = try linkage("--db", "test.db", "export", "household", "--format", "json", "--show-pii")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.count, 15)
        XCTAssertEqual(parsed?.first?["resident_id"] as? String, "620502197001010014")
        let empty = try linkage("--db", "test.db", "export", "--sql", "SELECT * FROM household WHERE 0", "--format", "json")
        XCTAssertEqual(empty.stdout, "[]\n")
    }
}
