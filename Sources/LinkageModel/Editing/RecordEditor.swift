import Foundation
import GRDB

/// Adds and changes rows of the register one at a time, checking every value first so that a
/// mistake is reported by field and reason rather than as a bare constraint failure.
public struct RecordEditor {
    public let db: Database
    public let schema: SchemaCatalog

    public init(db: Database, schema: SchemaCatalog) {
        self.db = db
        self.schema = schema
    }

    /// Inserts a row of `entity` (its scope filled in) and returns its id.
    public func add(_ entity: Entity, _ values: [(String, SQLValue)]) throws -> Int64 {
        var row = try checked(entity, values)
        if let scope = entity.scope { row[scope.column] = row[scope.column] ?? .text(scope.value) }
        let info = try table(entity.table)
        let missing = info.columns.filter { $0.isRequired && (row[$0.name] ?? .null).isNull }.map(\.name)
        guard missing.isEmpty else {
            throw QueryError("\(entity.table) needs \(missing.joined(separator: ", ")); required fields: \(info.columns.filter(\.isRequired).map(\.name).joined(separator: ", "))")
        }
        if let scope = entity.scope, row[scope.column] != .text(scope.value) {
            throw QueryError("\(entity.name) have \(scope.column) = '\(scope.value)'")
        }
        try checkRules(entity.table, row: row)
        if entity.table == "link" { try checkNewLink(row) }
        return try Self.insert(db, table: entity.table, info.columnNames.compactMap { c in row[c].map { (c, $0) } })
    }

    /// An open link added as a row is held to what link() holds it to (Linking.check): a cadre
    /// who may link, no second open link of the same pair, the quotas and household_cadres_max.
    /// A link with an end date is a record of the past, taken as it is.
    private func checkNewLink(_ row: [String: SQLValue]) throws {
        guard (row["end_date"] ?? .null).isNull, case .text(let since)? = row["start_date"] else { return }
        func id(_ column: String) -> Int64? { if case .integer(let i)? = row[column] { return i }; return nil }
        let linker = id("cadre_id").map(Linking.Linker.cadre) ?? id("unit_id").map(Linking.Linker.unit)
        let target = id("household_id").map(Linking.Target.household) ?? id("village_id").map(Linking.Target.village)
        guard let linker, let target else { return } // the schema's constraints say what is missing
        do {
            _ = try Linking.check(db, [Linking.NewLink(linker, target)], since: since)
        } catch let e as QueryError where e.kind == .overQuota {
            throw QueryError(e.message + " (links:add takes no options: to link over a quota on purpose, use cadre:link or unit:link)", kind: .overQuota)
        }
    }

    /// Changes fields of one row.
    public func update(_ entity: Entity, id: Int64, _ values: [(String, SQLValue)]) throws {
        let row = try checked(entity, values)
        guard !row.isEmpty else { throw QueryError("update needs at least one field = value") }
        if row["id"] != nil { throw QueryError("id is the row's identity and cannot be changed") }
        try checkRules(entity.table, row: row)
        if try !Self.update(db, table: entity.table, id: id, row.keys.sorted().map { ($0, row[$0]!) }) {
            throw QueryError("no \(entity.table) with id \(id)")
        }
    }

    // MARK: the writer

    // Every row the register gains or changes by an edit — a script's add{} and update{}, an
    // import row by row or as a set — is written here; the callers check the values first.

    /// Inserts one row with the columns given (the schema's defaults for the others) and returns
    /// its id. The statement is cached: a file's rows give the same columns.
    public static func insert(_ db: Database, table: String, _ values: [(String, SQLValue)]) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO \(table) (\(values.map(\.0).joined(separator: ", "))) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))")
            .execute(arguments: StatementArguments(values.map(\.1.databaseValue)))
        return db.lastInsertedRowID
    }

    /// Changes the columns given of the row `id`; false when there is no such row.
    @discardableResult
    public static func update(_ db: Database, table: String, id: Int64, _ values: [(String, SQLValue)]) throws -> Bool {
        try db.cachedStatement(sql: "UPDATE \(table) SET \(values.map { "\($0.0) = ?" }.joined(separator: ", ")) WHERE id = ?")
            .execute(arguments: StatementArguments(values.map(\.1.databaseValue) + [id.databaseValue]))
        return db.changesCount > 0
    }

    /// The batch form: writes the rows of `staged` (a TEMP table whose `columns` give each of the
    /// table's columns, NULL for "not given", and whose `existing` column is the register's row
    /// to change, NULL for a new row) with one UPDATE of the rows whose given values differ (the
    /// others keep theirs) and one INSERT of the new rows in the order of `order` (the schema's
    /// defaults for what is not given). The register's triggers fire and audit per row. Returns
    /// how many rows were added and how many changed.
    public static func writeStaged(_ db: Database, table: String, staged: String, columns: [(column: String, staged: String)],
                                   existing: String, order: String) throws -> (inserted: Int, updated: Int) {
        let written = columns.filter { $0.column != "id" }
        try db.execute(sql: """
            UPDATE main.\(table) SET \(written.map { "\($0.column) = coalesce(r.\($0.staged), \($0.column))" }.joined(separator: ", "))
            FROM \(staged) AS r
            WHERE \(table).id = r.\(existing)
              AND (\(written.map { "(r.\($0.staged) IS NOT NULL AND \(table).\($0.column) IS NOT r.\($0.staged))" }.joined(separator: " OR ")))
            """)
        let updated = db.changesCount
        let defaults = Dictionary(try Row.fetchAll(db, sql: "SELECT name, dflt_value FROM pragma_table_info(?) WHERE dflt_value IS NOT NULL",
                                                   arguments: [table]).map { ($0["name"] as String, $0["dflt_value"] as String) }) { a, _ in a }
        let values = written.map { c in defaults[c.column].map { "coalesce(r.\(c.staged), \($0))" } ?? "r.\(c.staged)" }
        try db.execute(sql: """
            INSERT INTO main.\(table) (\(written.map(\.column).joined(separator: ", ")))
            SELECT \(values.joined(separator: ", ")) FROM \(staged) AS r WHERE r.\(existing) IS NULL ORDER BY r.\(order)
            """)
        return (db.changesCount, updated)
    }

    /// Maps relation names to their columns (`village = 3` is `village_id = 3`) and checks each
    /// value's type, enumeration and reference.
    func checked(_ entity: Entity, _ values: [(String, SQLValue)]) throws -> [String: SQLValue] {
        let info = try table(entity.table)
        var row: [String: SQLValue] = [:]
        for (name, value) in values {
            let column = entity.relations[name]?.column ?? name
            guard let c = info[column] else {
                let valid = info.columnNames + entity.relations.keys.sorted()
                throw QueryError("unknown field '\(name)' of \(entity.table); valid fields: \(valid.joined(separator: ", "))")
            }
            var v = try FieldCheck.check(value, for: c, table: entity.table, path: name)
            if case .text(let s) = v {
                if column == "resident_id" {
                    do { v = .text(try ResidentID(s).value) } catch { throw QueryError("resident_id '\(s)': \(error)") }
                } else if column == "date" || column.hasSuffix("_date") || column.hasSuffix("_on") {
                    _ = try DateText.check(s, field: name)
                }
            }
            if case .integer(let id) = v, let relation = entity.relations.values.first(where: { $0.column == column }) {
                guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(relation.table) WHERE id = ?)", arguments: [id]) == true else {
                    throw QueryError("\(name): there is no \(relation.table) with id \(id)")
                }
            }
            row[column] = v
        }
        return row
    }

    /// The rules that look at other rows: a cadre of an excluded category in force (today) never links; a linker and a target each.
    func checkRules(_ table: String, row: [String: SQLValue]) throws {
        guard table == "link", case .integer(let cadre)? = row["cadre_id"] else { return }
        try Linking.checkMayLink(db, cadre: cadre)
    }

    private func table(_ name: String) throws -> TableInfo {
        guard let t = schema[name] else { throw QueryError("the register has no table \(name)") }
        return t
    }
}

extension SQLValue {
    public var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return Data(b).databaseValue
        }
    }

    public init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let i): self = .integer(i)
        case .double(let d): self = .real(d)
        case .string(let s): self = .text(s)
        case .blob(let d): self = .blob([UInt8](d))
        }
    }
}
