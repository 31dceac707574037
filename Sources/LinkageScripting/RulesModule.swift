import CLua
import Foundation
import GRDB
import LinkageModel
import LuaBridge

/// `check.*` and `rules.*` in Lua: the model's checks (Checks) and dated rules (RuleBook), with
/// the friendlier half — one function per check, check.all, summaries — in Lua/rules.lua. The
/// primitives hold the module (as ExchangeModule's do): the Lua state keeps it alive.
final class RulesModule {
    let queries: QueryModule

    init(queries: QueryModule) {
        self.queries = queries
    }

    func install(in lua: LuaState) throws {
        let f = queries.primitive
        let primitives: [String: LuaValue] = [
            "columns": .array(Check.columns.map { .string($0) }),
            "checks": .array(Checks.all.map { .dictionary(["name": .string($0.name), "title": .string($0.title)]) }),
            "kinds": .array(RuleBook.kinds.map { k in
                .dictionary(["name": .string(k.name), "table": .string(k.table), "title": .string(k.title),
                             "keys": .array(k.keys.map { .string($0) }), "values": .array(k.values.map { .string($0) })])
            }),
            // run(names, year, as_of, severity) --> { finding, ... } of the named checks in their
            // order, at `severity` or worse; the period's year and day. The checks run at once on
            // the engine's other connections when the script has changed nothing yet.
            "run": f("run") { [self] call in
                let given: [LuaValue]
                switch try call.table(1) {
                case .array(let list): given = list
                case .table(let t) where t.isEmpty: given = []
                default: throw call.argumentError(1, "a list of checks")
                }
                let checks = try given.map { value -> Check in
                    guard case .string(let name) = value, let check = Checks.named(name) else {
                        let given: String = if case .string(let s) = value { s } else { value.typeName }
                        throw LuaRuntimeError("unknown check '\(given)'; the checks are \(Checks.all.map(\.name).joined(separator: ", "))")
                    }
                    return check
                }
                let period = try self.period(year: try call.optionalInteger(2), asOf: try call.optionalString(3))
                let L = call.L
                lua_createtable(L, 0, 0)
                var n: lua_Integer = 0
                do {
                    try Checks.findings(self.queries.db, checks, period, minSeverity: try call.optionalString(4) ?? "info",
                                        parallel: self.queries.parallel) { row in
                        lua_createtable(L, 0, Int32(Check.columns.count))
                        for (name, value) in zip(Check.columns, row) {
                            call.push(QueryObject.luaValue(value))
                            lua_setfield(L, -2, name)
                        }
                        n += 1
                        lua_rawseti(L, -2, n)
                    }
                } catch let e as QueryError {
                    throw LuaRuntimeError(e.message)
                }
                call.push(.integer(Int64(period.year)))
                call.push(.string(period.asOf))
                return 3
            },
            // rows(kind, day or nil for every row) --> { row, ... }
            "rows": f("rows") { [self] call in
                let kind = try RuleBook.kind(try call.string(1))
                let day = try call.optionalString(2).map { try DateText.check($0, field: "as_of") }
                try self.queries.pushList(RuleBook.select(kind, on: day), table: nil, on: call)
                return 1
            },
            // set(kind, fields, from, note) --> the id of the row in force from `from`
            "set": f("set") { [self] call in
                try self.queries.willWrite()
                let kind = try RuleBook.kind(try call.string(1))
                let (key, values) = try self.split(call.table(2), kind)
                let id = try RuleBook.set(self.queries.db, kind, key: key, values: values, from: try call.string(3), note: try call.optionalString(4))
                if kind.changesSchemaValues { try self.queries.schemaChanged() }
                return call.returning(.integer(id))
            },
            // stop(kind, key fields, on)
            "stop": f("stop") { [self] call in
                try self.queries.willWrite()
                let kind = try RuleBook.kind(try call.string(1))
                let (key, values) = try self.split(call.table(2), kind)
                guard values.isEmpty else { throw LuaRuntimeError("rules.stop takes the rule's name (\(kind.keys.joined(separator: ", "))) and on = DATE") }
                try RuleBook.end(self.queries.db, kind, key: key, on: try call.string(3))
                return 0
            },
            "as_of": f("as_of") { [self] call in call.returning(.string(self.queries.asOf)) },
        ]
        try lua.runEmbedded(PackageResources.rules_lua, chunkName: "=(linkage rules)", arguments: [.value(.dictionary(primitives))])
    }

    /// Without a year or a day, the session's day (linkage.as_of) and its year.
    func period(year: Int64?, asOf: String?) throws -> CheckPeriod {
        do {
            return try CheckPeriod(year: year.map { Int($0) }, asOf: asOf ?? (year == nil ? queries.asOf : nil))
        } catch let e as QueryError {
            throw LuaRuntimeError(e.message)
        }
    }

    /// A rule's fields: those that name it (role …) and the numbers to set.
    func split(_ fields: LuaValue, _ kind: RuleBook.Kind) throws -> ([String: SQLValue], [String: SQLValue]) {
        var key: [String: SQLValue] = [:], values: [String: SQLValue] = [:]
        for (name, value) in try queries.assignments(fields) {
            if kind.keys.contains(name) { key[name] = value } else { values[name] = value }
        }
        return (key, values)
    }
}
