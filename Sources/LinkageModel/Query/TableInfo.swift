import Foundation
import GRDB

/// A column as the schema declares it, with the values its CHECK (or its rule table) allows when
/// it is an enumeration.
public struct Column: Sendable, Equatable {
    public enum Kind: String, Sendable { case integer = "INTEGER", real = "REAL", text = "TEXT", blob = "BLOB", any = "ANY" }
    public let name: String
    public let kind: Kind
    public let notNull: Bool
    public let hasDefault: Bool
    public let isPrimaryKey: Bool
    /// The values of `CHECK (name IN (...))`, or of its rule table (``SchemaCatalog/ruleVocabularies``),
    /// when the column is an enumeration.
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
    /// The words a person writes for the values of a rule-table enumeration, by "table.column":
    /// the rule table's labels (教师 → teacher), as ImportValues has them for the CHECK enumerations.
    public let words: [String: [String: String]]

    public init(_ db: Database) throws {
        var tables: [String: TableInfo] = [:]
        var words: [String: [String: String]] = [:]
        let rows = try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'")
        for row in rows {
            let name: String = row["name"]
            let sql: String = row["sql"] ?? ""
            var enumerations = SchemaCatalog.enumerations(in: sql)
            for (column, rule) in SchemaCatalog.ruleVocabularies[name] ?? [:] where try db.tableExists(rule.table) {
                enumerations[column] = try String.fetchAll(db, sql: "SELECT \(rule.column) FROM \(rule.table) GROUP BY \(rule.column) ORDER BY min(id)").map { .text($0) }
                var labels: [String: String] = [:]
                for label in rule.labels {
                    for row in try Row.fetchAll(db, sql: "SELECT \(label) AS label, \(rule.column) AS code FROM \(rule.table) WHERE \(label) IS NOT NULL ORDER BY id") {
                        labels[row["label"]] = row["code"]
                    }
                }
                words["\(name).\(column)"] = labels
            }
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
        self.words = words
    }

    public subscript(table: String) -> TableInfo? { tables[table] }

    /// Enumerations whose values are rows of a rule table rather than a CHECK (a trigger keeps
    /// them): table → column → (rule table, its column). `cadre.excluded` names a category of
    /// excluded_category (schema step 7), past or present.
    static let ruleVocabularies: [String: [String: (table: String, column: String, labels: [String])]] = [
        "cadre": ["excluded": ("excluded_category", "category", ["label_en", "label"])],
    ]

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
