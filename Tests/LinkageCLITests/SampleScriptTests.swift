import Foundation
import XCTest

/// The scripts in samples/, run by the real binary against a small register.
final class SampleScriptTests: LinkageCLITestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private func sample(_ name: String) -> String { Self.root.appendingPathComponent("samples/\(name)").path }

    override func setUpWithError() throws {
        try super.setUpWithError()
        let fixture = Self.root.appendingPathComponent("Tests/LinkageScriptingTests/Fixtures/small-register.lua").path
        XCTAssertEqual(try linkage("--db", "test.db", "run", fixture).exitCode, 0)
    }

    func testQinzhouAreasAddsTheTwentyThreeAreasOnce() throws {
        let fresh = try linkage("--db", "fresh.db", "run", sample("qinzhou-areas.lua"))
        XCTAssertEqual(fresh.stdout, "added 23 areas; the register has 23\n", "\(fresh)")
        XCTAssertEqual(try linkage("--db", "fresh.db", "run", sample("qinzhou-areas.lua")).stdout, "added 0 areas; the register has 23\n")
    }

    func testHelloOnTheSampleDistrictShowsCoverageAndRules() throws {
        XCTAssertEqual(try linkage("sample", "--db", "district.db", "--linked", "partial").exitCode, 0)
        let hello = try linkage("--db", "district.db", "run", sample("hello.lua"), "2012-12-31")
        XCTAssertEqual(hello.exitCode, 0, "\(hello)")
        XCTAssertTrue(hello.stdout.hasPrefix("Register on 2012-12-31: 23 areas, 214 poor villages, 41 communities, 7790 households"), hello.stdout)
        XCTAssertTrue(hello.stdout.contains("太京镇"), hello.stdout)
        XCTAssertTrue(hello.stdout.contains("principal_leader"), hello.stdout)
        XCTAssertTrue(hello.stdout.contains("at least 4 visit, together at least 30 days"), hello.stdout)
    }

    func testUnlinkedHouseholdsFailsUntilEveryHouseholdIsLinked() throws {
        let before = try linkage("--db", "test.db", "run", sample("unlinked-households.lua"), "玉泉镇", "2012-06-30")
        XCTAssertEqual(before.exitCode, 1, "\(before)")
        XCTAssertTrue(before.stdout.hasPrefix("玉泉镇, 2012-06-30: 4 of 4 households have no linked cadre"), before.stdout)
        XCTAssertTrue(before.stdout.contains("620502********"), "resident IDs are masked: \(before.stdout)")
        // Four households for a cadre whose quota is one: allowed on purpose (a warning each).
        _ = try evaluate("for h in households:where{ township = '玉泉镇' } do cadres:get(3):link(h, { since = '2012-03-01', allow_over_quota = true }) end")
        let after = try linkage("--db", "test.db", "run", sample("unlinked-households.lua"), "玉泉镇", "2012-06-30")
        XCTAssertEqual(after.exitCode, 0, "\(after)")
        XCTAssertEqual(try linkage("--db", "test.db", "run", sample("unlinked-households.lua")).exitCode, 2)
    }

    func testLinkCadreAndHandover() throws {
        let link = try linkage("--db", "test.db", "run", sample("link-cadre.lua"), "李明", "620502197001010014", "2012-03-01")
        XCTAssertEqual(link.stdout, "李明 (太京镇人民政府) now links 户主1 of 窝驼村 since 2012-03-01\n", "\(link)")
        let teacher = try linkage("--db", "test.db", "run", sample("link-cadre.lua"), "刘老师", "620502197001010014")
        XCTAssertEqual(teacher.exitCode, 1)
        XCTAssertTrue(teacher.stderr.contains("link-cadre.lua:15: 刘老师 (cadre 4) is a teacher"), teacher.stderr)
        let preview = try linkage("--db", "test.db", "run", "--dry-run", sample("handover.lua"), "李明", "王芳", "2012-09-01", "调离")
        XCTAssertTrue(preview.stdout.contains("link: 1 inserted, 1 updated, 0 deleted"), "\(preview)")
        XCTAssertEqual(try evaluate("return links:where{ end_date = { null = false } }:count()"), "0\n", "the preview changed nothing")
        let done = try linkage("--db", "test.db", "run", sample("handover.lua"), "李明", "王芳", "2012-09-01", "调离")
        XCTAssertEqual(done.stdout, "李明 handed 1 links to 王芳 on 2012-09-01 (调离)\n  households: 户主1\n", "\(done)")
        XCTAssertEqual(try evaluate("return households:get(1):cadres('2012-09-01'):first().name, households:get(1):cadres('2012-08-31'):first().name"), "王芳\t李明\n")
    }

    /// The lines of `linkage check`'s table below its header: one per finding.
    private func findings(_ table: String) -> [String] {
        Array(table.split(separator: "\n").map(String.init).dropFirst(2))
    }

    func testAssignAllCoversADistrictWithNoLinksAndMeetsEveryQuota() throws {
        XCTAssertEqual(try linkage("sample", "--db", "none.db", "--linked", "none").exitCode, 0)
        let run = try linkage("--db", "none.db", "run", sample("assign_all.lua"), "2012-03-01")
        XCTAssertEqual(run.exitCode, 0, "\(run)")
        XCTAssertTrue(run.stdout.contains(" links proposed for 2012-03-01: 214 poor villages, "), run.stdout)
        XCTAssertTrue(run.stdout.contains("\nuncovered: none\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("\nmade "), run.stdout)
        for day in ["2012-03-01", "2012-12-31"] {
            let check = try linkage("--db", "none.db", "check", "--only", "coverage,quotas", "--as-of", day)
            XCTAssertEqual(check.exitCode, 0, "\(check)")
            XCTAssertEqual(findings(check.stdout), [], check.stdout)
            XCTAssertTrue(check.stderr.contains("0 errors, 0 warnings"), check.stderr)
        }
    }

    func testAssignCustomGivesSkillsHouseholdsToTheAgricultureBureausFirst() throws {
        XCTAssertEqual(try linkage("sample", "--db", "none.db", "--linked", "none").exitCode, 0)
        let run = try linkage("--db", "none.db", "run", sample("assign_custom.lua"), "2012-03-01")
        XCTAssertEqual(run.exitCode, 0, "\(run)")
        XCTAssertTrue(run.stdout.hasPrefix("缺技术: "), run.stdout)
        XCTAssertTrue(run.stdout.contains("区农业局"), run.stdout)
        let agronomists = "SELECT c.id FROM cadre c JOIN unit u ON u.id = c.unit_id WHERE u.name LIKE '%农业局' OR u.name LIKE '%农业技术推广中心'"
        let toSkills = try sqlite3("none.db", "SELECT count(*) FROM link l JOIN household h ON h.id = l.household_id WHERE h.main_cause = '缺技术' AND l.cadre_id IN (\(agronomists))")
        let toOthers = try sqlite3("none.db", "SELECT count(*) FROM link l JOIN household h ON h.id = l.household_id WHERE h.main_cause <> '缺技术' AND l.cadre_id IN (\(agronomists))")
        let places = try sqlite3("none.db", "SELECT sum(q.rural_households + q.urban_households) FROM cadre c JOIN quota_rule q ON q.role = c.role WHERE c.excluded IS NULL AND c.id IN (\(agronomists))")
        XCTAssertEqual(toSkills, places, "every place of the agriculture cadres goes to a 缺技术 household")
        XCTAssertEqual(toOthers, "0\n")
        let check = try linkage("--db", "none.db", "check", "--only", "coverage,quotas", "--as-of", "2012-03-01")
        XCTAssertEqual(check.exitCode, 0, "\(check)")
        XCTAssertEqual(findings(check.stdout), [], check.stdout)
    }

    func testProblemsGoesFromReportToClosingAndStopsAtTheFirstMistake() throws {
        let args = [sample("problems.lua"), "李明", "620502197001010014", "2012-05-01"]
        let preview = try LinkageProcess.run(["--db", "test.db", "run", "--dry-run"] + args, in: directory, environment: nil, stdin: nil)
        XCTAssertTrue(preview.stdout.contains("problem: 1 inserted, 2 updated, 0 deleted"), "\(preview)")
        XCTAssertTrue(preview.stdout.contains("problem_followup: 1 inserted, 0 updated, 0 deleted"), "\(preview)")
        XCTAssertEqual(try evaluate("return problems:count()"), "0\n", "the preview changed nothing")
        let done = try LinkageProcess.run(["--db", "test.db", "run"] + args, in: directory, environment: nil, stdin: nil)
        XCTAssertEqual(done.stdout, """
            李明 reported problem 1 about 户主1 on 2012-05-01
              escalated to the office on 2012-05-08
              followed up on 2012-05-15: 区住建局已入户勘察
              closed on 2012-05-31: 纳入当年危房改造计划
            0 problems in the register are still open

            """, "\(done)")
        let bad = try linkage("--db", "test.db", "run", sample("problems.lua"), "李明", "620502197001010014", "2012-5-1")
        XCTAssertEqual(bad.exitCode, 1)
        XCTAssertTrue(bad.stderr.contains("problems.lua:23: on must be a date written YYYY-MM-DD"), bad.stderr)
        XCTAssertEqual(try evaluate("return problems:count()"), "1\n")
    }

    func testFixColumnFromCSVIsAllOrNothing() throws {
        _ = try write("incomes.csv", "\u{FEFF}resident_id,income\r\n620502197001010014,3100\r\n\"620502197001010022\",2900.5\r\n")
        let ok = try linkage("--db", "test.db", "run", sample("fix-column-from-csv.lua"), "incomes.csv", "income")
        XCTAssertEqual(ok.stdout, "incomes.csv: set income of 2 households\n", "\(ok)")
        XCTAssertEqual(try evaluate("return households:get(1).income, households:get(2).income"), "3100.0\t2900.5\n")
        _ = try write("bad.csv", "resident_id,income\n620502197001010030,5000\n620502197001010049,lots\n")
        let bad = try linkage("--db", "test.db", "run", sample("fix-column-from-csv.lua"), "bad.csv", "income")
        XCTAssertEqual(bad.exitCode, 1)
        XCTAssertTrue(bad.stderr.contains("bad.csv:3:2: "), bad.stderr)
        XCTAssertTrue(bad.stderr.contains("income is a number, not 'lots'"), bad.stderr)
        XCTAssertEqual(try evaluate("return households:get(3).income"), "1450.0\n", "the good row before the bad one was not kept")
    }
}
