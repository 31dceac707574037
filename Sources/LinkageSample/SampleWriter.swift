import GRDB
import LinkageModel
// Raw sqlite3_* calls on GRDB's own connection (`db.sqliteConnection`): binding and stepping one
// reused prepared statement per table is about twice as fast as GRDB's `Statement.execute` for
// bulk inserts (docs: 0.64 s against 1.22 s per million rows), and a sample writes millions.
import GRDBSQLite

/// SQLite copies bound text before `sqlite3_bind_text` returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The tables a sample fills, in the order they are filled.
enum SampleTable: Int, CaseIterable {
    case area, village, household, unit, cadre, link, visit, activity, problem, problemFollowup, survey, indicatorValue

    var name: String {
        switch self {
        case .problemFollowup: return "problem_followup"
        case .indicatorValue: return "indicator_value"
        default: return "\(self)"
        }
    }
}

/// One INSERT, prepared once and stepped for every row.
final class SampleStatement {
    private let connection: OpaquePointer
    private let handle: OpaquePointer
    private let table: String
    private var index: Int32 = 0
    private(set) var count = 0

    init(connection: OpaquePointer, table: String, columns: [String]) throws {
        self.connection = connection
        self.table = table
        let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SampleError("cannot prepare the sample's insert into \(table): \(String(cString: sqlite3_errmsg(connection)))")
        }
        handle = stmt
    }

    deinit { sqlite3_finalize(handle) }

    @inline(__always) func int(_ value: Int) {
        index += 1
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    @inline(__always) func int(_ value: Int?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
    }

    @inline(__always) func bool(_ value: Bool) { int(value ? 1 : 0) }

    @inline(__always) func real(_ value: Double) {
        index += 1
        sqlite3_bind_double(handle, index, value)
    }

    @inline(__always) func real(_ value: Double?) {
        index += 1
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    @inline(__always) func text(_ value: String?) {
        index += 1
        guard var value else { sqlite3_bind_null(handle, index); return }
        let i = index, h = handle
        value.withUTF8 { buf in
            if let base = buf.baseAddress {
                _ = sqlite3_bind_text(h, i, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buf.count), transient)
            } else {
                _ = sqlite3_bind_text(h, i, "", 0, transient)
            }
        }
    }

    /// Steps the bound row and readies the statement for the next.
    func insert() throws {
        let rc = sqlite3_step(handle)
        index = 0
        guard rc == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(handle)
            throw SampleError("the sample's insert into \(table) failed: \(message)")
        }
        sqlite3_reset(handle)
        count += 1
    }
}

/// The prepared inserts of every table a sample fills, and the next id of each.
///
/// Ids are given explicitly, counted here from the table's current maximum, so the generator
/// knows every id it will refer to without reading anything back.
final class SampleWriter {
    let area, village, household, unit, cadre, link, visit, activity, problem, followup, survey, indicatorValue: SampleStatement
    private var nextID = [Int](repeating: 1, count: SampleTable.allCases.count)

    init(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw SampleError("the register's connection is closed") }
        func prepare(_ table: String, _ columns: [String]) throws -> SampleStatement {
            try SampleStatement(connection: connection, table: table, columns: columns)
        }
        area = try prepare("area", ["id", "code", "name", "kind"])
        village = try prepare("village", ["id", "area_id", "code", "name", "kind"])
        household = try prepare("household", ["id", "village_id", "kind", "head_name", "resident_id", "phone", "address",
                                              "attribute", "main_cause", "other_cause_1", "other_cause_2", "members", "income",
                                              "food_secure", "clothing_secure", "education_secured", "medical_secured",
                                              "housing_secured", "exit_year"])
        unit = try prepare("unit", ["id", "name", "kind", "area_id"])
        cadre = try prepare("cadre", ["id", "unit_id", "name", "sex", "resident_id", "phone", "title", "role", "excluded", "left_on"])
        link = try prepare("link", ["id", "unit_id", "cadre_id", "village_id", "household_id", "start_date", "end_date",
                                    "end_reason", "successor_cadre_id", "note"])
        visit = try prepare("visit", ["id", "unit_id", "cadre_id", "village_id", "household_id", "date", "days", "kind", "note"])
        activity = try prepare("activity", ["id", "action", "unit_id", "cadre_id", "village_id", "household_id", "date", "title", "detail"])
        problem = try prepare("problem", ["id", "reported_by_cadre_id", "reported_by_unit_id", "village_id", "household_id",
                                          "reported_on", "description", "status", "escalated_on", "closed_on", "resolution"])
        followup = try prepare("problem_followup", ["id", "problem_id", "date", "note"])
        survey = try prepare("survey", ["id", "household_id", "year", "score"])
        indicatorValue = try prepare("indicator_value", ["id", "indicator_id", "village_id", "household_id", "year", "value"])
        for table in SampleTable.allCases {
            nextID[table.rawValue] = (try Int.fetchOne(db, sql: "SELECT max(id) FROM \(table.name)") ?? 0) + 1
        }
    }

    /// The next id of `table`, not reserved.
    func peek(_ table: SampleTable) -> Int { nextID[table.rawValue] }

    /// Reserves `n` consecutive ids of `table` and returns the first.
    @inline(__always) func reserve(_ table: SampleTable, _ n: Int = 1) -> Int {
        let first = nextID[table.rawValue]
        nextID[table.rawValue] = first + n
        return first
    }

    var counts: [(table: String, count: Int)] {
        [("area", area.count), ("village", village.count), ("household", household.count), ("unit", unit.count),
         ("cadre", cadre.count), ("link", link.count), ("visit", visit.count), ("activity", activity.count),
         ("problem", problem.count), ("problem_followup", followup.count), ("survey", survey.count),
         ("indicator_value", indicatorValue.count)]
    }

    var totalRows: Int { counts.reduce(0) { $0 + $1.count } }
}
