import Foundation
import GRDB
import LinkageModel

/// Keys: the columns that say "the same record", how a key reads in a message, the register's
/// row with a row's key, and the unique columns another row already has.
extension ImportValidator {
    // MARK: keys and duplicates

    /// The columns that say "the same record": a resident ID, a code, a name, or for links and
    /// visits who, what and when.
    func keyColumns(_ values: [String: SQLValue]) -> [String] {
        let linker = values["unit_id"] != nil ? "unit_id" : "cadre_id"
        let target = values["village_id"] != nil ? "village_id" : "household_id"
        if values["id"] != nil { return ["id"] }
        switch kind {
        case .areas, .villages, .communities: return ["code"]
        case .units: return ["name"]
        case .households: return ["resident_id"]
        case .cadres: return values["resident_id"] != nil ? ["resident_id"] : ["unit_id", "name"]
        case .links: return [linker, target, "start_date"]
        case .visits: return [linker, target, "date", "kind"]
        case .activities: return [linker, target, "date", "action", "title"]
        }
    }

    func keyValue(_ values: [String: SQLValue], _ columns: [String]) -> [SQLValue] {
        columns.map { values[$0] ?? defaults[$0] ?? .null }
    }

    func setKey(_ row: inout PreparedRow) {
        row.key = keyColumns(row.values)
    }

    /// The row's key as a person reads it, for a message (a reference names its row, a query).
    func keyText(_ row: PreparedRow) -> String { describe(row.key, keyValue(row.values, row.key)) }

    /// "resident ID 34052419800101001X", "code 620502100001" …
    func describe(_ columns: [String], _ values: [SQLValue]) -> String {
        zip(columns, values).map { c, v in
            let shown: String
            switch v { case .text(let s): shown = s; case .null: shown = "(none)"; default: shown = v.description }
            let name = ["resident_id": "resident ID", "unit_id": "unit", "cadre_id": "cadre", "village_id": "village",
                        "household_id": "household", "start_date": "start date", "area_id": "area"][c] ?? c
            if c.hasSuffix("_id"), c != "resident_id", case .integer(let id) = v { return "\(name) \(referenceName(c, id))" }
            return "\(name) \(shown)"
        }.joined(separator: ", ")
    }

    func referenceName(_ column: String, _ id: Int64) -> String {
        let sql: String
        switch column {
        case "unit_id": sql = "SELECT name FROM unit WHERE id = ?"
        case "cadre_id", "successor_cadre_id": sql = "SELECT name FROM cadre WHERE id = ?"
        case "village_id": sql = "SELECT name FROM village WHERE id = ?"
        case "household_id": sql = "SELECT head_name || ' (' || resident_id || ')' FROM household WHERE id = ?"
        case "area_id": sql = "SELECT name FROM area WHERE id = ?"
        default: return String(id)
        }
        return (try? String.fetchOne(db.cachedStatement(sql: sql), arguments: [id])) ?? String(id)
    }

    /// The register's row `id` with the row's values over it: what the row would be after the
    /// update, for the rules that look across fields when the file gives only some of them.
    func merged(_ current: [String: SQLValue]?, with values: [String: SQLValue]) -> [String: SQLValue] {
        guard let current else { return values }
        return current.merging(values) { _, new in new }.filter { $0.value != .null }
    }

    /// The register's row `id` as column → value.
    func current(_ id: Int64) throws -> [String: SQLValue]? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(kind.table) WHERE id = ?"), arguments: [id]) else { return nil }
        var result: [String: SQLValue] = [:]
        for c in info.columnNames { result[c] = SQLValue(row[c] as DatabaseValue) }
        return result
    }

    /// The groups of required fields a file without those columns cannot give a new row.
    var absentRequired: [[String]] { requiredGroups.filter { $0.allSatisfy(absent.contains) } }

    /// The id of the register's row with the same key, if any.
    func existing(_ row: PreparedRow) throws -> Int64? {
        let values = keyValue(row.values, row.key)
        guard !values.contains(.null) || kind == .cadres else { return nil }
        let conditions = row.key.map { "\($0) IS ?" }.joined(separator: " AND ")
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM \(kind.table) WHERE \(conditions) ORDER BY id LIMIT 1"),
                                  arguments: StatementArguments(values.map(\.databaseValue)))
    }

    /// For a new open link, the register's open link of the same linker and target.
    func openLink(_ row: PreparedRow) throws -> (id: Int64, since: String)? {
        let linker = row.values["unit_id"] != nil ? "unit_id" : "cadre_id"
        let target = row.values["village_id"] != nil ? "village_id" : "household_id"
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT id, start_date FROM link WHERE \(linker) = ? AND \(target) = ? AND end_date IS NULL ORDER BY id LIMIT 1"),
                                arguments: [row.values[linker]?.databaseValue, row.values[target]?.databaseValue])
            .map { ($0["id"], $0["start_date"]) }
    }

    /// Other unique columns of the row that another register row already has.
    func uniqueConflicts(_ row: PreparedRow, except id: Int64?) throws -> [ImportProblem] {
        var problems: [ImportProblem] = []
        for set in uniqueSets where set != row.key {
            let values = set.map { row.values[$0] ?? .null }
            if values.contains(.null) { continue }
            let conditions = set.map { "\($0) = ?" }.joined(separator: " AND ")
            if let other = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM \(kind.table) WHERE \(conditions) AND id IS NOT ? LIMIT 1"),
                                              arguments: StatementArguments(values.map(\.databaseValue) + [id.databaseValue])) {
                problems.append(try conflict(row, set: set, other: other))
            }
        }
        return problems
    }

    /// The row's values of a unique `set` belong to the register's row `other`.
    func conflict(_ row: PreparedRow, set: [String], other: Int64) throws -> ImportProblem {
        let values = set.map { row.values[$0] ?? .null }
        let field = set.first { !$0.hasSuffix("_id") } ?? set[0]
        let otherRow = try current(other) ?? [:]
        let otherKey = row.key.map { otherRow[$0] ?? .null }
        return problem(row.line, row.column(for: field), field, "\(describe(set, values)) already belongs to another row of the register (\(describe(row.key, otherKey)))",
                       "each \(set.joined(separator: " + ")) is unique; fix the value or that row")
    }

    /// The row's values of a unique `set` are those of the file's line `first`.
    func duplicate(_ row: PreparedRow, set: [String], first: Int) -> ImportProblem {
        let values = set.map { row.values[$0] ?? .null }
        let field = set.first { !$0.hasSuffix("_id") } ?? set[0]
        return problem(row.line, row.column(for: field), field,
            "\(describe(set, values)) is already on line \(first)", "each \(set.joined(separator: " + ")) is unique; keep one of the rows")
    }
}
