/// One column of `aggregate{}`: a function over a field (or over the rows, for count), named.
public struct Aggregate: Sendable, Equatable {
    public enum Function: String, Sendable, CaseIterable {
        case count, count_distinct, sum, avg, min, max
    }

    /// The column's name in the result.
    public let name: String
    public let function: Function
    /// The field (a path, as in where); nil only for count, which then counts rows.
    public let path: String?

    public init(_ name: String, _ function: Function, of path: String? = nil) throws {
        guard path != nil || function == .count else {
            throw QueryError("\(name): \(function.rawValue) needs a field, such as { '\(function.rawValue)', 'income' }")
        }
        self.name = name
        self.function = function
        self.path = path
    }
}

/// A cross-tab: a row per value of `rows`, a column per value of `columns` (sorted), each cell
/// `value` over the rows that have both, and a total column and a total row named `total`.
public struct Pivot: Sendable, Equatable {
    public let rows: String
    public let columns: String
    public let value: Aggregate
    public let total: String
    /// Column values are found first (one statement); more than this is not a cross-tab but a list.
    public static let maximumColumns = 200

    public init(rows: String, columns: String, value: Aggregate, total: String = "合计") {
        self.rows = rows
        self.columns = columns
        self.value = value
        self.total = total
    }

    /// The name of the column of a value of `columns`: its text; NULL is "(none)".
    public static func columnName(_ value: SQLValue) -> String {
        switch value {
        case .null: return "(none)"
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .blob: return value.description
        }
    }
}
