import Foundation
import GRDB

/// A column as the schema declares it, with the values its CHECK allows when it is an enumeration.
public struct Column: Sendable, Equatable {
    public enum Kind: String, Sendable { case integer = "INTEGER", real = "REAL", text = "TEXT", blob = "BLOB", any = "ANY" }
    public let name: String
    public let kind: Kind
    public let notNull: Bool
    public let hasDefault: Bool
    public let isPrimaryKey: Bool
    /// The values of `CHECK (name IN (...))`, when the column is an enumeration.
    public let allowed: [SQLValue]?

    /// A 0/1 column.
    public var isBoolean: Bool { allowed == [.integer(0), .integer(1)] }
    /// Must be given when a row is added.
    public var isRequired: Bool { notNull && !hasDefault && !isPrimaryKey }
}

/// The columns of one table.
public struct TableInfo: Sendable {
    public let table: String
    public let columns: [Column]
    private let index: [String: Int]

    init(table: String, columns: [Column]) {
        self.table = table
        self.columns = columns
        index = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1.name, $0) })
    }

    public subscript(name: String) -> Column? { index[name].map { columns[$0] } }
    public var columnNames: [String] { columns.map(\.name) }
}

/// The tables of an open register, read from the register itself so that the schema is the one
/// source of truth for columns, types and enumerations.
public final class SchemaCatalog: @unchecked Sendable {
    public let tables: [String: TableInfo]

    public init(_ db: Database) throws {
        var tables: [String: TableInfo] = [:]
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")
        for row in rows {
            let name: String = row["name"]
            let sql: String = row["sql"] ?? ""
            let enumerations = SchemaCatalog.enumerations(in: sql)
            let columns = try Row.fetchAll(db, sql: "SELECT * FROM pragma_table_info(?)", arguments: [name]).map { c -> Column in
                let columnName: String = c["name"]
                let type = ((c["type"] as String?) ?? "").uppercased()
                return Column(name: columnName, kind: Column.Kind(rawValue: type) ?? .any, notNull: (c["notnull"] as Int) != 0,
                              hasDefault: !(c["dflt_value"] as DatabaseValue).isNull, isPrimaryKey: (c["pk"] as Int) != 0,
                              allowed: enumerations[columnName])
            }
            tables[name] = TableInfo(table: name, columns: columns)
        }
        self.tables = tables
    }

    public subscript(table: String) -> TableInfo? { tables[table] }

    /// `CHECK (col IN ('a', 'b'))` and `CHECK (col IN (0, 1))` clauses of a CREATE TABLE.
    static func enumerations(in sql: String) -> [String: [SQLValue]] {
        var result: [String: [SQLValue]] = [:]
        let pattern = try! NSRegularExpression(pattern: #"CHECK\s*\(\s*(\w+)\s+IN\s*\(([^)]*)\)\s*\)"#, options: [.caseInsensitive])
        let ns = sql as NSString
        for m in pattern.matches(in: sql, range: NSRange(location: 0, length: ns.length)) {
            let column = ns.substring(with: m.range(at: 1))
            let list = ns.substring(with: m.range(at: 2))
            let values = list.split(separator: ",").map { item -> SQLValue in
                let t = item.trimmingCharacters(in: .whitespacesAndNewlines)
                if t.hasPrefix("'") { return .text(String(t.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")) }
                return Int64(t).map { .integer($0) } ?? .text(t)
            }
            result[column] = values
        }
        return result
    }
}
