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

    /// Pushes the list of entries `{ linker, target, kind, area, reason }`. Linkers and targets
    /// are stubs (`{ id = n }` with the stub metatable of their table, which reads the record when
    /// a field is first asked for), one per record, and the texts are pushed once each, so a
    /// million entries cost a million small tables, not a million records. Keys and texts wait
    /// on the stack (pushing a Swift string costs a conversion each time).
    private func pushEntries(_ proposal: Assignment.Proposal, stubs: Int32, on call: LuaCall) {
        let L = call.L
        let stack = call.stack
        lua_checkstack(L, 40)
        func pushAll(_ texts: [String]) -> Int32 {
            lua_createtable(L, Int32(clamping: texts.count), 0)
            for (i, text) in texts.enumerated() {
                stack.push(string: text)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
            return lua_gettop(L)
        }
        var mt: [Int32] = []
        for name in ["cadre", "unit", "household", "village"] {
            stack.rawGet(tableAt: stubs, key: name)
            mt.append(lua_gettop(L))
        }
        let keys = ["id", "linker", "target", "kind", "area", "reason"].map { key -> Int32 in
            stack.push(string: key)
            return lua_gettop(L)
        }
        let (idKey, linkerKey, targetKey, kindKey, areaKey, reasonKey) = (keys[0], keys[1], keys[2], keys[3], keys[4], keys[5])
        let names = pushAll(proposal.areaNames), reasons = pushAll(proposal.reasons)
        var kindWords: [String] = []
        let kinds = pushAll([])
        lua_createtable(L, 0, 0)
        let cache = lua_gettop(L)
        lua_createtable(L, Int32(clamping: proposal.links.count), 0)
        let list = lua_gettop(L)
        func set(_ key: Int32) {
            lua_pushvalue(L, key)
            lua_rotate(L, -2, 1)
            lua_rawset(L, -3)
        }
        /// The one stub of a record: key `id * 4 + table` in the cache.
        func pushStub(_ id: Int64, _ table: Int) {
            let key = lua_Integer(id) * 4 + lua_Integer(table)
            if lua_rawgeti(L, cache, key) != LUA_TNIL { return }
            stack.pop()
            lua_createtable(L, 0, 1)
            lua_pushinteger(L, lua_Integer(id))
            set(idKey)
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
            set(linkerKey)
            switch p.target {
            case .household(let id): pushStub(id, 2)
            case .village(let id): pushStub(id, 3)
            }
            set(targetKey)
            var k = kindWords.firstIndex(of: p.kind) ?? -1
            if k < 0 {
                kindWords.append(p.kind)
                k = kindWords.count - 1
                stack.push(string: p.kind)
                lua_rawseti(L, kinds, lua_Integer(k + 1))
            }
            lua_rawgeti(L, kinds, lua_Integer(k + 1))
            set(kindKey)
            if p.area >= 0 {
                lua_rawgeti(L, names, lua_Integer(p.area) + 1)
                set(areaKey)
            }
            lua_rawgeti(L, reasons, lua_Integer(p.reason) + 1)
            set(reasonKey)
            lua_rawseti(L, list, lua_Integer(i + 1))
        }
        lua_copy(L, -1, stubs + 1)
        lua_settop(L, stubs + 1)
    }

    // MARK: apply(entries, as_of, allow_over_quota, kinds) --> links made, warnings
    // `kinds`: the metatables of records and stubs, each mapped to its table's name.

    private func apply(_ call: LuaCall) throws -> Int32 {
        let L = call.L
        let stack = call.stack
        guard lua_type(L, 1) == LUA_TTABLE else { throw call.argumentError(1, "a proposal expected") }
        guard lua_type(L, 4) == LUA_TTABLE else { throw call.argumentError(4, "the record metatables expected") }
        let day = try DateText.check(try call.optionalString(2) ?? queries.asOf, field: "as_of")
        let n = Int(lua_rawlen(L, 1))
        var links: [Linking.NewLink] = []
        links.reserveCapacity(n)
        lua_settop(L, 4)
        lua_checkstack(L, 20)
        let keys = ["linker", "target", "reason", "id"].map { key -> Int32 in
            stack.push(string: key)
            return lua_gettop(L)
        }
        /// Notes by the Lua string they come from: a proposal repeats a few hundred reasons.
        var notes: [UnsafeRawPointer: String] = [:]
        /// The table and id of the record (or stub) in field `key` of the entry on top.
        func record(_ key: Int32, _ i: Int, allowed: [String]) throws -> (String, Int64) {
            defer { stack.pop() }
            func what() -> String {
                "entry \(i): \(stack.string(at: key) ?? "") must be a record of \(allowed.map { $0 == "village" ? "village or community" : $0 }.joined(separator: " or "))"
            }
            lua_pushvalue(L, key)
            guard lua_rawget(L, -2) == LUA_TTABLE else { throw QueryError("\(what()); got \(stack.typeName(at: -1))") }
            var table = ""
            if lua_getmetatable(L, -1) != 0 {
                if lua_rawget(L, 4) == LUA_TSTRING { table = stack.string(at: -1) ?? "" }
                stack.pop()
            }
            guard allowed.contains(table) else { throw QueryError("\(what()); got \(table.isEmpty ? "a table" : "a \(table) record")") }
            defer { stack.pop() }
            var ok: Int32 = 0
            lua_pushvalue(L, keys[3])
            guard lua_rawget(L, -2) == LUA_TNUMBER else { throw QueryError("\(what()) with an id") }
            let id = ls_tointeger(L, -1, &ok)
            guard ok != 0 else { throw QueryError("\(what()) with an integer id") }
            return (table, Int64(id))
        }
        for i in stride(from: 1, through: n, by: 1) {
            guard lua_rawgeti(L, 1, lua_Integer(i)) == LUA_TTABLE else {
                defer { stack.pop() }
                throw QueryError("entry \(i): give { linker = record, target = record }, not a \(stack.typeName(at: -1))")
            }
            defer { stack.pop() }
            let (linkerTable, linkerID) = try record(keys[0], i, allowed: ["cadre", "unit"])
            let (targetTable, targetID) = try record(keys[1], i, allowed: ["household", "village"])
            var note: String?
            lua_pushvalue(L, keys[2])
            if lua_rawget(L, -2) == LUA_TSTRING, let text = lua_topointer(L, -1) {
                if let known = notes[text] { note = known } else {
                    note = "assign: " + (stack.string(at: -1) ?? "")
                    notes[text] = note
                }
            }
            stack.pop()
            links.append(Linking.NewLink(linkerTable == "unit" ? .unit(linkerID) : .cadre(linkerID),
                                         targetTable == "household" ? .household(targetID) : .village(targetID), note: note))
        }
        guard !links.isEmpty else { return call.returning(.integer(0), .array([])) } // nothing to write: no write lock
        try queries.willWrite()
        let made = try Linking.link(queries.db, links, since: day, allowOverQuota: call.boolean(3))
        call.push(.integer(Int64(made.ids.count)))
        call.push(.array(made.warnings.map { .string($0) }))
        return 2
    }
}
