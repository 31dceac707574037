import CLua
import GRDBSQLite
import LinkageModel
import LuaBridge

/// A query as Lua sees it: an immutable value; every chaining method returns a new one.
final class QueryObject {
    let query: Query
    unowned let module: QueryModule

    init(_ query: Query, module: QueryModule) {
        self.query = query
        self.module = module
    }

    private func generator() -> SQLGenerator { SQLGenerator(schema: module.schema, query: query) }
    private var table: String { query.entity.table }

    /// Chaining checks the new query at once (unknown fields, wrong types), so a mistake is
    /// reported on the line that made it, not where the query later runs.
    private func chained(_ q: Query, _ call: LuaCall) throws -> Int32 {
        let generator = SQLGenerator(schema: module.schema, query: q)
        if q.isGrouped { try generator.checkGrouping() } else { _ = try generator.select() }
        try PlaceNameCheck.check(module.db, try generator.placeNames())
        QueryObject.luaClass.push(QueryObject(q, module: module), on: call.stack)
        return 1
    }

    /// Arguments after self start at 2.
    private func field(_ call: LuaCall, _ i: Int32 = 2) throws -> String { try call.string(i) }

    nonisolated(unsafe) static let luaClass = LuaClass<QueryObject>(
        name: "linkage.query",
        methods: [
            "where": { q, call in
                if call.type(2) == LUA_TSTRING {
                    let values = try (3...max(3, call.count)).filter { $0 <= call.count }.map { try q.module.sqlValue(call.value($0), field: "where") }
                    return try q.chained(q.query.filtered(.fragment(try call.string(2), values)), call)
                }
                var next = q.query
                for p in try q.module.predicates(call.table(2), entity: q.query.entity) { next = next.filtered(p) }
                return try q.chained(next, call)
            },
            "order_by": { q, call in
                var next = q.query
                for i in 2...max(2, call.count) {
                    var spec = try call.string(i).trimmingCharacters(in: .whitespaces)
                    var descending = false
                    if spec.hasPrefix("-") { descending = true; spec.removeFirst() }
                    let words = spec.split(separator: " ")
                    if words.count == 2, ["desc", "asc"].contains(words[1].lowercased()) {
                        descending = words[1].lowercased() == "desc"
                        spec = String(words[0])
                    }
                    // A grouped query orders by its keys and aggregates, which aggregate{} checks.
                    if !q.query.isGrouped {
                        _ = try SQLGenerator(schema: q.module.schema, query: Query(q.query.entity).ordered(by: spec)).select()
                    }
                    next = next.ordered(by: spec, descending: descending)
                }
                return try q.chained(next, call)
            },
            "select": { q, call in
                let fields = try (2...max(2, call.count)).map { try call.string($0) }
                return try q.chained(q.query.selecting(fields), call)
            },
            "limit": { q, call in try q.chained(q.query.limited(Int(try call.integer(2))), call) },
            "offset": { q, call in try q.chained(q.query.offset(by: Int(try call.integer(2))), call) },
            "count": { q, call in try q.module.pushValue(try q.generator().count(), on: call); return 1 },
            "exists": { q, call in
                try q.module.pushValue(try q.generator().exists(), on: call)
                lua_pushboolean(call.L, lua_tointegerx(call.L, -1, nil) != 0 ? 1 : 0)
                return 1
            },
            "list": { q, call in try q.module.pushList(try q.generator().select(), table: q.table, on: call); return 1 },
            "first": { q, call in
                try q.module.pushList(try SQLGenerator(schema: q.module.schema, query: q.query.limited(1)).select(), table: q.table, on: call)
                lua_rawgeti(call.L, -1, 1)
                return 1
            },
            "get": { q, call in
                try q.module.pushList(try SQLGenerator(schema: q.module.schema, query: q.query.filtered(.compare(path: "id", .eq, .integer(try call.integer(2)))).limited(1)).select(),
                                      table: q.table, on: call)
                lua_rawgeti(call.L, -1, 1)
                return 1
            },
            "find": { q, call in
                var next = q.query
                for p in try q.module.predicates(call.table(2), entity: q.query.entity) { next = next.filtered(p) }
                try q.module.pushList(try SQLGenerator(schema: q.module.schema, query: next.limited(1)).select(), table: q.table, on: call)
                lua_rawgeti(call.L, -1, 1)
                return 1
            },
            "pluck": { q, call in
                let sql = try q.generator().pluck(try q.field(call))
                try q.module.pushList(sql, table: nil, on: call)
                // A list of single-column rows becomes a list of values.
                let n = lua_rawlen(call.L, -1)
                if n > 0 {
                    for i in 1...Int64(n) {
                        lua_rawgeti(call.L, -1, i)
                        lua_pushnil(call.L)
                        if lua_next(call.L, -2) != 0 {
                            lua_rawseti(call.L, -4, i) // the value replaces the row
                            call.stack.pop(2)
                        } else {
                            call.stack.pop()
                        }
                    }
                }
                return 1
            },
            "sum": { q, call in try q.module.pushValue(try q.generator().aggregate("sum", of: try q.field(call)), on: call); return 1 },
            "avg": { q, call in try q.module.pushValue(try q.generator().aggregate("avg", of: try q.field(call)), on: call); return 1 },
            "min": { q, call in try q.module.pushValue(try q.generator().aggregate("min", of: try q.field(call)), on: call); return 1 },
            "max": { q, call in try q.module.pushValue(try q.generator().aggregate("max", of: try q.field(call)), on: call); return 1 },
            "group_count": { q, call in
                let path = try q.field(call)
                let sql = try q.generator().groupCount(path)
                try q.module.pushList(sql, table: nil, on: call)
                return 1
            },
            "group_by": { q, call in
                let paths = try (2...max(2, call.count)).map { try call.string($0) }
                return try q.chained(q.query.grouped(by: paths), call)
            },
            "having": { q, call in
                guard q.query.isGrouped else { throw QueryError("having{} filters groups: write it after group_by(…); where{} filters rows") }
                var next = q.query
                for p in try q.module.predicates(call.table(2), entity: q.query.entity) {
                    guard case .compare(let name, let op, let value) = p else {
                        throw QueryError("having{} compares aggregates by name, such as having{ households = { gt = 10 } }")
                    }
                    next = next.having(name, op, value)
                }
                return try q.chained(next, call)
            },
            "aggregate": { q, call in
                let aggregates = try q.module.aggregates(call.table(2))
                return try q.module.pushResult(try q.generator().aggregated(aggregates), columns: q.query.groups + aggregates.map(\.name), on: call)
            },
            "pivot": { q, call in
                let pivot = try q.module.pivot(call.table(2))
                let columns = try q.module.values(try q.generator().pivotColumns(pivot))
                return try q.module.pushResult(try q.generator().pivot(pivot, columns: columns),
                                               columns: [pivot.rows] + columns.map(Pivot.columnName) + [pivot.total], on: call)
            },
            "sql": { q, call in
                // A grouped query shows the SQL of aggregate{} with the same table (a count by default).
                let sql = q.query.isGrouped ? try q.generator().aggregated(try q.module.aggregates(call.isNil(2) ? .table([.string("count"): .string("count")]) : call.table(2)))
                    : try q.generator().select()
                return call.returning(.string(sql.description), .array(sql.arguments.map(QueryObject.luaValue)))
            },
            "update": { q, call in
                let changed = try q.module.execute(try q.generator().update(try q.module.assignments(call.table(2))))
                return call.returning(.integer(changed))
            },
            "delete": { q, call in
                try q.refuseDeletingLinked()
                return call.returning(.integer(try q.module.execute(try q.generator().delete())))
            },
            "add": { q, call in
                let id = try RecordEditor(db: q.module.db, schema: q.module.schema).add(q.query.entity, try q.module.assignments(call.table(2)))
                try q.module.pushRecord(table: q.table, id: id, on: call)
                return 1
            },
            // The fetch function and cursor of a loop; `each` and `for r in q` are built on it in Lua.
            "_open": { q, call in
                try q.module.cursor(try q.generator().select(), table: q.table, L: call.L).push(on: call.stack)
                return 2
            },
            "linked": { q, call in try q.domain(call, "linked", for: ["household"]) { DomainFilter.households(linked: true, asOf: $0) } },
            "unlinked": { q, call in try q.domain(call, "unlinked", for: ["household"]) { DomainFilter.households(linked: false, asOf: $0) } },
            "uncovered": { q, call in try q.domain(call, "uncovered", for: ["village", "household"]) { [table = q.table] in DomainFilter.uncovered(table, asOf: $0) } },
            "eligible": { q, call in try q.domain(call, "eligible", for: ["cadre"]) { DomainFilter.eligibleCadres(asOf: $0) } },
            "active": { q, call in try q.domain(call, "active", for: ["link"]) { DomainFilter.activeLinks(asOf: $0) } },
        ],
        fields: { q, key, call in
            if key == "name" { call.push(.string(q.query.entity.name)); return true }
            throw QueryError("\(q.query.entity.name) has no method or field '\(key)'; see help(\(q.query.entity.name))")
        },
        tostring: { q in
            (try? SQLGenerator(schema: q.module.schema, query: q.query).select().description).map { "\(q.query.entity.name): \($0)" } ?? q.query.entity.name
        },
        metamethods: [
            "__len": { q, call in try q.module.pushValue(try q.generator().count(), on: call); return 1 },
        ])

    /// A domain filter with an optional date: `q:linked()`, `q:linked("2012-06-30")` or `q:linked{ as_of = … }`.
    private func domain(_ call: LuaCall, _ name: String, for tables: [String], _ make: (String) -> Predicate) throws -> Int32 {
        guard tables.contains(table) else {
            throw QueryError("\(name)() is a filter of \(Catalog.collections.filter { tables.contains($0.table) }.map(\.name).joined(separator: " and ")), not of \(query.entity.name)")
        }
        var date = module.asOf
        switch call.value(2) {
        case .string(let s): date = try DateText.check(s, field: "as_of")
        case .table(let t): if case .string(let s)? = t[.string("as_of")] { date = try DateText.check(s, field: "as_of") }
        default: break
        }
        let predicate = make(date)
        return try chained(query.filtered(predicate), call)
    }

    /// Deleting a household, cadre or unit that has links would lose history: refused, with the count.
    private func refuseDeletingLinked() throws {
        let column: String
        switch table {
        case "household": column = "household_id"
        case "cadre": column = "cadre_id"
        case "unit": column = "unit_id"
        case "village": column = "village_id"
        case "link": throw QueryError("links are never deleted; end them with link:close{ date = …, reason = … }")
        default: return
        }
        let ids = try generator().ids()
        let sql = BoundSQL(text: "SELECT count(DISTINCT \(column)) FROM link WHERE \(column) IN (\(ids.text))", arguments: ids.arguments)
        let s = try module.database.statement(sql.text)
        defer { module.database.giveBack(s) }
        try s.bind(sql.arguments)
        _ = try s.step()
        let linked = sqlite3_column_int64(s.handle, 0)
        if linked > 0 {
            throw QueryError("cannot delete: \(linked) of these \(query.entity.name) have links, and links keep their history; end the links (or hand them over) instead of deleting")
        }
    }

    static func luaValue(_ v: SQLValue) -> LuaValue {
        switch v {
        case .null: return .nil
        case .integer(let i): return .integer(i)
        case .real(let d): return .number(d)
        case .text(let s): return .string(s)
        case .blob(let b): return .bytes(b)
        }
    }
}
