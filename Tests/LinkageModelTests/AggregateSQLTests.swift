import Foundation
import GRDB
import XCTest
@testable import LinkageModel
@testable import LinkageSample

/// aggregate and pivot SQL, run on the sample district (7,790 households) and compared with
/// GROUP BY written by hand.
final class AggregateSQLTests: XCTestCase {
    override class func tearDown() { SampleFixtures.release() }

    private let households = Query(Catalog.collection("households")!)
    private let byTownship = """
        FROM household AS h JOIN village AS v ON v.id = h.village_id JOIN area AS a ON a.id = v.area_id
        """

    private func rows(_ db: Database, _ sql: BoundSQL) throws -> [[DatabaseValue]] {
        try Row.fetchAll(db, sql: sql.text, arguments: StatementArguments(sql.arguments.map(\.databaseValue))).map { Array($0.databaseValues) }
    }

    private func rows(_ db: Database, _ sql: String) throws -> [[DatabaseValue]] {
        try Row.fetchAll(db, sql: sql).map { Array($0.databaseValues) }
    }

    /// Equal rows, numbers to 1e-9 (an average summed in another order may differ in its last bits).
    private func assertSame(_ a: [[DatabaseValue]], _ b: [[DatabaseValue]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "row count", file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.count, y.count, file: file, line: line)
            for (u, v) in zip(x, y) {
                if let p = number(u), let q = number(v) {
                    XCTAssertEqual(p, q, accuracy: 1e-9 * max(1, abs(q)), "\(x) vs \(y)", file: file, line: line)
                } else {
                    XCTAssertEqual(u, v, "\(x) vs \(y)", file: file, line: line)
                }
            }
        }
    }

    private func number(_ v: DatabaseValue) -> Double? {
        switch v.storage {
        case .int64(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    func testGroupByTownshipAndCauseIsTheHandWrittenGroupBy() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            let schema = try SchemaCatalog(db)
            let sql = try SQLGenerator(schema: schema, query: households.grouped(by: ["township", "main_cause"])).aggregated([
                try Aggregate("households", .count), try Aggregate("income", .avg, of: "income"),
                try Aggregate("members", .sum, of: "members"), try Aggregate("villages", .count_distinct, of: "village"),
                try Aggregate("poorest", .min, of: "income"), try Aggregate("largest", .max, of: "members"),
                try Aggregate("with_income", .count, of: "income"),
            ])
            XCTAssertTrue(sql.text.hasSuffix("GROUP BY 1, 2 ORDER BY 1, 2"), sql.text)
            let got = try rows(db, sql)
            let expected = try rows(db, """
                SELECT a.name, h.main_cause, count(*), avg(h.income), sum(h.members), count(DISTINCT h.village_id),
                       min(h.income), max(h.members), count(h.income)
                \(byTownship) GROUP BY a.name, h.main_cause ORDER BY a.name, h.main_cause
                """)
            XCTAssertGreaterThan(expected.count, 100, "23 areas × up to 12 causes")
            assertSame(got, expected)
            // Every household counted once.
            XCTAssertEqual(got.reduce(0) { $0 + (Int.fromDatabaseValue($1[2]) ?? 0) }, try Int.fetchOne(db, sql: "SELECT count(*) FROM household"))

            // No group_by: one row over every row of the query.
            let all = try SQLGenerator(schema: schema, query: households.filtered(.compare(path: "kind", .eq, .text("urban"))))
                .aggregated([try Aggregate("n", .count), try Aggregate("income", .sum, of: "income")])
            assertSame(try rows(db, all), try rows(db, "SELECT count(*), sum(income) FROM household WHERE kind = 'urban'"))
        }
    }

    func testWhereHavingOrderAndLimitApplyToTheGroups() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            let schema = try SchemaCatalog(db)
            let query = households.filtered(.compare(path: "kind", .eq, .text("rural")))
                .grouped(by: ["village.name", "attribute"])
                .having("households", .ge, .integer(3)).having("income", .lt, .integer(3000))
                .ordered(by: "households", descending: true).limited(10).offset(by: 2)
            let sql = try SQLGenerator(schema: schema, query: query).aggregated([try Aggregate("households", .count), try Aggregate("income", .avg, of: "income")])
            XCTAssertTrue(sql.text.contains("HAVING count(*) >= ? AND avg(household.income) < ?"), "by expression, not by a name that is also a column: \(sql.text)")
            XCTAssertTrue(sql.text.hasSuffix("ORDER BY 3 DESC, 1, 2 LIMIT 10 OFFSET 2"), sql.text)
            let expected = try rows(db, """
                SELECT v.name, h.attribute, count(*) AS n, avg(h.income) FROM household AS h JOIN village AS v ON v.id = h.village_id
                WHERE h.kind = 'rural' GROUP BY v.name, h.attribute HAVING count(*) >= 3 AND avg(h.income) < 3000
                ORDER BY n DESC, v.name, h.attribute LIMIT 10 OFFSET 2
                """)
            XCTAssertEqual(expected.count, 10)
            assertSame(try rows(db, sql), expected)
        }
    }

    func testPivotCellsAndTotalsAreTheGroupByAndItsSums() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            let schema = try SchemaCatalog(db)
            let rural = households.filtered(.compare(path: "kind", .eq, .text("rural")))
            let g = SQLGenerator(schema: schema, query: rural)
            for (function, field, hand) in [(Aggregate.Function.count, nil as String?, "count(*)"), (.sum, "income", "sum(h.income)"),
                                            (.avg, "income", "avg(h.income)"), (.min, "members", "min(h.members)"),
                                            (.max, "income", "max(h.income)"), (.count_distinct, "village", "count(DISTINCT h.village_id)")] {
                let pivot = Pivot(rows: "township", columns: "main_cause", value: try Aggregate("value", function, of: field))
                let causes = try rows(db, try g.pivotColumns(pivot)).map { $0[0] }
                XCTAssertEqual(causes, try rows(db, "SELECT DISTINCT main_cause FROM household WHERE kind = 'rural' ORDER BY 1").map { $0[0] })
                let table = try rows(db, try g.pivot(pivot, columns: causes.map { SQLValue.text(String.fromDatabaseValue($0)!) }))
                let where_ = "WHERE h.kind = 'rural'"
                // The cells and the total column: the hand-written GROUP BY per township, cause by cause.
                let cells = try rows(db, "SELECT a.name, h.main_cause, \(hand) \(byTownship) \(where_) GROUP BY 1, 2")
                let totals = try rows(db, "SELECT a.name, \(hand) \(byTownship) \(where_) GROUP BY 1 ORDER BY 1")
                XCTAssertEqual(table.count, totals.count + 1, "\(function): a row per township and the total row")
                for (row, total) in zip(table, totals) {
                    let expected = [row[0]] + causes.map { cause in
                        cells.first { $0[0] == row[0] && $0[1] == cause }?[2] ?? (function == .count || function == .count_distinct ? 0.databaseValue : .null)
                    } + [total[1]]
                    assertSame([row], [expected])
                }
                // The total row: per cause over every township, and the grand total over every row.
                let byCause = try rows(db, "SELECT h.main_cause, \(hand) FROM household AS h \(where_) GROUP BY 1 ORDER BY 1")
                let grand = try rows(db, "SELECT \(hand) FROM household AS h \(where_)")[0][0]
                assertSame([table.last!], [["合计".databaseValue] + byCause.map { $0[1] } + [grand]])
                if function == .count || function == .sum {
                    // and for counts and sums, the sums of the cells
                    for i in 1...causes.count + 1 {
                        let sum = table.dropLast().reduce(0.0) { $0 + (number($1[i]) ?? 0) }
                        XCTAssertEqual(sum, number(table.last![i]) ?? 0, accuracy: 1e-6 * sum, "\(function), column \(i)")
                    }
                }
            }
        }
    }

    func testMistakesAreNamedWithTheNearestFields() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            let schema = try SchemaCatalog(db)
            func message(_ query: Query, _ aggregates: [Aggregate]) -> String {
                do { _ = try SQLGenerator(schema: schema, query: query).aggregated(aggregates); return "no error" } catch { return "\(error)" }
            }
            let count = [try Aggregate("n", .count)]
            XCTAssertTrue(message(households.grouped(by: ["townshp"]), count).hasPrefix("unknown field 'townshp' of households; did you mean township?"),
                          message(households.grouped(by: ["townshp"]), count))
            XCTAssertTrue(message(households.grouped(by: ["village.nme"]), count).contains("unknown field 'nme' of village (village); did you mean name?"))
            XCTAssertTrue(message(households, [try Aggregate("income", .avg, of: "incom")]).contains("did you mean income?"))
            XCTAssertTrue(message(households, [try Aggregate("x", .sum, of: "head_name")]).contains("x: sum of head_name, which is text; sum takes numbers"))
            XCTAssertTrue(message(households.grouped(by: ["kind"]), [try Aggregate("kind", .count)]).contains("'kind' names two columns"))
            XCTAssertTrue(message(households.grouped(by: ["kind"]).ordered(by: "income"), count).contains("order_by: 'income' is neither a group key nor an aggregate"))
            XCTAssertTrue(message(households.grouped(by: ["kind"]).having("kind", .eq, .text("rural")), count).contains("filter a group key with where"))
            XCTAssertThrowsError(try Aggregate("total", .sum)) { XCTAssertTrue("\($0)".contains("sum needs a field")) }
            // A grouped query has rows only through aggregated.
            XCTAssertThrowsError(try SQLGenerator(schema: schema, query: households.grouped(by: ["kind"])).select()) {
                XCTAssertTrue("\($0)".contains("gives its rows through aggregate"), "\($0)")
            }
            let pivot = Pivot(rows: "township", columns: "main_cause", value: try Aggregate("value", .count), total: "因病")
            XCTAssertThrowsError(try SQLGenerator(schema: schema, query: households).pivot(pivot, columns: [.text("因病")])) {
                XCTAssertTrue("\($0)".contains("'因病' names two columns"), "\($0)")
            }
        }
    }

    /// group_count is aggregate's count per value, largest first, as it always was.
    func testGroupCountIsACountPerValueLargestFirst() throws {
        let f = try SampleFixtures.district()
        try f.register.queue.read { db in
            let schema = try SchemaCatalog(db)
            let sql = try SQLGenerator(schema: schema, query: households.ordered(by: "income").limited(3)).groupCount("township")
            XCTAssertEqual(sql.text, "SELECT j2_area.name AS \"township\", count(*) AS \"count\" FROM household JOIN village AS j1_village ON j1_village.id = household.village_id JOIN area AS j2_area ON j2_area.id = j1_village.area_id GROUP BY 1 ORDER BY 2 DESC, 1")
            assertSame(try rows(db, sql), try rows(db, "SELECT a.name, count(*) AS n \(byTownship) GROUP BY 1 ORDER BY n DESC, 1"))
        }
    }
}
