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
            // run(name, year, as_of) --> { finding, ... }, the period's year and day
            "run": f("run") { [self] call in
                guard let check = Checks.named(try call.string(1)) else {
                    throw LuaRuntimeError("unknown check '\(try call.string(1))'; the checks are \(Checks.all.map(\.name).joined(separator: ", "))")
                }
                let period = try self.period(year: try call.optionalInteger(2), asOf: try call.optionalString(3))
                try check.requireRules(self.queries.db, period)
                try self.queries.pushList(try check.statement(self.queries.db, period), table: nil, on: call)
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
