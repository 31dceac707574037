import Foundation
import XCTest

/// `linkage export --check NAME`: the violations of a rule, as rows.
final class CheckExportTests: LinkageCLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LinkageScriptingTests/Fixtures/small-register.lua").path
        XCTAssertEqual(try linkage("--db", "test.db", "run", fixture).exitCode, 0)
        // One cadre links two households; one household is visited to the standard, one is not.
        _ = try evaluate("""
            local c = cadres:get(1)
            c:link(households:get(1), '2012-03-01') c:link(households:get(2), '2012-03-01')
            units:get(2):link(villages:get(1), '2012-03-01')
            for _, d in ipairs({ '2012-04-01', '2012-08-01' }) do
              db.exec("INSERT INTO visit (cadre_id, household_id, date, days, kind) VALUES (1, 1, ?, 4, 'visit')", d)
              db.exec("INSERT INTO visit (cadre_id, household_id, date, days, kind) VALUES (1, 1, ?, 1, 'talk')", d)
            end
            db.exec("INSERT INTO visit (cadre_id, household_id, date, days, kind) VALUES (1, 2, '2012-05-01', 2, 'visit')")
            """)
    }

    private func rows(_ check: String, _ extra: String...) throws -> [String] {
        let r = try LinkageProcess.run(["--db", "test.db", "export", "--check", check] + extra, in: directory, environment: nil, stdin: nil)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        return r.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty } // CSV lines end in CRLF
    }

    func testCoverageListsWhatTheQueryAPICallsUnlinked() throws {
        let coverage = try rows("coverage", "--as-of", "2012-06-30")
        XCTAssertEqual(coverage.first, "household_id,township,village,kind,head_name,resident_id")
        XCTAssertEqual(coverage.count - 1, 13)
        XCTAssertEqual(try evaluate("return households:unlinked('2012-06-30'):count()"), "13\n")
        XCTAssertFalse(coverage.contains { $0.hasPrefix("1,") || $0.hasPrefix("2,") })
        XCTAssertEqual(try rows("coverage", "--as-of", "2012-01-01").count - 1, 15, "before the links began")
        XCTAssertEqual(try rows("village_coverage", "--as-of", "2012-06-30").count - 1, 3)
    }

    func testVisitsBelowTheStandardAreListedWithWhatWasNeeded() throws {
        let visits = try rows("household_visits", "--year", "2012")
        XCTAssertEqual(visits, ["cadre_id,cadre,household_id,head_name,visits,need_visits,days,need_days,talks,need_talks",
                                "1,李明,2,户主2,1,2,2.0,7.0,0,2"])
        XCTAssertEqual(try rows("village_visits", "--year", "2012").dropFirst().first, "2,区财政局,1,窝驼村,0,4,0,30.0,0,2")
    }

    func testQuotasCompareLinksWithTheRoleTable() throws {
        let quotas = try rows("quotas", "--as-of", "2012-06-30")
        // 李明 (township_principal) links 2 rural households and no village: under the 1 village.
        XCTAssertTrue(quotas.contains("1,李明,太京镇人民政府,township_principal,under,2,2,0,0,0,1,0,0"), quotas.joined(separator: "\n"))
    }

    func testUnknownCheckIsAnInputError() throws {
        let r = try linkage("--db", "test.db", "export", "--check", "nope")
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertTrue(r.stderr.contains("unknown check 'nope'; the checks are coverage, village_coverage, quotas"), r.stderr)
    }
}
