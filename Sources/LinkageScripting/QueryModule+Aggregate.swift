import CLua
import LinkageModel
import LuaBridge

/// `aggregate{}` and `pivot{}` as Lua writes them, turned into the model's `Aggregate` and `Pivot`,
/// and their results as rows lists.
extension QueryModule {
    /// `{ households = 'count', income = { 'avg', 'income' }, villages = { 'count', 'village', distinct = true } }`,
    /// by name: a Lua table has no order, so columns come sorted after the group keys.
    func aggregates(_ spec: LuaValue) throws -> [Aggregate] {
        guard case .table(let named) = spec, !named.isEmpty else {
            throw QueryError("aggregate{} takes name = function pairs, such as aggregate{ households = 'count', income = { 'avg', 'income' } }")
        }
        return try named.map { key, value -> Aggregate in
            guard case .string(let name) = key else { throw QueryError("aggregate{}: names are strings; got \(key.keyDescription)") }
            return try aggregate(value, name: name)
        }.sorted { $0.name < $1.name }
    }

    /// One aggregate: 'count', or { function, field [, distinct = true] }.
    func aggregate(_ value: LuaValue, name: String) throws -> Aggregate {
        let functions = Aggregate.Function.allCases.map(\.rawValue).joined(separator: ", ")
        var words: [LuaValue] = []
        var distinct = false
        switch value {
        case .string: words = [value]
        case .array(let a): words = a
        case .table(let t):
            words = (1...max(1, t.count)).compactMap { t[.integer(Int64($0))] }
            distinct = t[.string("distinct")] == .boolean(true)
            if let other = t.keys.first(where: { k in
                if case .integer(let i) = k { return i < 1 || i > Int64(words.count) }
                return k != .string("distinct")
            }) {
                throw QueryError("\(name): unknown option \(other.keyDescription); write { 'count', 'field', distinct = true }")
            }
        default: break
        }
        guard (1...2).contains(words.count), let function = words[0].stringValue, words.count == 1 || words[1].stringValue != nil else {
            throw QueryError("\(name): give a function ('count') or { function, field } such as { 'avg', 'income' }; functions: \(functions)")
        }
        guard var f = Aggregate.Function(rawValue: function) else {
            throw QueryError("\(name): unknown function '\(function)'; functions: \(functions)")
        }
        if distinct {
            guard f == .count || f == .count_distinct else { throw QueryError("\(name): distinct = true goes with count") }
            f = .count_distinct
        }
        return try Aggregate(name, f, of: words.count == 2 ? words[1].stringValue : nil)
    }

    /// `{ rows = 'township', columns = 'main_cause', value = 'count' | { 'sum', 'income' }, total = '合计' }`.
    func pivot(_ spec: LuaValue) throws -> Pivot {
        guard case .table(let t) = spec else {
            throw QueryError("pivot{} takes { rows = field, columns = field, value = 'count' or { 'sum', 'income' } }")
        }
        let known: Set<LuaValue> = ["rows", "columns", "value", "total"]
        if let other = t.keys.first(where: { !known.contains($0) }) {
            throw QueryError("pivot{}: unknown option \(other.keyDescription); options: rows, columns, value, total")
        }
        guard let rows = t[.string("rows")]?.stringValue, let columns = t[.string("columns")]?.stringValue else {
            throw QueryError("pivot{} needs rows = field and columns = field, such as pivot{ rows = 'township', columns = 'main_cause' }")
        }
        let total = t[.string("total")]
        guard total == nil || total?.stringValue != nil else { throw QueryError("pivot{}: total is the name of the total row and column, a string") }
        return Pivot(rows: rows, columns: columns, value: try aggregate(t[.string("value")] ?? "count", name: "value"),
                     total: total?.stringValue ?? "合计")
    }

    /// The first column of every row.
    func values(_ sql: BoundSQL) throws -> [SQLValue] {
        let s = try database.statement(sql.text)
        defer { database.giveBack(s) }
        try s.bind(sql.arguments)
        var values: [SQLValue] = []
        while try s.step() { values.append(s.value(0)) }
        return values
    }

    /// Pushes the rows of `sql` as a rows list: its metatable says the columns in order (so it
    /// prints and exports so) and gives `rows:sql()`. Made here rather than by a Lua wrapper, which
    /// would hide the script's line from an error when the call is a tail call (`return q:pivot{…}`).
    func pushResult(_ sql: BoundSQL, columns: [String], on call: LuaCall) throws -> Int32 {
        try pushList(sql, table: nil, on: call)
        let stack = call.stack
        lua_createtable(call.L, 0, 3)
        stack.push(.boolean(true))
        stack.rawSet(tableAt: -2, key: "__rows")
        stack.push(.array(columns.map { .string($0) }))
        stack.rawSet(tableAt: -2, key: "__columns")
        lua_createtable(call.L, 0, 1)
        let text = sql.description, values = sql.arguments.map(QueryObject.luaValue)
        stack.push(function: { call in call.returning(.string(text), .array(values)) }, name: "sql")
        stack.rawSet(tableAt: -2, key: "sql")
        stack.rawSet(tableAt: -2, key: "__index")
        lua_setmetatable(call.L, -2)
        return 1
    }
}
