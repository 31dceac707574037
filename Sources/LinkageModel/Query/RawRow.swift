import GRDB
import GRDBSQLite

/// The current row of a statement being stepped, read straight from SQLite: no Swift value is made
/// for a cell, so a writer can turn millions of rows into bytes (an export at province scale).
/// Valid only inside the call that hands it over.
public struct RawRow {
    public enum Kind: Sendable { case null, integer, real, text, blob }

    let statement: OpaquePointer
    /// The number of columns.
    public let count: Int

    init(_ statement: OpaquePointer, count: Int) {
        self.statement = statement
        self.count = count
    }

    public func kind(_ i: Int) -> Kind {
        switch sqlite3_column_type(statement, Int32(i)) {
        case SQLITE_INTEGER: return .integer
        case SQLITE_FLOAT: return .real
        case SQLITE_TEXT: return .text
        case SQLITE_BLOB: return .blob
        default: return .null
        }
    }

    public func integer(_ i: Int) -> Int64 { sqlite3_column_int64(statement, Int32(i)) }
    public func real(_ i: Int) -> Double { sqlite3_column_double(statement, Int32(i)) }

    /// The bytes of a text (UTF-8, as stored) or blob cell; empty for any other.
    public func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let column = Int32(i)
        let kind = sqlite3_column_type(statement, column)
        // sqlite3_column_text first, then _bytes: the count is of the text as returned.
        let pointer = kind == SQLITE_BLOB ? sqlite3_column_blob(statement, column) : UnsafeRawPointer(sqlite3_column_text(statement, column))
        guard let pointer else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: Int(sqlite3_column_bytes(statement, column)))
    }

    /// The cell as a value (the slow path, for writers that need one).
    public func value(_ i: Int) -> SQLValue {
        switch kind(i) {
        case .null: return .null
        case .integer: return .integer(integer(i))
        case .real: return .real(real(i))
        case .text: return .text(String(decoding: bytes(i), as: UTF8.self))
        case .blob: return .blob(Array(bytes(i)))
        }
    }

    /// Every cell as a value.
    public var values: [SQLValue] { (0..<count).map(value) }
}

extension ExportTable {
    /// Runs a SELECT (never a statement that writes), handing each row to `body` as it is stepped;
    /// `start` first receives the column names. Returns the number of rows.
    @discardableResult
    public static func rawRows(_ db: Database, sql: String, arguments: [SQLValue] = [], start: ([String]) throws -> Void,
                               _ body: (RawRow) throws -> Void) throws -> Int {
        let statement = try readingStatement(db, sql)
        try start(statement.columnNames)
        try statement.setArguments(StatementArguments(arguments.map(\.databaseValue)))
        return try RawRow.step(statement, sql: sql, body)
    }
}

extension RawRow {
    /// Steps a prepared GRDB statement to its end, handing over each row; resets it after.
    static func step(_ statement: Statement, sql: String, _ body: (RawRow) throws -> Void) throws -> Int {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        let row = RawRow(handle, count: Int(sqlite3_column_count(handle)))
        var rows = 0
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else {
                let connection = sqlite3_db_handle(handle)
                throw DatabaseError(resultCode: ResultCode(rawValue: connection.map(sqlite3_extended_errcode) ?? rc),
                                    message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
            }
            try body(row)
            rows += 1
        }
    }
}

/// SQLite copies bound text before `sqlite3_bind_text` returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A statement that writes, run once per row of a large input with its values bound straight into
/// SQLite: no GRDB arguments are made for a row (an import's staging of a million rows).
public struct RawWrite {
    let statement: Statement
    let sql: String

    public init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        self.sql = sql
    }

    /// Binds `values` to the parameters ?1 … in order, runs the statement once and resets it.
    public func run(_ values: [SQLValue]) throws {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (i, value) in values.enumerated() {
            let p = Int32(i + 1)
            switch value {
            case .null: sqlite3_bind_null(handle, p)
            case .integer(let v): sqlite3_bind_int64(handle, p, v)
            case .real(let v): sqlite3_bind_double(handle, p, v)
            case .text(var s):
                s.withUTF8 { b in
                    if let base = b.baseAddress {
                        _ = sqlite3_bind_text(handle, p, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(b.count), transient)
                    } else { _ = sqlite3_bind_text(handle, p, "", 0, transient) }
                }
            case .blob(let b):
                b.withUnsafeBytes { _ = sqlite3_bind_blob(handle, p, $0.baseAddress, Int32($0.count), transient) }
            }
        }
        let rc = sqlite3_step(handle)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else {
            let connection = sqlite3_db_handle(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: connection.map(sqlite3_extended_errcode) ?? rc),
                                message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
        }
    }
}
