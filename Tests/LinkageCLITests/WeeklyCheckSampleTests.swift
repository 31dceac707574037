import Foundation
import XCTest

/// samples/checks/weekly.lua: what a district office schedules — exit 1 on an error finding, the
/// findings in a workbook.
final class WeeklyCheckSampleTests: LinkageCLITestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private var weekly: String { Self.root.appendingPathComponent("samples/checks/weekly.lua").path }

    func testUncoveredHouseholdsFailTheWeekAndEveryFindingIsInTheWorkbook() throws {
        let fixture = Self.root.appendingPathComponent("Tests/LinkageScriptingTests/Fixtures/small-register.lua").path
        XCTAssertEqual(try linkage("--db", "test.db", "run", fixture).exitCode, 0)
        let r = try linkage("--db", "test.db", "run", "--read-only", weekly, "2012-06-30", "week.xlsx")
        XCTAssertEqual(r.exitCode, 1, "\(r)")
        XCTAssertTrue(r.stdout.hasPrefix("Weekly check on 2012-06-30 (visits and activities of 2012 so far): 21 errors"), r.stdout)
        XCTAssertTrue(r.stdout.contains("household 3 户主3: no cadre linked on 2012-06-30"), r.stdout)
        let findings = Int(r.stdout.components(separatedBy: "\n").first { $0.hasSuffix("findings written to week.xlsx") }?.split(separator: " ").first ?? "") ?? -1
        let workbook = try Data(contentsOf: directory.appendingPathComponent("week.xlsx"))
        XCTAssertEqual(Array(workbook.prefix(2)), [0x50, 0x4B], "an XLSX (zip) file")
        let all = try linkage("--db", "test.db", "check", "--as-of", "2012-06-30", "--format", "csv")
        XCTAssertEqual(all.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count - 1, findings, "the workbook holds what linkage check finds")
    }

    func testAFullyLinkedDistrictPassesTheWeek() throws {
        XCTAssertEqual(try linkage("sample", "--db", "district.db").exitCode, 0)
        let r = try linkage("--db", "district.db", "run", "--read-only", weekly, "2012-12-31", "week.xlsx")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains(": 0 errors,"), r.stdout)
    }
}
