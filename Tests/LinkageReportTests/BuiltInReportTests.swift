import Foundation
import GRDB
import LinkageModel
import LinkageSample
@testable import LinkageReport
import XCTest

/// The sample district, generated once for the run.
enum ReportFixture {
    nonisolated(unsafe) private static var made: Register?
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-report-tests-\(getpid())")

    static func district() throws -> Register {
        if let made { return made }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("district.db").path
        try? FileManager.default.removeItem(atPath: path)
        let register = try Register(path: path)
        try SampleGenerator.generate(into: register, options: SampleOptions(scale: .district, seed: 1, linked: .partial))
        made = register
        return register
    }
}

/// Each built-in report's numbers against the checks and hand-written SQL on the sample district.
final class BuiltInReportTests: XCTestCase {
    let period = try! CheckPeriod(year: 2012, asOf: "2012-12-31")

    func report(_ name: String, area: String? = nil, period: CheckPeriod? = nil) throws -> Report {
        try ReportFixture.district().queue.read { db in
            try BuiltInReports.make(name, ReportContext(db: db, period: period ?? self.period, area: try area.map { try ReportContext.area(db, $0) }))
        }
    }

    func int(_ sql: String, _ args: StatementArguments = []) throws -> Int {
        try ReportFixture.district().queue.read { db in try Int.fetchOne(db, sql: sql, arguments: args)! }
    }

    func table(_ r: Report, _ section: Int, _ block: Int = 0) -> ReportTable? {
        guard section < r.sections.count, block < r.sections[section].blocks.count, case .table(let t) = r.sections[section].blocks[block] else { return nil }
        return t
    }

    func figures(_ r: Report) -> [KeyFigure] {
        guard case .figures(let f) = r.sections[0].blocks[0] else { return [] }
        return f
    }

    func findings(_ check: Check, _ p: CheckPeriod? = nil) throws -> [[SQLValue]] {
        try ReportFixture.district().queue.read { db in
            var out: [[SQLValue]] = []
            try Checks.findings(db, [check], p ?? period) { out.append($0) }
            return out
        }
    }

    func testCoverageCountsAgreeWithHandSQLAndTheCheck() throws {
        let p = try CheckPeriod(year: 2012, asOf: "2012-06-30")
        let r = try report("coverage", period: p)
        let t = try XCTUnwrap(table(r, 1))
        let totals = try XCTUnwrap(t.totals)
        XCTAssertEqual(t.rows.count, 23, "one row per township and subdistrict")
        XCTAssertEqual(totals[2], .integer(Int64(try int("SELECT count(*) FROM village WHERE kind = 'village' AND poor = 1"))))
        XCTAssertEqual(totals[8], .integer(Int64(try int("SELECT count(*) FROM household"))))
        let linked = try int("""
            SELECT count(*) FROM household AS h WHERE EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = h.id AND l.cadre_id IS NOT NULL
              AND l.start_date <= '2012-06-30' AND (l.end_date IS NULL OR l.end_date > '2012-06-30'))
            """)
        XCTAssertEqual(totals[9], .integer(Int64(linked)))
        // the uncovered are the coverage check's households and villages without a link
        let check = try findings(Checks.coverage, p).filter { $0[4] == .text("≥ 1 cadre") || $0[4] == .text("≥ 1 unit or leader") }
        XCTAssertEqual(totals[11].double + (totals[2].double - totals[3].double) + (totals[5].double - totals[6].double), Double(check.count))
        XCTAssertEqual(t.rows.map { $0[8].double }.reduce(0, +), totals[8].double, "the totals are the sum of the rows")
    }

    func testCoverageOfOneTownshipIsItsRowAndItsFindings() throws {
        let whole = try report("coverage")
        let town = try report("coverage", area: "太京镇")
        let row = try XCTUnwrap(table(whole, 1)?.rows.first { $0[0] == .text("太京镇") })
        XCTAssertEqual(table(town, 1)?.rows, [row])
        let listed = try XCTUnwrap(table(town, 2), "a partly linked district has uncovered households")
        XCTAssertFalse(listed.rows.isEmpty)
        XCTAssertTrue(listed.rows.allSatisfy { ValueText.text($0[1], .text).hasPrefix("太京镇") })
        XCTAssertThrowsError(try report("coverage", area: "太金镇")) { XCTAssertTrue("\($0)".contains("太京镇"), "nearest names: \($0)") }
    }

    func testVisitsComplianceIsTheVisitsChecksMeasure() throws {
        let r = try report("visits")
        let short = try findings(Checks.visits).count
        XCTAssertEqual(figures(r)[1].value, .integer(Int64(short)), "links short = the visits check's findings")
        let units = try XCTUnwrap(table(r, 1))
        XCTAssertEqual(units.rows.map { $0[1].double }.reduce(0, +) - units.rows.map { $0[2].double }.reduce(0, +), Double(short))
        let worst = try XCTUnwrap(table(r, 3))
        XCTAssertEqual(worst.rows.count, 20)
        XCTAssertLessThanOrEqual(worst.rows[0][4].double, worst.rows[19][4].double, "worst first")
    }

    func testQuotasCountCadresAsTheQuotasCheckDoes() throws {
        let r = try report("quotas")
        let totals = try XCTUnwrap(table(r, 1)?.totals)
        let cadreFindings = try findings(Checks.quotas).filter { ValueText.text($0[2], .text).hasPrefix("cadre ") }.count
        XCTAssertEqual(totals[5].double + totals[6].double + totals[7].double, Double(cadreFindings), "under + over + no rule = the check's cadres")
        XCTAssertEqual(totals[2], .integer(Int64(try int("SELECT count(*) FROM cadre WHERE role IS NOT NULL AND excluded IS NULL AND (left_on IS NULL OR left_on > '2012-12-31')"))))
    }

    func testOutcomesRatesAndExits() throws {
        let r = try report("outcomes")
        let totals = try XCTUnwrap(table(r, 1)?.totals)
        let all = try int("SELECT count(*) FROM household WHERE food_secure AND clothing_secure AND education_secured AND medical_secured AND housing_secured")
        let n = try int("SELECT count(*) FROM household")
        XCTAssertEqual(totals[7].double, Double(all) / Double(n), accuracy: 1e-12)
        XCTAssertEqual(totals[8], .integer(Int64(try int("SELECT count(*) FROM household WHERE exit_year <= 2012"))))
        guard case .chart(let exits) = r.sections[2].blocks[0] else { return XCTFail() }
        XCTAssertEqual(exits.series[0].values.reduce(0, +), Double(try int("SELECT count(*) FROM household WHERE exit_year <= 2012")))
        let industry = try findings(Checks.outcomes).filter { $0[4] == .text("≥ 1 industry project") }.count
        let projects = try XCTUnwrap(table(r, 3))
        XCTAssertEqual(projects.rows.map { $0[3].double }.reduce(0, +), Double(industry), "poor villages without a project = the outcomes check's")
    }

    func testProblemsStatesAsOfTheDay() throws {
        let r = try report("problems")
        let f = figures(r)
        XCTAssertEqual(f[0].value, .integer(Int64(try int("SELECT count(*) FROM problem WHERE reported_on <= '2012-12-31'"))))
        XCTAssertEqual(f[3].value, .integer(Int64(try int("SELECT count(*) FROM problem WHERE closed_on <= '2012-12-31'"))))
        XCTAssertEqual(f[1].value.double + f[2].value.double + f[3].value.double, f[0].value.double)
    }

    func testAssessmentScoresFollowTheWeightsInForce() throws {
        let r = try report("assessment")
        let cadres = try XCTUnwrap(table(r, 3))
        XCTAssertGreaterThan(cadres.rows.count, 100)
        // score = 100 × Σ w·part / Σ w over the parts present (weights 20, 15, 25, 25, 15)
        for row in cadres.rows.prefix(50) {
            let satisfaction: SQLValue = row[7].isNull ? .null : .real(row[7].double / 100)
            let parts: [(SQLValue, Double)] = [(row[3], 20), (row[4], 15), (row[5], 25), (row[6], 25), (satisfaction, 15)]
            let present = parts.filter { !$0.0.isNull }
            let weighted: Double = present.map { $0.0.double * $0.1 }.reduce(0, +)
            let weights: Double = present.map(\.1).reduce(0, +)
            let score = 100 * weighted / weights
            XCTAssertEqual(row[8].double, (score * 10).rounded() / 10, accuracy: 0.051, "\(row)")
            if row[8].double < 60 || (!row[7].isNull && row[7].double < 60) {
                XCTAssertEqual(row[9], .text("criticise"))
                XCTAssertEqual(row[10], .text("2013-01-30"), "deadline_days 30 after the day")
            }
        }
        XCTAssertGreaterThan(cadres.rows.filter { $0[9] == .text("commend") }.count, 0)
        // the headline counts every verdict, not only the lines shown
        let lines = try ReportFixture.district().queue.read { db in try Assessment.lines(db, period) }
        let counts = [Int64(lines.filter { $0.verdict == "commend" }.count), Int64(lines.filter { $0.verdict == "criticise" }.count)]
        XCTAssertEqual(figures(r)[2].value, .integer(counts[0]))
        XCTAssertEqual(figures(r)[3].value, .integer(counts[1]))
        XCTAssertGreaterThan(counts[1] as Int64, 0)
    }

    func testOverviewHoldsEachReportsHeadline() throws {
        let r = try report("overview")
        XCTAssertEqual(r.sections.count, BuiltInReports.all.count - 1)
        let coverage = try report("coverage")
        XCTAssertEqual(r.sections[0].blocks, [coverage.sections[0].blocks[0]])
    }
}
