import Foundation
import GRDB

/// Rows to export: column names in order, and one value per column per row.
public struct ExportTable: Sendable {
    public var columns: [String]
    public var rows: [[SQLValue]]

    public init(columns: [String], rows: [[SQLValue]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The rows of a SELECT, columns in the statement's order.
    public static func query(_ db: Database, sql: String, arguments: [SQLValue] = []) throws -> ExportTable {
        let statement = try readingStatement(db, sql)
        let columns = statement.columnNames
        let rows = try Row.fetchAll(statement, arguments: StatementArguments(arguments.map(\.databaseValue)))
        return ExportTable(columns: columns, rows: rows.map { row in (0..<columns.count).map { SQLValue(row[$0] as DatabaseValue) } })
    }

    /// An export runs a query, never a statement that writes.
    package static func readingStatement(_ db: Database, _ sql: String) throws -> Statement {
        let statement = try db.makeStatement(sql: sql)
        guard statement.isReadonly else {
            throw ExchangeError("export runs queries that read, not statements that change the register: \(sql.prefix(60))")
        }
        return statement
    }

    /// Resident IDs and mobile numbers masked in every text value (Privacy.mask), as linkage
    /// prints them unless asked to show personal data.
    public func masked() -> ExportTable {
        ExportTable(columns: columns, rows: rows.map { $0.map(Privacy.mask) })
    }
}

extension ExportTable {
    /// Rows already read (all with the same columns), as a table.
    public static func rows(_ rows: [Row]) -> ExportTable {
        guard let first = rows.first else { return ExportTable(columns: [], rows: []) }
        let columns = Array(first.columnNames)
        return ExportTable(columns: columns, rows: rows.map { row in (0..<columns.count).map { SQLValue(row[$0] as DatabaseValue) } })
    }
}
