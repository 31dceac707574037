import CLua
import Foundation
import LinkageModel
import LuaBridge
import LuaShim

/// `assign.households{…}`, `assign.villages{…}`, `assign.all{…}`: proposals of new links from the
/// model's strategy (LinkageModel's Assignment), as a list a script prints, filters and edits, and
/// `proposal:apply()`, which makes the links through Linking.link, the checks of every link.
/// The wrapper is Lua/assign.lua; here are its two primitives, which move a proposal between the
/// model and Lua in bulk (a province proposes over a million links).
final class AssignModule {
    unowned let queries: QueryModule

    init(queries: QueryModule) { self.queries = queries }

    func install(in lua: LuaState) throws {
        try lua.runEmbedded(PackageResources.assign_lua, chunkName: "=(linkage assign)", arguments: [
            .function("propose") { [self] call in try self.propose(call) },
            .function("apply") { [self] call in try self.apply(call) },
            .function("get") { [self] call in
                try self.queries.pushRecord(table: try call.string(1), id: try call.integer(2), on: call)
                return 1
            },
            .value(.dictionary(Dictionary(uniqueKeysWithValues: ["cadre", "unit", "household", "village"].compactMap { t in
                self.queries.metatable(t).map { (t, $0) }
            }))),
        ])
    }

    // MARK: propose(scope, { as_of, fill, open_units, households = { id … }, … }, stub metatables)
    //   --> entries, uncovered rows, unfilled rows

    private func propose(_ call: LuaCall) throws -> Int32 {
        guard let scope = Assignment.Scope(rawValue: try call.string(1)) else {
            throw call.argumentError(1, "households, villages or all expected")
        }
        let opts = call.value(2)
        func ids(_ key: String) throws -> Set<Int64>? {
            switch opts[key] {
            case .nil: return nil
            case .array(let list):
                return Set(try list.map { v -> Int64 in
                    guard case .integer(let id) = v else { throw QueryError("\(key): give a query or a list of records") }
                    return id
                })
            case .table(let t) where t.isEmpty: return []
            default: throw QueryError("\(key): give a query or a list of records")
            }
        }
        func flag(_ key: String, _ otherwise: Bool) -> Bool {
            if case .boolean(let b) = opts[key] { return b }
            return otherwise
        }
        let day = try DateText.check(opts["as_of"].stringValue ?? queries.asOf, field: "as_of")
        let options = Assignment.Options(asOf: day, scope: scope, households: try ids("households"), villages: try ids("villages"),
                                         cadres: try ids("cadres"), units: try ids("units"),
                                         fill: flag("fill", true), openUnits: flag("open_units", true))
        guard lua_type(call.L, 3) == LUA_TTABLE else { throw call.argumentError(3, "the stub metatables expected") }
        let proposal = try Assignment.propose(queries.db, options)
        pushEntries(proposal, stubs: 3, on: call)
        func rows(_ list: [Assignment.Shortfall]) -> LuaValue {
            .array(list.map { .dictionary(["what": .string($0.what), "count": .integer(Int64($0.count)), "reason": .string($0.reason)]) })
        }
        call.push(rows(proposal.uncovered))
        call.push(rows(proposal.unfilled))
        return 3
    }

    /// Pushes the list of entries `{ linker, target, area, reason }`. Linkers and targets are
    /// stubs (`{ id = n }` with the stub metatable of their table, which reads the record when a
    /// field is first asked for), one per record, so a million entries cost a million small
    /// tables, not a million records.
    private func pushEntries(_ proposal: Assignment.Proposal, stubs: Int32, on call: LuaCall) {
        let L = call.L
        let stack = call.stack
        lua_checkstack(L, 40)
        var mt: [Int32] = []
        for name in ["cadre", "unit", "household", "village"] {
            stack.rawGet(tableAt: stubs, key: name)
            mt.append(lua_gettop(L))
        }
        lua_createtable(L, Int32(clamping: proposal.areaNames.count), 0)
        let names = lua_gettop(L)
        for (i, name) in proposal.areaNames.enumerated() {
            stack.push(string: name)
            lua_rawseti(L, names, lua_Integer(i + 1))
        }
        lua_createtable(L, 0, 0)
        let cache = lua_gettop(L)
        lua_createtable(L, Int32(clamping: proposal.links.count), 0)
        let list = lua_gettop(L)
        /// The one stub of a record: key `id * 4 + table` in the cache.
        func pushStub(_ id: Int64, _ table: Int) {
            let key = lua_Integer(id) * 4 + lua_Integer(table)
            if lua_rawgeti(L, cache, key) != LUA_TNIL { return }
            stack.pop()
            lua_createtable(L, 0, 1)
            lua_pushinteger(L, lua_Integer(id))
            stack.rawSet(tableAt: -2, key: "id")
            lua_pushvalue(L, mt[table])
            lua_setmetatable(L, -2)
            lua_pushvalue(L, -1)
            lua_rawseti(L, cache, key)
        }
        for (i, p) in proposal.links.enumerated() {
            lua_createtable(L, 0, 5)
            switch p.linker {
            case .cadre(let id): pushStub(id, 0)
            case .unit(let id): pushStub(id, 1)
            }
            stack.rawSet(tableAt: -2, key: "linker")
            switch p.target {
            case .household(let id): pushStub(id, 2)
            case .village(let id): pushStub(id, 3)
            }
            stack.rawSet(tableAt: -2, key: "target")
            stack.push(string: p.kind)
            stack.rawSet(tableAt: -2, key: "kind")
            if p.area >= 0 {
                lua_rawgeti(L, names, lua_Integer(p.area) + 1)
                stack.rawSet(tableAt: -2, key: "area")
            }
            stack.push(string: p.reason)
            stack.rawSet(tableAt: -2, key: "reason")
            lua_rawseti(L, list, lua_Integer(i + 1))
        }
        lua_copy(L, -1, stubs + 1)
        lua_settop(L, stubs + 1)
    }

    // MARK: apply(entries, as_of, allow_over_quota) --> links made, warnings

    private func apply(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        let stack = call.stack
        guard lua_type(L, 1) == LUA_TTABLE else { throw call.argumentError(1, "a proposal expected") }
        let day = try DateText.check(try call.optionalString(2) ?? queries.asOf, field: "as_of")
        let n = Int(lua_rawlen(L, 1))
        var links: [Linking.NewLink] = []
        links.reserveCapacity(n)
        lua_checkstack(L, 10)
        /// The table and id of a record (or stub) in field `key` of the entry on top.
        func record(_ key: String, _ i: Int, allowed: [String]) throws -> (String, Int64) {
            defer { stack.pop() }
            let what = "entry \(i): \(key) must be a record of \(allowed.map { $0 == "village" ? "village or community" : $0 }.joined(separator: " or "))"
            guard stack.rawGet(tableAt: -1, key: key) == LUA_TTABLE else { throw QueryError("\(what); got \(stack.typeName(at: -1))") }
            var table = ""
            if lua_getmetatable(L, -1) != 0 {
                if stack.rawGet(tableAt: -1, key: "__table") == LUA_TSTRING { table = stack.string(at: -1) ?? "" }
                stack.pop(2)
            }
            guard allowed.contains(table) else { throw QueryError("\(what); got \(table.isEmpty ? "a table" : "a \(table) record")") }
            defer { stack.pop() }
            var ok: Int32 = 0
            guard stack.rawGet(tableAt: -1, key: "id") == LUA_TNUMBER else { throw QueryError("\(what) with an id") }
            let id = ls_tointeger(L, -1, &ok)
            guard ok != 0 else { throw QueryError("\(what) with an integer id") }
            return (table, Int64(id))
        }
        for i in stride(from: 1, through: n, by: 1) {
            guard lua_rawgeti(L, 1, lua_Integer(i)) == LUA_TTABLE else {
                defer { stack.pop() }
                throw QueryError("entry \(i): give { linker = record, target = record }, not a \(stack.typeName(at: -1))")
            }
            defer { stack.pop() }
            let (linkerTable, linkerID) = try record("linker", i, allowed: ["cadre", "unit"])
            let (targetTable, targetID) = try record("target", i, allowed: ["household", "village"])
            var note: String?
            if stack.rawGet(tableAt: -1, key: "reason") == LUA_TSTRING, let reason = stack.string(at: -1) { note = "assign: " + reason }
            stack.pop()
            links.append(Linking.NewLink(linkerTable == "unit" ? .unit(linkerID) : .cadre(linkerID),
                                         targetTable == "household" ? .household(targetID) : .village(targetID), note: note))
        }
        try queries.willWrite()
        let made = try Linking.link(queries.db, links, since: day, allowOverQuota: call.boolean(3))
        call.push(.integer(Int64(made.ids.count)))
        call.push(.array(made.warnings.map { .string($0) }))
        return 2
    }
}
