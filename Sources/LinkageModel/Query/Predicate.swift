/// The comparisons `where{ field = { op = value } }` offers. `ne` is SQL's IS NOT: a field that is
/// NULL differs from any value, as an analyst reads "not equal" (`exit_year = { ne = 2012 }` keeps
/// the households that have not exited).
public enum Comparison: String, Sendable, CaseIterable {
    case eq, ne, lt, le, gt, ge, like

    var sql: String {
        switch self {
        case .eq: return "="
        case .ne: return "IS NOT"
        case .lt: return "<"
        case .le: return "<="
        case .gt: return ">"
        case .ge: return ">="
        case .like: return "LIKE"
        }
    }
}

/// One condition of a query. Paths name a field of the collection, or go through relations
/// (`village.area.name`, or an alias such as `township`).
public enum Predicate: Sendable {
    case compare(path: String, Comparison, SQLValue)
    case among(path: String, [SQLValue], negated: Bool)
    /// A fragment of SQL written by the user, with its bound values (`where("income < ?", 2300)`).
    case fragment(String, [SQLValue])
    /// SQL written by the model itself (the domain filters); `{T}` stands for the root table's alias.
    case domain(String, [SQLValue])
}
