import GRDB
import XCTest
@testable import LinkageModel

/// The one place that turns a `Query` into SQL, run against a real register: the statement it
/// writes, and the rows SQLite gives for it.
final class SQLGeneratorTests: XCTestCase {
    private let households = Query(Catalog.collection("households")!)
    private let cadres = Query(Catalog.collection("cadres")!)

    /// SchemaFixture's seed, and cadre 1 linked with household 1 since 2012-03-01.
    private func register() throws -> SchemaFixture {
        let f = try SchemaFixture()
        try f.seed()
        try f.execute("INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 1, '2012-03-01')")
        return f
    }

    /// The ids the query's SELECT gives, and the statement.
    private func ids(_ f: SchemaFixture, _ query: Query) throws -> ([Int64], BoundSQL) {
        try f.register.queue.read { db in
            let sql = try SQLGenerator(schema: try SchemaCatalog(db), query: query).ids()
            return (try Int64.fetchAll(db, sql: sql.text, arguments: StatementArguments(sql.arguments.map(\.databaseValue))), sql)
        }
    }

    func testComparisonsBecomeOperatorsWithBoundValues() throws {
        let f = try register()
        let poor = households.filtered(.compare(path: "income", .lt, .integer(2000)))
            .filtered(.compare(path: "members", .ge, .integer(4)))
            .filtered(.compare(path: "head_name", .like, .text("王%")))
        let (found, sql) = try ids(f, poor)
        XCTAssertEqual(found, [1])
        XCTAssertTrue(sql.text.contains("household.income < ? AND household.members >= ? AND household.head_name LIKE ?"), sql.text)
        XCTAssertEqual(sql.arguments.suffix(3), [.real(2000), .integer(4), .text("王%")], "values are bound, never spliced")
        XCTAssertFalse(sql.text.contains("2000"), sql.text)
        XCTAssertEqual(try ids(f, households.filtered(.compare(path: "income", .gt, .integer(2000)))).0, [2])
    }

    func testARelationPathIsOneJoinSharedByTheFilterAndTheOrder() throws {
        let f = try register()
        let query = households.filtered(.compare(path: "village.area.name", .eq, .text("太京镇"))).ordered(by: "village.area.name")
        let (found, sql) = try ids(f, query)
        XCTAssertEqual(found, [1])
        XCTAssertEqual(sql.text.components(separatedBy: "JOIN ").count - 1, 2, "one join for village, one for its area: \(sql.text)")
        XCTAssertTrue(sql.text.contains("JOIN area AS j2_area ON j2_area.id = j1_village.area_id"), sql.text)
        XCTAssertTrue(sql.text.hasSuffix("ORDER BY j2_area.name"), sql.text)
    }

    func testAVirtualFieldIsTheDomainFiltersSQLOnTheDay() throws {
        let f = try register()
        try f.register.queue.read { db in
            let schema = try SchemaCatalog(db)
            func linked(_ yes: Bool, on day: String) throws -> [Int64] {
                let p = try XCTUnwrap(try VirtualField.predicate("linked", .integer(yes ? 1 : 0), entity: households.entity, schema: schema, asOf: day))
                let sql = try SQLGenerator(schema: schema, query: households.filtered(p)).ids()
                XCTAssertTrue(sql.text.contains("EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = household.id"), sql.text)
                return try Int64.fetchAll(db, sql: sql.text, arguments: StatementArguments(sql.arguments.map(\.databaseValue)))
            }
            XCTAssertEqual(try linked(true, on: "2012-06-30"), [1])
            XCTAssertEqual(try linked(false, on: "2012-06-30"), [2])
            XCTAssertEqual(try linked(true, on: "2012-02-29"), [], "the link starts on 2012-03-01")
            // Each virtual field and its negation split the rows between them.
            func ids(_ collection: String, _ field: String, _ yes: Bool) throws -> [Int64] {
                let query = Query(Catalog.collection(collection)!)
                let p = try XCTUnwrap(try VirtualField.predicate(field, .integer(yes ? 1 : 0), entity: query.entity, schema: schema, asOf: "2012-06-30"))
                let sql = try SQLGenerator(schema: schema, query: query.filtered(p)).ids()
                return try Int64.fetchAll(db, sql: sql.text, arguments: StatementArguments(sql.arguments.map(\.databaseValue)))
            }
            XCTAssertEqual([try ids("households", "covered", true), try ids("households", "covered", false)], [[1], [2]])
            XCTAssertEqual([try ids("cadres", "eligible", true), try ids("cadres", "eligible", false)], [[1, 3], [2]], "cadre 2 is a teacher")
            XCTAssertEqual([try ids("links", "active", true), try ids("links", "active", false)], [[1], []])
            XCTAssertNil(try VirtualField.predicate("income", .integer(1), entity: households.entity, schema: schema, asOf: "2012-06-30"),
                         "a column is not a virtual field")
        }
    }

    func testNeIsIsNotSoAFieldThatIsNullDiffers() throws {
        let f = try register()
        // Cadre 2, the teacher, has no role: not equal to any role, as an analyst reads it.
        let (found, sql) = try ids(f, cadres.filtered(.compare(path: "role", .ne, .text("department_other"))))
        XCTAssertEqual(found, [2, 3])
        XCTAssertTrue(sql.text.contains("cadre.role IS NOT ?"), sql.text)
        XCTAssertEqual(try ids(f, cadres.filtered(.compare(path: "role", .ne, .null))).0, [1, 3])
        XCTAssertEqual(try ids(f, cadres.filtered(.compare(path: "role", .eq, .null))).0, [2])
    }

    func testAnUnknownFieldIsAnErrorNamingTheNearestFields() throws {
        let f = try register()
        XCTAssertThrowsError(try ids(f, households.filtered(.compare(path: "incme", .lt, .integer(2000))))) { error in
            let message = (error as? QueryError)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix("unknown field 'incme' of households; did you mean income?"), message)
        }
        XCTAssertThrowsError(try ids(f, households.filtered(.compare(path: "village.area.nme", .eq, .text("太京镇"))))) { error in
            let message = (error as? QueryError)?.message ?? "\(error)"
            XCTAssertTrue(message.hasPrefix("unknown field 'nme' of village.area (area)"), message)
            XCTAssertTrue(message.contains("did you mean name"), message)
        }
    }
}
