import Foundation
import XCTest

/// `linkage check` and `linkage export --check NAME`: the findings of the rules engine, held
/// against hand-written SQL on a small register, and the exit codes cron relies on.
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

    /// CSV lines of the findings of one check (header first).
    private func rows(_ check: String, _ extra: String...) throws -> [String] {
        let r = try LinkageProcess.run(["--db", "test.db", "export", "--check", check] + extra, in: directory, environment: nil, stdin: nil)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        return r.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty } // CSV lines end in CRLF
    }

    private func count(_ sql: String) throws -> Int {
        Int(try sqlite3("test.db", sql).trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    func testCoverageFindsWhatHandWrittenSQLFinds() throws {
        let coverage = try rows("coverage", "--as-of", "2012-06-30")
        XCTAssertEqual(coverage.first, "check,severity,subject,area,expected,actual,message,subject_table,subject_id")
        let households = coverage.filter { $0.hasSuffix(",household,\($0.split(separator: ",").last!)") && $0.contains("no cadre linked") }
        XCTAssertEqual(households.count, try count("""
            SELECT count(*) FROM household h WHERE NOT (h.exit_year IS NOT NULL AND h.exit_year <= 2012 AND h.food_secure AND h.clothing_secure
                AND h.education_secured AND h.medical_secured AND h.housing_secured)
              AND NOT EXISTS (SELECT 1 FROM link l WHERE l.household_id = h.id AND l.cadre_id IS NOT NULL
                              AND l.start_date <= '2012-06-30' AND (l.end_date IS NULL OR l.end_date > '2012-06-30'))
            """))
        XCTAssertEqual(households.count, 13)
        XCTAssertEqual(try evaluate("return households:unlinked('2012-06-30'):count()"), "13\n")
        XCTAssertFalse(coverage.contains { $0.contains("household 1 ") || $0.contains("household 2 ") })
        XCTAssertEqual(try rows("coverage", "--as-of", "2012-01-01").count - 1 - 3 - 1, 15, "before the links began: 15 households, 4 villages")
        XCTAssertEqual(coverage.filter { $0.contains("no unit or leader linked") }.count, try count("""
            SELECT count(*) FROM village v WHERE NOT (v.kind = 'village' AND v.poor = 0)
              AND NOT EXISTS (SELECT 1 FROM link l WHERE l.village_id = v.id AND l.start_date <= '2012-06-30' AND (l.end_date IS NULL OR l.end_date > '2012-06-30'))
            """))
    }

    func testVisitsAreProRatedForALinkThatBeganInMarch() throws {
        let visits = try rows("visits", "--year", "2012")
        // Linked from 2012-03-01: 306 of 366 days, so 2 visits × 0.836 → 2, 7 days → 5.9, 2 talks → 2.
        XCTAssertTrue(visits.contains("visits,warning,cadre 1 李明 → household 2 户主2,太京镇 石咀村,\"2 visits, 5.9 days, 2 talks\",\"1 visits, 2.0 days, 0 talks\",\"short of the cadre-household standard (三到) from 2012-01-01 to 2012-12-31, pro-rated for 306 of 366 days linked\",link,2"),
                      visits.joined(separator: "\n"))
        XCTAssertFalse(visits.contains { $0.contains("→ household 1 ") }, "household 1 was visited to the standard")
        XCTAssertTrue(visits.contains { $0.hasPrefix("visits,warning,unit 2 区财政局 → village 1 窝驼村,太京镇,\"3 visits, 25.1 days, 2 publicity\",\"0 visits, 0.0 days, 0 publicity\"") },
                      visits.joined(separator: "\n"))
    }

    func testQuotasCompareLinksWithTheRuleInForce() throws {
        let quotas = try rows("quotas", "--as-of", "2012-06-30")
        // 李明 (township_principal) links 2 rural households and no village: under the 1 village.
        let line = "quotas,warning,cadre 1 李明,太京镇人民政府,\"villages 1, rural 2, communities 0, urban 0\",\"villages 0, rural 2, communities 0, urban 0\",township_principal: villages 0 < 1 (under),cadre,1"
        XCTAssertTrue(quotas.contains(line), quotas.joined(separator: "\n"))
        // A rule change from a day changes the findings from that day, with no code change.
        let set = try linkage("--db", "test.db", "rules", "set", "quota", "role=township_principal", "villages=0", "--from", "2012-06-01")
        XCTAssertEqual(set.exitCode, 0, "\(set)")
        XCTAssertFalse(try rows("quotas", "--as-of", "2012-06-30").contains { $0.contains("cadre 1 李明") })
        XCTAssertTrue(try rows("quotas", "--as-of", "2012-05-31").contains { $0.contains("cadre 1 李明") }, "the rule of May is kept")
        XCTAssertEqual(try count("SELECT count(*) FROM audit_change WHERE table_name = 'quota_rule'"), 2, "the change is audited")
    }

    /// 村医 added as an excluded category from 2013 on the command line: a script records a cadre
    /// under it (the same run may use the new category) and links it in 2012; the link is refused
    /// from 2013 and the staff check finds the held link from 2013 only — no change of code.
    func testAnExcludedCategoryFromADayChangesLinkRefusalsAndTheStaffCheck() throws {
        let set = try linkage("--db", "test.db", "rules", "set", "excluded", "category=village_doctor", "label=村医", "--from", "2013-01-01")
        XCTAssertEqual(set.exitCode, 0, "\(set)")
        XCTAssertTrue(try linkage("--db", "test.db", "rules", "excluded", "--as-of", "2012-06-30").stdout.contains("teacher"))
        XCTAssertFalse(try linkage("--db", "test.db", "rules", "excluded", "--as-of", "2012-06-30").stdout.contains("village_doctor"))
        XCTAssertTrue(try linkage("--db", "test.db", "rules", "excluded", "--as-of", "2013-06-30").stdout.contains("村医"))
        try write("doctor.lua", """
            rules.set('excluded', { category = 'midwife', label = '接生员', from = '2013-01-01' })
            local c = cadres:add{ unit = 2, name = '孙医生', excluded = 'village_doctor' }
            cadres:add{ unit = 2, name = '周接生员', excluded = 'midwife' }
            c:link(households:get(3), '2012-03-01')
            local ok, e = pcall(function () c:link(households:get(4), '2013-03-01') end)
            print(c.id, ok, e)
            """)
        let script = try linkage("--db", "test.db", "run", "doctor.lua")
        XCTAssertEqual(script.exitCode, 0, "\(script)")
        XCTAssertTrue(script.stdout.hasPrefix("6\tfalse\tdoctor.lua:5: 孙医生 (cadre 6) is village_doctor (村医, excluded category village_doctor since 2013-01-01)"), script.stdout)
        XCTAssertFalse(try rows("staff", "--as-of", "2012-12-31").contains { $0.contains("cadre 6 ") }, "in 2012 a village doctor may link")
        let staff2013 = try rows("staff", "--as-of", "2013-06-30")
        XCTAssertTrue(staff2013.contains { $0.hasPrefix("staff,error,cadre 6 孙医生,") && $0.contains("excluded staff (村医, village_doctor") },
                      staff2013.joined(separator: "\n"))
        // An unknown category is refused by the register with what to do, and writes nothing.
        let before = try sqlite3("test.db", "SELECT count(*) FROM cadre;")
        let bad = try linkage("--db", "test.db", "-e", "cadres:add{ unit = 2, name = '某', excluded = 'driver' }")
        XCTAssertNotEqual(bad.exitCode, 0)
        XCTAssertTrue(bad.stderr.contains("excluded must be one of teacher, medical, enterprise_staff, logistics, village_doctor, midwife"), bad.stderr)
        XCTAssertEqual(try sqlite3("test.db", "SELECT count(*) FROM cadre;"), before)
    }

    func testCheckExitsOneOnAnErrorAndSaysWhichYearItChecked() throws {
        let all = try linkage("--db", "test.db", "check", "--as-of", "2012-06-30")
        XCTAssertEqual(all.exitCode, 1, "households are uncovered: \(all)")
        XCTAssertTrue(all.stderr.contains("checked 2012 as of 2012-06-30"), all.stderr)
        XCTAssertTrue(all.stdout.contains("no cadre linked on 2012-06-30"), all.stdout)
        let visits = try linkage("--db", "test.db", "check", "--year", "2012", "--only", "visits,staff")
        XCTAssertEqual(visits.exitCode, 0, "warnings only: \(visits)")
        XCTAssertTrue(visits.stderr.contains("checked 2012 as of 2012-12-31 (visits, staff): 0 errors"), visits.stderr)
        let json = try linkage("--db", "test.db", "check", "--year", "2012", "--only", "visits", "--format", "json")
        XCTAssertTrue(json.stdout.contains("\"check\":\"visits\"") || json.stdout.contains("\"check\": \"visits\""), json.stdout)
    }

    func testACheckForAYearWithNoRulesIsRefused() throws {
        let r = try linkage("--db", "test.db", "check", "--year", "2011")
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertTrue(r.stderr.contains("are in force on 2011-12-31; the rules of"), r.stderr)
    }

    func testARefusedRuleChangeSaysWhyWhereAndWritesNothing() throws {
        let before = try sqlite3("test.db", "SELECT * FROM quota_rule ORDER BY id;")
        let bad = try linkage("--db", "test.db", "rules", "set", "quota", "role=nope", "villages=1", "rural_households=1",
                              "communities=0", "urban_households=0", "--from", "2013-01-01")
        XCTAssertEqual(bad.exitCode, 2)
        XCTAssertTrue(bad.stderr.contains("cannot set the quota rule for role = nope from 2013-01-01: CHECK constraint failed: role IN ("), bad.stderr)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, "one line: \(bad.stderr)")
        // In a script that catches the error, the row in force is not left ended: the change is all or nothing.
        try write("rule.lua", """
            local ok, e = pcall(rules.set, 'quota', { role = 'township_other', rural_households = -1, from = '2013-06-01' })
            print(ok, e)
            """)
        let script = try linkage("--db", "test.db", "run", "rule.lua")
        XCTAssertEqual(script.exitCode, 0, "\(script)")
        XCTAssertTrue(script.stdout.hasPrefix("false\trule.lua:1: cannot set the quota rule for role = township_other from 2013-06-01"), script.stdout)
        XCTAssertEqual(try sqlite3("test.db", "SELECT * FROM quota_rule ORDER BY id;"), before)
    }

    func testUnknownCheckIsAnInputError() throws {
        let r = try linkage("--db", "test.db", "export", "--check", "nope")
        XCTAssertEqual(r.exitCode, 2)
        XCTAssertTrue(r.stderr.contains("unknown check 'nope'; the checks are coverage, quotas, visits"), r.stderr)
        let c = try linkage("--db", "test.db", "check", "--only", "coverage,nope")
        XCTAssertEqual(c.exitCode, 2)
        XCTAssertTrue(c.stderr.contains("unknown check 'nope'"), c.stderr)
    }
}

/// One definition of coverage: docs/schema.md's example query, the query API and the check count
/// the same households on a partly linked sample district.
final class CoverageDefinitionTests: LinkageCLITestCase {
    func testTheSchemaExampleTheAPIAndTheCheckAgree() throws {
        XCTAssertEqual(try linkage("--db", "d.db", "sample", "--scale", "2000", "--linked", "partial").exitCode, 0)
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/schema.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        guard let start = text.range(of: "-- households not covered on 2012-12-31"),
              let select = text.range(of: "SELECT h.* FROM household h", range: start.upperBound..<text.endIndex),
              let end = text.range(of: ";", range: select.upperBound..<text.endIndex) else {
            return XCTFail("docs/schema.md has no coverage example")
        }
        let example = String(text[select.lowerBound..<end.lowerBound])
        let bySQL = Int(try sqlite3("d.db", "SELECT count(*) FROM (\(example));").trimmingCharacters(in: .whitespacesAndNewlines))!
        XCTAssertGreaterThan(bySQL, 100, "a partly linked district has uncovered households")
        XCTAssertEqual(try evaluate("return households:uncovered('2012-12-31'):count()", db: "d.db"), "\(bySQL)\n")
        XCTAssertEqual(try evaluate("return households:where{ covered = false }:count()", db: "d.db").isEmpty, false)
        XCTAssertEqual(try evaluate("linkage.as_of('2012-12-31') return households:where{ covered = false }:count()", db: "d.db"), "\(bySQL)\n")
        let check = try linkage("--db", "d.db", "check", "--as-of", "2012-12-31", "--only", "coverage", "--format", "csv")
        XCTAssertEqual(check.exitCode, 1)
        XCTAssertEqual(check.stdout.components(separatedBy: "\r\n").filter { $0.contains("no cadre linked") || $0.contains("before the target was met") }.count, bySQL)
    }
}

/// `linkage check` runs its checks on every core (ParallelReads.stream) and still writes what one
/// connection running them one by one writes: each check's findings in the checks' order.
final class ParallelCheckTests: LinkageCLITestCase {
    func testAllChecksTogetherWriteEachChecksFindingsInOrder() throws {
        XCTAssertEqual(try linkage("sample", "--db", "district.db", "--linked", "partial").exitCode, 0)
        let checks = ["coverage", "quotas", "visits", "actions", "outcomes", "problems", "staff"]
        for extra in [[], ["--as-of", "2012-06-30", "--severity", "warning"]] {
            let all = try linkage(["--db", "district.db", "check", "--year", "2012", "--format", "csv"] + extra)
            XCTAssertEqual(all.exitCode, 1, "uncovered households are errors: \(all.stderr)")
            var one = ""
            var counted = 0
            for check in checks {
                let r = try linkage(["--db", "district.db", "check", "--year", "2012", "--format", "csv", "--only", check] + extra)
                XCTAssertEqual(r.exitCode, check == "coverage" ? 1 : 0, "\(r.stderr)")
                let lines = r.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                counted += lines.count - 1
                one += lines.dropFirst().map { $0 + "\r\n" }.joined()
            }
            XCTAssertGreaterThan(counted, 1_000, "findings from most checks")
            XCTAssertGreaterThanOrEqual(Set(one.components(separatedBy: "\r\n").compactMap { $0.split(separator: ",").first.map(String.init) }).count, 4,
                           "most checks find something in a partly linked district")
            XCTAssertEqual(all.stdout, Check.header + one, "the same findings in the same order as each check alone, one after the other")
            let single = try linkage(["--db", "district.db", "check", "--year", "2012", "--format", "csv", "--jobs", "1"] + extra)
            XCTAssertEqual(single.stdout, all.stdout, "--jobs 1: one connection, the same findings")
            let summary = all.stderr.components(separatedBy: "\n").first { $0.contains("checked 2012") } ?? ""
            XCTAssertTrue(summary.contains("(coverage, quotas, visits, actions, outcomes, problems, staff)"), all.stderr)
        }
    }

    func testJobsMustBeBetweenOneAndSixtyFour() throws {
        for command in ["check", "report"] {
            let r = try linkage("--db", "test.db", command, "--jobs", "0")
            XCTAssertEqual(r.exitCode, 2, "\(r)")
            XCTAssertTrue(r.stderr.contains("--jobs must be between 1 and 64; got 0"), r.stderr)
        }
    }

    private enum Check { static let header = "check,severity,subject,area,expected,actual,message,subject_table,subject_id\r\n" }
}
