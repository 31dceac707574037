/// Aggregates per group and cross-tabs, each one SQL statement over the query's rows: group keys
/// and fields resolve as `where` resolves them (relations become joins), and the result's order is
/// stable — the order asked for, then the group keys.
extension SQLGenerator {
    /// `SELECT keys…, aggregates… FROM … WHERE … GROUP BY keys HAVING … ORDER BY …`: a row per
    /// distinct value of the query's groups (one row when it has none).
    public func aggregated(_ aggregates: [Aggregate]) throws -> BoundSQL { var g = self; return try g.buildAggregated(aggregates) }

    /// The distinct values of the pivot's `columns`, sorted, at most one more than a cross-tab may have.
    public func pivotColumns(_ pivot: Pivot) throws -> BoundSQL { var g = self; return try g.buildPivotColumns(pivot) }

    /// The cross-tab itself, given the values `pivotColumns` found.
    public func pivot(_ pivot: Pivot, columns: [SQLValue]) throws -> BoundSQL { var g = self; return try g.buildPivot(pivot, columns: columns) }

    /// What chaining a grouped query can check before its aggregates are known: the group keys and
    /// the filters. Order and having name aggregates, and are checked by `aggregated`.
    public func checkGrouping() throws {
        var g = self
        for path in query.groups { _ = try g.resolve(path) }
        _ = try g.whereClause()
    }

    mutating func buildAggregated(_ aggregates: [Aggregate]) throws -> BoundSQL {
        guard !aggregates.isEmpty else { throw QueryError("aggregate{} needs at least one name = function, such as { households = 'count' }") }
        if !query.isGrouped, query.limit != nil || query.offset != nil || !query.ordering.isEmpty {
            throw QueryError("aggregate: order_by, limit and offset apply to groups; group_by first, or aggregate every row of the query")
        }
        let names = query.groups + aggregates.map(\.name)
        if let twice = Self.repeated(names) {
            throw QueryError("aggregate: '\(twice)' names two columns; give each aggregate a name of its own")
        }
        let keys = try query.groups.map { try resolve($0).expression }
        let values = try aggregates.map { try expression($0) }
        let conditions = try whereClause()
        var arguments = whereArguments
        let columns = zip(query.groups, keys).map { "\($1) AS \(Self.quoted($0))" } + zip(aggregates, values).map { "\($1) AS \(Self.quoted($0.name))" }
        var text = "SELECT \(columns.joined(separator: ", ")) FROM \(root)\(joinText)\(conditions)"
        let positions = keys.indices.map { String($0 + 1) }
        if !keys.isEmpty { text += " GROUP BY " + positions.joined(separator: ", ") }
        if !query.having.isEmpty {
            // By the aggregate's expression, not its name: a name such as income would mean the column.
            let terms = try query.having.map { name, op, value -> String in
                guard let i = aggregates.firstIndex(where: { $0.name == name }) else {
                    throw QueryError("having: '\(name)' is not an aggregate; aggregates: \(aggregates.map(\.name).sorted().joined(separator: ", "))"
                                     + (query.groups.contains(name) ? "; filter a group key with where" : ""))
                }
                if value.isNull {
                    guard op == .eq || op == .ne else { throw QueryError("having \(name): only eq and ne can compare with nil") }
                    return "\(values[i]) \(op == .eq ? "IS NULL" : "IS NOT NULL")"
                }
                arguments.append(value)
                return "\(values[i]) \(op.sql) ?"
            }
            text += " HAVING " + terms.joined(separator: " AND ")
        }
        // By position: unambiguous whatever the names, and the keys after the order asked for.
        var order: [String] = []
        for (path, descending) in query.ordering {
            guard let i = names.firstIndex(of: path) else {
                throw QueryError("order_by: '\(path)' is neither a group key nor an aggregate; columns: \(names.joined(separator: ", "))")
            }
            order.append("\(i + 1)\(descending ? " DESC" : "")")
        }
        order += positions.filter { p in !order.contains { $0 == p || $0 == p + " DESC" } }
        if !order.isEmpty { text += " ORDER BY " + order.joined(separator: ", ") }
        if let limit = query.limit { text += " LIMIT \(limit)" }
        if let offset = query.offset { text += (query.limit == nil ? " LIMIT -1" : "") + " OFFSET \(offset)" }
        return BoundSQL(text: text, arguments: arguments)
    }

    /// The SQL of one aggregate over the query's rows.
    private mutating func expression(_ a: Aggregate) throws -> String {
        guard let v = try operand(a) else { return "count(*)" }
        switch a.function {
        case .count: return "count(\(v))"
        case .count_distinct: return "count(DISTINCT \(v))"
        case .sum, .avg, .min, .max: return "\(a.function.rawValue)(\(v))"
        }
    }

    /// The field of an aggregate as SQL (nil: count the rows), checked: sum and avg take numbers.
    private mutating func operand(_ a: Aggregate) throws -> String? {
        guard let path = a.path else { return nil }
        let field = try resolve(path)
        if a.function == .sum || a.function == .avg {
            let kind = field.column?.kind
            guard field.target == nil, kind == .integer || kind == .real || kind == .any else {
                let what = field.target != nil ? "a relation" : kind?.rawValue.lowercased() ?? "not a column"
                throw QueryError("\(a.name): \(a.function.rawValue) of \(path), which is \(what); \(a.function.rawValue) takes numbers (count and count_distinct count anything)")
            }
        }
        return field.expression
    }

    private mutating func pivotable(_ pivot: Pivot) throws {
        if query.isGrouped { throw QueryError("pivot takes its own rows and columns: call it on the query, not after group_by") }
        if query.limit != nil || query.offset != nil || !query.ordering.isEmpty {
            throw QueryError("pivot: its rows are sorted by \(pivot.rows) and hold every group; leave out order_by, limit and offset")
        }
    }

    mutating func buildPivotColumns(_ pivot: Pivot) throws -> BoundSQL {
        try pivotable(pivot)
        let column = try resolve(pivot.columns).expression
        let conditions = try whereClause()
        return BoundSQL(text: "SELECT DISTINCT \(column) FROM \(root)\(joinText)\(conditions) ORDER BY 1 LIMIT \(Pivot.maximumColumns + 1)",
                        arguments: whereArguments)
    }

    /// The rows are read once, into partial aggregates per (row, column) — a small table, `g` —
    /// and the cells, the total column and the total row combine those partials: the total of an
    /// average is the average of every row, not of the cells.
    mutating func buildPivot(_ pivot: Pivot, columns values: [SQLValue]) throws -> BoundSQL {
        try pivotable(pivot)
        guard values.count <= Pivot.maximumColumns else {
            throw QueryError("pivot: \(pivot.columns) has more than \(Pivot.maximumColumns) values, too many columns for a cross-tab; group_by('\(pivot.rows)', '\(pivot.columns)') lists them")
        }
        let names = [pivot.rows] + values.map(Pivot.columnName) + [pivot.total]
        if let twice = Self.repeated(names) {
            throw QueryError("pivot: '\(twice)' names two columns (a value of \(pivot.columns), \(pivot.rows) or the total); give total = '…' another name")
        }
        let row = try resolve(pivot.rows).expression
        let column = try resolve(pivot.columns).expression
        let value = pivot.value
        let v = try operand(value) ?? "*" // only count has no field
        let partials: String
        switch value.function {
        case .count: partials = "count(\(v)) AS _n"
        case .count_distinct: partials = "\(v) AS _d"
        case .sum, .min, .max: partials = "\(value.function.rawValue)(\(v)) AS _s"
        case .avg: partials = "sum(\(v)) AS _s, count(\(v)) AS _n"
        }
        let conditions = try whereClause()
        var arguments = whereArguments
        let group = value.function == .count_distinct ? "1, 2, 3" : "1, 2"
        let g = "SELECT \(row) AS _row, \(column) AS _col, \(partials) FROM \(root)\(joinText)\(conditions) GROUP BY \(group)"
        /// The cells of one line of the table (a row's, or the total row's), then its total.
        func line() -> [String] {
            values.map { columnValue in
                combine(value.function) { partial in
                    arguments.append(columnValue)
                    return "CASE WHEN _col IS ? THEN \(partial) END"
                }
            } + [combine(value.function) { $0 }]
        }
        let quotedNames = names.map(Self.quoted)
        let rowsLine = zip(["_row"] + line(), quotedNames).map { "\($0) AS \($1)" }
        arguments.append(.text(pivot.total))
        let totalLine = ["?"] + line()
        let text = "WITH g AS MATERIALIZED (\(g)) SELECT \(quotedNames.joined(separator: ", ")) FROM ("
            + "SELECT 0 AS _total, \(rowsLine.joined(separator: ", ")) FROM g GROUP BY _row"
            + " UNION ALL SELECT 1, \(totalLine.joined(separator: ", ")) FROM g) ORDER BY _total, \(quotedNames[0])"
        return BoundSQL(text: text, arguments: arguments)
    }

    /// How a cell combines the partials of g that `pick` lets through.
    private func combine(_ function: Aggregate.Function, _ pick: (String) -> String) -> String {
        switch function {
        case .count: return "coalesce(sum(\(pick("_n"))), 0)"
        case .count_distinct: return "count(DISTINCT \(pick("_d")))"
        case .sum, .min, .max: return "\(function.rawValue)(\(pick("_s")))"
        case .avg: return "total(\(pick("_s"))) / sum(\(pick("_n")))"
        }
    }

    /// The first name that stands twice in a result's columns, if any.
    static func repeated(_ names: [String]) -> String? {
        var seen = Set<String>()
        return names.first { !seen.insert($0).inserted }
    }

    /// An identifier as SQL writes it: in double quotes, a quote doubled.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
