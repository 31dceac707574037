import Foundation
import GRDB
import GRDBSQLite
import LinkageModel
@testable import LinkageReport
import XCTest

/// Reports read on several connections at once (ParallelReads) give what one connection gives,
/// and the assessment scored in Swift gives what one hand-written SQL statement gives.
final class ParallelReportTests: XCTestCase {
    let period = try! CheckPeriod(year: 2012, asOf: "2012-06-30")

    /// A register of its own (a copy of the report fixture), for the tests that write.
    func copy() throws -> Register {
        let to = ReportFixture.directory.appendingPathComponent("copy-\(UUID().uuidString).db").path
        try ReportFixture.district().queue.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [to]) }
        return try Register(path: to)
    }

    static let newProblem = """
        INSERT INTO problem (village_id, reported_by_unit_id, reported_on, description)
        SELECT id, (SELECT min(id) FROM unit), '2012-06-01', 'roof' FROM village LIMIT 1
        """

    func testJobsRunOnMoreThanOneConnectionWithTheSameResults() throws {
        let register = try ReportFixture.district()
        let jobs = (0..<6).map { i in { (db: Database) -> (Int, Int) in
            usleep(30_000) // long enough for the second connection to take a job
            return (Int(bitPattern: db.sqliteConnection), try Int.fetchOne(db, sql: "SELECT count(*) FROM link WHERE id % 6 = ?", arguments: [i])!)
        } }
        let (parallel, alone) = try register.queue.read { db in
            (try ParallelReads(width: 2, open: register.parallelReads.open).run(db, jobs), try jobs.map { try $0(db) })
        }
        XCTAssertEqual(Set(parallel.map(\.0)).count, 2, "two connections took jobs")
        XCTAssertEqual(parallel.map(\.1), alone.map(\.1), "results in the jobs' order")
        XCTAssertEqual(parallel.map(\.1).reduce(0, +), try register.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM link")! })
    }

    func testAWriteCommittedAfterTheFirstReadKeepsEveryJobOnTheFirstConnection() throws {
        let register = try copy()
        let other = try DatabaseQueue(path: register.path)
        let jobs = (0..<4).map { _ in { (db: Database) -> (Int, Int) in
            usleep(20_000)
            return (Int(bitPattern: db.sqliteConnection), try Int.fetchOne(db, sql: "SELECT count(*) FROM problem")!)
        } }
        let (results, before, first) = try register.queue.read { db -> ([(Int, Int)], Int, Int) in
            let before = try Int.fetchOne(db, sql: "SELECT count(*) FROM problem")!
            // another process reports a problem after this read began
            try other.write { w in
                try w.execute(sql: Self.newProblem)
            }
            return (try register.parallelReads.run(db, jobs), before, Int(bitPattern: db.sqliteConnection))
        }
        XCTAssertEqual(Set(results.map(\.0)), [first], "a connection that would read the newer state takes no job")
        XCTAssertEqual(results.map(\.1), Array(repeating: before, count: 4), "every job reads the state the first read saw")
    }

    func testAScriptsUncommittedChangesKeepEveryJobOnItsConnection() throws {
        let register = try copy()
        let jobs = (0..<4).map { _ in { (db: Database) -> Int in
            usleep(20_000)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM problem")!
        } }
        var results: [Int] = [], inside = 0
        try register.queue.inTransaction { db in
            try db.execute(sql: Self.newProblem)
            inside = try Int.fetchOne(db, sql: "SELECT count(*) FROM problem")!
            results = try register.parallelReads.run(db, jobs)
            return .rollback
        }
        XCTAssertEqual(results, Array(repeating: inside, count: 4), "the uncommitted problem is seen by every job")
    }

    func testTheVisitTallyInSlicesIsTheTallyInOne() throws {
        let register = try ReportFixture.district()
        let (sliced, whole, short) = try register.queue.read { db -> (VisitTally, VisitTally, Int) in
            var short = 0
            try Checks.findings(db, [Checks.visits], period) { _ in short += 1 }
            return (try VisitTally.read(db, period, parallel: register.parallelReads), try VisitTally.read(db, period), short)
        }
        XCTAssertEqual(sliced.all, whole.all)
        XCTAssertEqual(sliced.byCadre, whole.byCadre)
        XCTAssertEqual(sliced.byUnit, whole.byUnit)
        XCTAssertEqual(sliced.byUnitOwn, whole.byUnitOwn)
        XCTAssertEqual(sliced.byArea, whole.byArea)
        XCTAssertGreaterThan(whole.all.links, 1000)
        XCTAssertEqual(Int(whole.all.links - whole.all.met), short, "links short = the visits check's findings")
    }

    func testEveryReportIsTheSameReadInParallel() throws {
        let register = try ReportFixture.district()
        for entry in BuiltInReports.all {
            let (parallel, alone) = try register.queue.read { db in
                (try BuiltInReports.make(entry.name, ReportContext(db: db, period: period, parallel: register.parallelReads)),
                 try BuiltInReports.make(entry.name, ReportContext(db: db, period: period)))
            }
            XCTAssertEqual(HTMLReport.render(parallel), HTMLReport.render(alone), entry.name)
        }
    }

    func testTheAssessmentIsTheHandWrittenStatements() throws {
        let register = try ReportFixture.district()
        let (lines, rows) = try register.queue.read { db in
            (try Assessment.lines(db, period, parallel: register.parallelReads), try period.rows(db, Self.sql))
        }
        XCTAssertEqual(lines.count, rows.count)
        XCTAssertGreaterThan(lines.count, 500)
        for (line, row) in zip(lines, rows) {
            XCTAssertEqual(line.kind, row["kind"])
            XCTAssertEqual(line.id, row["id"])
            XCTAssertEqual(line.name, row["name"])
            XCTAssertEqual(line.unit, row["unit"])
            let parts: [(Double?, String)] = [(line.coverage, "coverage"), (line.quota, "quota"), (line.visits, "visits"), (line.outcomes, "outcomes"), (line.satisfaction, "satisfaction")]
            for (value, column) in parts {
                let expected: Double? = row[column]
                XCTAssertEqual(value == nil, expected == nil, "\(line.kind) \(line.id) \(column)")
                if let value, let expected { XCTAssertEqual(value, expected, accuracy: 1e-9, "\(line.kind) \(line.id) \(column)") }
            }
            XCTAssertEqual(line.score, row["score"], "\(line.kind) \(line.id)")
            XCTAssertEqual(line.rank, row["rank"])
            XCTAssertEqual(line.ranked, row["ranked"])
            XCTAssertEqual(line.verdict, row["verdict"])
            XCTAssertEqual(line.deadline, row["deadline"])
        }
    }

    /// The assessment as one SQL statement, as it was written before it was split to run on
    /// several connections: the oracle the Swift scoring is held to.
    static var sql: String {
        let load = Quota.cadreLoad(on: "?1")
        let letters = Quota.Category.allCases.map(\.letter)
        let parts = Assessment.parts
        let held = letters.map { "min(h\($0), q\($0))" }.joined(separator: " + ")
        let most = letters.map { "max(h\($0), q\($0))" }.joined(separator: " + ")
        let quota = letters.map { "q\($0)" }.joined(separator: " + ")
        let secure = DomainFilter.securityItems.map { "h.\($0.column) = 1" }.joined(separator: " AND ")
        func weight(_ item: String) -> String { "max(CASE r.item WHEN '\(item)' THEN r.value END)" }
        let weighted = parts.map { "CASE WHEN ratios.\($0) IS NOT NULL THEN w.w_\($0) END" }
        return """
            WITH w AS MATERIALIZED (
                SELECT \(parts.map { "\(weight("weight_" + $0)) AS w_\($0)" }.joined(separator: ", ")),
                       \(weight("pass_score")) AS pass, \(weight("satisfaction_floor")) AS floor,
                       \(weight("commend_share")) AS share, \(weight("deadline_days")) AS days
                FROM assessment_rule AS r WHERE \(RuleBook.inForce("r", on: "?1"))),
            load AS MATERIALIZED (\(load)),
            m AS (\(Checks.visitMeasures)),
            vis AS (SELECT actor, actor_id, count(*) AS n, sum(met) AS met FROM m GROUP BY actor, actor_id),
            hh AS (SELECT l.cadre_id AS id, count(*) AS n, count(CASE WHEN \(secure) THEN 1 END) AS secure,
                          sum(s.score) AS sat, count(s.score) AS surveyed
                   FROM link AS l JOIN household AS h ON h.id = l.household_id
                   LEFT JOIN survey AS s ON s.household_id = h.id AND s.year = CAST(substr(?2, 1, 4) AS INTEGER)
                   WHERE l.cadre_id IS NOT NULL AND \(DomainFilter.activeLink("l", on: "?1"))
                   GROUP BY l.cadre_id),
            -- numerators and denominators, so a unit adds up its cadres' and its own
            cadres AS (
                SELECT load.id, load.name, load.unit_id,
                       CASE WHEN load.rule IS NOT NULL THEN \(held) END AS cov_n, CASE WHEN load.rule IS NOT NULL THEN \(quota) END AS cov_d,
                       CASE WHEN load.rule IS NOT NULL THEN \(most) END AS quo_d,
                       vis.met AS vis_n, vis.n AS vis_d, hh.secure AS out_n, hh.n AS out_d, hh.sat AS sat_n, hh.surveyed AS sat_d
                FROM load
                LEFT JOIN vis ON vis.actor = 'cadre' AND vis.actor_id = load.id
                LEFT JOIN hh ON hh.id = load.id),
            units AS (
                SELECT u.id, u.name,
                       coalesce(sum(c.cov_n), 0) + CASE WHEN \(Quota.unitFixed("ul")) THEN min(ul.held, ul.quota) ELSE 0 END AS cov_n,
                       coalesce(sum(c.cov_d), 0) + CASE WHEN \(Quota.unitFixed("ul")) THEN ul.quota ELSE 0 END AS cov_d,
                       coalesce(sum(c.quo_d), 0) + CASE WHEN \(Quota.unitFixed("ul")) THEN max(ul.held, ul.quota) ELSE 0 END AS quo_d,
                       coalesce(sum(c.vis_n), 0) + coalesce(uv.met, 0) AS vis_n, coalesce(sum(c.vis_d), 0) + coalesce(uv.n, 0) AS vis_d,
                       sum(c.out_n) AS out_n, sum(c.out_d) AS out_d, sum(c.sat_n) AS sat_n, sum(c.sat_d) AS sat_d
                FROM unit AS u
                JOIN (\(Quota.unitLoad(on: "?1"))) AS ul ON ul.id = u.id
                LEFT JOIN cadres AS c ON c.unit_id = u.id
                LEFT JOIN vis AS uv ON uv.actor = 'unit' AND uv.actor_id = u.id
                GROUP BY u.id),
            ratios AS (
                SELECT 'unit' AS kind, id, name, name AS unit,
                       cov_n * 1.0 / nullif(cov_d, 0) AS coverage, cov_n * 1.0 / nullif(quo_d, 0) AS quota,
                       vis_n * 1.0 / nullif(vis_d, 0) AS visits, out_n * 1.0 / nullif(out_d, 0) AS outcomes,
                       sat_n * 1.0 / nullif(sat_d, 0) AS satisfaction
                FROM units
                UNION ALL
                SELECT 'cadre', c.id, c.name, (SELECT name FROM unit WHERE id = c.unit_id),
                       cov_n * 1.0 / nullif(cov_d, 0), cov_n * 1.0 / nullif(quo_d, 0),
                       vis_n * 1.0 / nullif(vis_d, 0), out_n * 1.0 / nullif(out_d, 0), sat_n * 1.0 / nullif(sat_d, 0)
                FROM cadres AS c),
            scored AS (
                SELECT ratios.*,
                       round(100.0 * (\(parts.map { "coalesce(w.w_\($0) * ratios.\($0)\($0 == "satisfaction" ? " / 100.0" : ""), 0)" }.joined(separator: " + ")))
                             / nullif(\(weighted.map { "coalesce(\($0), 0)" }.joined(separator: " + ")), 0), 1) AS score
                FROM ratios, w),
            ranked AS (
                SELECT scored.*, rank() OVER (PARTITION BY kind ORDER BY score DESC) AS rank,
                       count(score) OVER (PARTITION BY kind) AS ranked
                FROM scored)
            SELECT kind, id, name, unit, coverage, quota, visits, outcomes, satisfaction, score, rank, ranked,
                   CASE WHEN score < w.pass OR satisfaction < w.floor THEN 'criticise'
                        WHEN score IS NOT NULL AND rank <= CAST(round(w.share * ranked) AS INTEGER) THEN 'commend'
                        ELSE '' END AS verdict,
                   CASE WHEN score < w.pass OR satisfaction < w.floor THEN date(?1, '+' || CAST(w.days AS INTEGER) || ' days') END AS deadline
            FROM ranked, w
            WHERE score IS NOT NULL
            ORDER BY kind DESC, score DESC, id
            """
    }
}
