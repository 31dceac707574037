import CLua
import LinkageModel
import LuaBridge

/// The primitives behind problem records (问题上报): report_problem on households and villages,
/// and escalate, follow_up, close and followups on problems. The model checks and writes
/// (`Problems`); here the arguments are read without metamethods, and a problem record is
/// refreshed in place, as link:close refreshes a link.
extension QueryModule {
    func problemPrimitives() -> [String: LuaValue] {
        [
            // P.report_problem(target_table, target_id, { by = record, on = date, description = text })
            "report_problem": primitive("report_problem") { [unowned self] call in
                try self.willWrite()
                let target: Linking.Target = try call.string(1) == "household" ? .household(try call.integer(2)) : .village(try call.integer(2))
                let opts = try options(call, 3, usage: "report_problem{ by = cadre_or_unit, on = date, description = text }")
                let reporter: Linking.Linker
                switch (recordTable(call, at: 3, field: "by"), opts["by"]["id"]) {
                case ("cadre", .integer(let id)): reporter = .cadre(id)
                case ("unit", .integer(let id)): reporter = .unit(id)
                default: throw QueryError("report_problem: by = the cadre or unit record that reports, such as cadres:get(1)")
                }
                let id = try Problems.report(self.db, by: reporter, about: target, on: try text(opts, "on") ?? self.asOf,
                                             description: try text(opts, "description") ?? "")
                try self.pushRecord(table: "problem", id: id, on: call)
                return 1
            },
            // P.escalate_problem(problem, { date = date })
            "escalate_problem": primitive("escalate_problem") { [unowned self] call in
                try self.willWrite()
                let (id, opts) = try problem(call, usage: "escalate{ date = date }")
                try Problems.escalate(self.db, problem: id, on: try text(opts, "date") ?? self.asOf)
                return try self.refresh(call, table: "problem", id: id)
            },
            // P.follow_up_problem(problem, { date = date, note = text })
            "follow_up_problem": primitive("follow_up_problem") { [unowned self] call in
                try self.willWrite()
                let (id, opts) = try problem(call, usage: "follow_up{ date = date, note = text }")
                _ = try Problems.followUp(self.db, problem: id, on: try text(opts, "date") ?? self.asOf, note: try text(opts, "note") ?? "")
                return try self.refresh(call, table: "problem", id: id)
            },
            // P.close_problem(problem, { date = date, resolution = text })
            "close_problem": primitive("close_problem") { [unowned self] call in
                try self.willWrite()
                let (id, opts) = try problem(call, usage: "close{ date = date, resolution = text }")
                try Problems.close(self.db, problem: id, on: try text(opts, "date") ?? self.asOf, resolution: try text(opts, "resolution") ?? "")
                return try self.refresh(call, table: "problem", id: id)
            },
            // P.problem_followups(problem_id) --> { followup record, ... } by date
            "problem_followups": primitive("problem_followups") { [unowned self] call in
                try self.pushList(BoundSQL(text: "SELECT * FROM problem_followup WHERE problem_id = ? ORDER BY date, id",
                                           arguments: [.integer(try call.integer(1))]), table: "problem_followup", on: call)
                return 1
            },
        ]
    }

    /// Replaces the fields of the record at 1 with its row as it is now, and returns the record:
    /// a variable holding it sees the change. Raw sets only, so no metamethod runs.
    func refresh(_ call: LuaCall, table: String, id: Int64) throws -> Int32 {
        try pushRecord(table: table, id: id, on: call)
        let L = call.L, fresh = lua_gettop(L)
        lua_pushnil(L)
        while lua_next(L, 1) != 0 {
            call.stack.pop()
            lua_pushvalue(L, -1)
            lua_pushnil(L)
            lua_rawset(L, 1) // clearing a field while traversing is allowed
        }
        lua_pushnil(L)
        while lua_next(L, fresh) != 0 {
            lua_pushvalue(L, -2)
            lua_rotate(L, -2, 1)
            lua_rawset(L, 1)
        }
        lua_settop(L, 1)
        return 1
    }
}

/// The table argument at `index` (an absent one is empty); anything else is a usage error.
private func options(_ call: LuaCall, _ index: Int32, usage: String) throws -> LuaValue {
    switch call.type(index) {
    case LUA_TTABLE: return call.value(index)
    case LUA_TNIL, LUA_TNONE: return .table([:])
    default: throw QueryError("give the fields by name: \(usage)")
    }
}

/// A text field of `opts`; numbers are refused rather than turned into text.
private func text(_ opts: LuaValue, _ key: String) throws -> String? {
    switch opts[key] {
    case .nil: return nil
    case .string(let s): return s
    default: throw QueryError("\(key) must be text, got a \(opts[key].typeName)")
    }
}

/// The problem record at 1 (its id) and the options at 2.
private func problem(_ call: LuaCall, usage: String) throws -> (Int64, LuaValue) {
    guard call.type(1) == LUA_TTABLE, case .integer(let id) = call.value(1)["id"] else {
        throw QueryError("call it on a problem record: p:\(usage)")
    }
    return (id, try options(call, 2, usage: usage))
}
