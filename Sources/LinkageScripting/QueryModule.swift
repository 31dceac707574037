import CLua
import Foundation
import GRDB
import GRDBSQLite
import LinkageModel
import LuaBridge

/// The query API in Lua: a global per collection (`households`, `cadres` …) whose methods build
/// queries (`where`, `order_by` …), run them as one SQL statement (`count`, `list` …) and edit in
/// bulk (`update`, `delete`). Rows come back as records: tables of their columns whose metatable
/// (made by the prelude, Lua/query.lua) resolves relations and methods.
final class QueryModule {
    let database: DatabaseModule
    let db: Database
    /// Read again when a rule changes what a column allows (``schemaChanged()``).
    private(set) var schema: SchemaCatalog
    private let L: OpaquePointer
    /// The record metatable of each table, as registry references.
    private var metatables: [String: Int32] = [:]
    /// The date the domain filters ask about when none is given.
    var asOf: String
    /// More connections to the register, for read-only work that can run at once (the checks of
    /// check.all); nil when the engine has none. Work on them falls back to this connection while
    /// the script's transaction holds changes only it sees.
    var parallel: ParallelReads?
    /// The last date a relation was asked about, known to be a real day.
    private var checkedDate: String?
    /// How many single records were read by id (relations); tests use it to prove there is no N+1.
    private(set) var recordReads = 0

    init(database: DatabaseModule, db: Database, L: OpaquePointer) throws {
        self.database = database
        self.db = db
        self.L = L
        schema = try SchemaCatalog(db)
        asOf = DateText.today()
    }

    /// Reads the schema again: after a change of the rules a column refers to (a new excluded
    /// category is a value cadre.excluded allows from then on).
    func schemaChanged() throws {
        schema = try SchemaCatalog(db)
    }

    func install(in lua: LuaState) throws {
        QueryObject.luaClass.install(in: lua)
        let stack = lua.stack
        let base = stack.top
        var collections: [String: LuaValue] = [:]
        for entity in Catalog.collections {
            collections[entity.name] = .object(LuaObjectRef(QueryObject(Query(entity), module: self), metatable: QueryObject.luaClass.name))
        }
        var p = primitives().merging(problemPrimitives()) { $1 }.merging(materialPrimitives()) { $1 }
        p["collections"] = .dictionary(collections)
        p["tables"] = .array(schema.tables.keys.sorted().map { .string($0) })
        try lua.load(String(decoding: PackageResources.query_lua, as: UTF8.self), chunkName: "=(linkage)")
        stack.push(.dictionary(p))
        try lua.callOnStack(nargs: 1)
        // The prelude returns the record metatables by table name.
        for table in schema.tables.keys {
            if stack.rawGet(tableAt: -1, key: table) == LUA_TTABLE { metatables[table] = stack.ref() } else { stack.pop() }
        }
        stack.top = base
        for (name, collection) in collections { lua[global: name] = collection }
    }

    /// The record metatable of `table` (made by Lua/query.lua), for another prelude's records.
    func metatable(_ table: String) -> LuaValue? {
        guard let ref = metatables[table] else { return nil }
        let stack = LuaStack(L)
        stack.push(ref: ref)
        return .reference(LuaReferenceBox.take(L))
    }

    // MARK: primitives the prelude builds on

    /// A Swift function as a value the prelude receives in its table of primitives.
    func primitive(_ name: String, _ body: @escaping LuaFunction) -> LuaValue {
        LuaStack(L).push(function: body, name: name)
        return .reference(LuaReferenceBox.take(L))
    }

    private func primitives() -> [String: LuaValue] {
        let f = primitive
        return [
            "get": f("get") { [unowned self] call in
                let table = try call.string(1)
                self.recordReads += 1
                try self.pushRecord(table: table, id: try call.integer(2), on: call)
                return 1
            },
            "columns": f("columns") { [unowned self] call in
                let table = try call.string(1)
                call.push(.array((self.schema[table]?.columnNames ?? []).map { .string($0) }))
                return 1
            },
            // A table's relations as the model declares them: belongs-to (read as fields, h.village)
            // and to many rows (record methods, c:households(date)); the prelude builds on both.
            "relations": f("relations") { call in
                let table = try call.string(1)
                let many = Catalog.recordRelations(of: table).map {
                    ($0.name, LuaValue.dictionary(["collection": .string($0.collection), "dated": .boolean($0.isDated)]))
                }
                return call.returning(
                    .dictionary(Catalog.table(table).relations.mapValues { .dictionary(["table": .string($0.table), "column": .string($0.column)]) }),
                    .dictionary(Dictionary(uniqueKeysWithValues: many)))
            },
            // related(table, name, id [, date]): the query of a record's relation to many rows.
            "related": f("related") { [unowned self] call in
                let table = try call.string(1), name = try call.string(2)
                guard let relation = Catalog.recordRelation(table, name) else { throw QueryError("\(table) has no relation \(name)") }
                var asOf = self.asOf
                if let date = try call.optionalString(4) {
                    // A loop asks with one date per record; checking it costs more than the query's SQL.
                    if date != self.checkedDate { self.checkedDate = try DateText.check(date, field: "as_of") }
                    asOf = date
                }
                QueryObject.luaClass.push(QueryObject(relation.query(id: try call.integer(3), asOf: asOf), module: self), on: call.stack)
                return 1
            },
            "changes": f("changes") { [unowned self] call in
                call.returning(.integer(sqlite3_total_changes64(self.database.connection)))
            },
            "update": f("update") { [unowned self] call in
                try self.willWrite()
                let table = try call.string(1)
                let id = try call.integer(2)
                try RecordEditor(db: self.db, schema: self.schema).update(Catalog.table(table), id: id, try self.assignments(call.table(3)))
                try self.pushRecord(table: table, id: id, on: call)
                return 1
            },
            "link": f("link") { [unowned self] call in
                try self.willWrite()
                let linker: Linking.Linker = try call.string(1) == "unit" ? .unit(try call.integer(2)) : .cadre(try call.integer(2))
                let target: Linking.Target = try call.string(3) == "household" ? .household(try call.integer(4)) : .village(try call.integer(4))
                let made = try Linking.link(self.db, linker, to: target, since: try call.optionalString(5) ?? self.asOf,
                                            allowOverQuota: call.boolean(6))
                try self.pushRecord(table: "link", id: made.ids[0], on: call)
                call.push(.array(made.warnings.map { .string($0) }))
                return 2
            },
            "end_link": f("end_link") { [unowned self] call in
                try self.willWrite()
                let id = try call.integer(1)
                try Linking.end(self.db, link: id, on: try call.optionalString(2) ?? self.asOf, reason: try call.string(3))
                try self.pushRecord(table: "link", id: id, on: call)
                return 1
            },
            // handover(cadre, successor or nil, date, reason, left (a date, or true for the date), allow_over_quota)
            "handover": f("handover") { [unowned self] call in
                try self.willWrite()
                let date = try call.optionalString(3) ?? self.asOf
                let leftOn: String? = call.type(5) == LUA_TBOOLEAN ? (call.boolean(5) ? date : nil) : try call.optionalString(5)
                let done = try Linking.handover(self.db, from: try call.integer(1), to: try call.optionalInteger(2), on: date,
                                                reason: try call.string(4), leftOn: leftOn, allowOverQuota: call.boolean(6))
                call.push(.integer(Int64(done.moved)))
                call.push(.integer(done.successor))
                call.push(.array(done.warnings.map { .string($0) }))
                return 3
            },
            // spare_quota("cadre" | "unit", id, date) --> { villages = …, … }
            "spare_quota": f("spare_quota") { [unowned self] call in
                let day = try call.optionalString(3) ?? self.asOf
                if try call.string(1) == "unit" {
                    let load = try Quota.unit(self.db, try call.integer(2), on: day)
                    return call.returning(.dictionary(["villages": load.spare.map { .integer(Int64($0)) } ?? .number(.infinity)]))
                }
                let load = try Quota.cadre(self.db, try call.integer(2), on: day)
                var spare: [String: LuaValue] = [:]
                for t in Quota.Category.allCases { spare[t.column] = .integer(Int64(load.spare[t.rawValue])) }
                return call.returning(.dictionary(spare))
            },
            // history("household" | "village", id) --> rows: who held it, from when to when, why it changed
            "history": f("history") { [unowned self] call in
                let target: Linking.Target = try call.string(1) == "household" ? .household(try call.integer(2)) : .village(try call.integer(2))
                try self.pushList(Linking.history(of: target), table: nil, on: call)
                return 1
            },
            "now": f("now") { call in
                var t = timespec()
                clock_gettime(CLOCK_MONOTONIC, &t)
                return call.returning(.number(Double(t.tv_sec) + Double(t.tv_nsec) / 1e9))
            },
            "help_text": f("help_text") { call in
                call.returning(.string(HelpCatalog.text(try call.optionalString(1))))
            },
            "help_keys": f("help_keys") { call in
                call.returning(.array(HelpCatalog.entries.map { .string($0.key) }))
            },
            "as_of": f("as_of") { [unowned self] call in
                if let date = try call.optionalString(1) { self.asOf = try DateText.check(date, field: "as_of") }
                return call.returning(.string(self.asOf))
            },
        ]
    }

    // MARK: running queries

    /// Runs `sql` and pushes every row as a record of `table` (or a plain row), in a list.
    func pushList(_ sql: BoundSQL, table: String?, on call: LuaCall) throws {
        let s = try database.statement(sql.text)
        defer { database.giveBack(s) }
        try s.bind(sql.arguments)
        s.pushColumnNames(on: call.L)
        let names = lua_gettop(call.L)
        lua_createtable(call.L, 0, 0)
        var n: lua_Integer = 0
        let meta = table.flatMap { metatables[$0] }
        while try s.step() {
            s.pushRow(on: call.L, names: names)
            if let meta {
                call.stack.push(ref: meta)
                lua_setmetatable(call.L, -2)
            }
            n += 1
            lua_rawseti(call.L, -2, n)
        }
        lua_rotate(call.L, -2, 1)
        call.stack.pop()
    }

    /// Runs `sql` and pushes the first column of the first row (nil when none).
    func pushValue(_ sql: BoundSQL, on call: LuaCall) throws {
        let s = try database.statement(sql.text)
        defer { database.giveBack(s) }
        try s.bind(sql.arguments)
        if try s.step() { s.pushColumn(0, on: call.L) } else { lua_pushnil(call.L) }
    }

    /// Runs a statement that changes rows and returns how many it changed.
    /// Before the model writes through GRDB: the session takes the write lock (see RegisterSession.willWrite).
    func willWrite() throws { try StatementGuard.on(database.connection)?.willWrite() }

    func execute(_ sql: BoundSQL) throws -> Int64 {
        let s = try database.statement(sql.text)
        defer { database.giveBack(s) }
        try s.bind(sql.arguments)
        while try s.step() {}
        return sqlite3_changes64(database.connection)
    }

    func cursor(_ sql: BoundSQL, table: String, L: OpaquePointer) throws -> RowCursor {
        let s = try database.statement(sql.text)
        do { try s.bind(sql.arguments) } catch { database.giveBack(s); throw error }
        return RowCursor(statement: s, L: L, metatableRef: metatables[table])
    }

    func pushRecord(table: String, id: Int64, on call: LuaCall) throws {
        try pushList(BoundSQL(text: "SELECT * FROM \(table) WHERE id = ?", arguments: [.integer(id)]), table: table, on: call)
        lua_rawgeti(call.L, -1, 1)
        lua_rotate(call.L, -2, 1)
        call.stack.pop()
    }

    // MARK: Lua values as SQL values

    /// A Lua value for a field: booleans as 1/0, a record (any table with an integer id) as its id.
    func sqlValue(_ v: LuaValue, field: String) throws -> SQLValue {
        switch v {
        case .nil: return .null
        case .boolean(let b): return .integer(b ? 1 : 0)
        case .integer(let i): return .integer(i)
        case .number(let d): return .real(d)
        case .string(let s): return .text(s)
        case .bytes(let b): return .blob(b)
        case .table(let t):
            if case .integer(let id)? = t[.string("id")] { return .integer(id) }
            throw QueryError("\(field): give a value or a record, not a table")
        case .array: throw QueryError("\(field): give one value; for several use { [\"in\"] = { … } }")
        case .object, .reference: throw QueryError("\(field): give a string, number, boolean or record")
        }
    }

    /// `{ field = value, … }` in a stable order (by field name).
    func assignments(_ table: LuaValue) throws -> [(String, SQLValue)] {
        guard case .table(let dict) = table else {
            if case .array = table { throw QueryError("give fields by name: { field = value, … }") }
            return []
        }
        return try dict.map { key, value -> (String, SQLValue) in
            guard case .string(let name) = key else { throw QueryError("field names are strings; got \(key.keyDescription)") }
            return (name, try sqlValue(value, field: name))
        }.sorted { $0.0 < $1.0 }
    }

    /// The predicates of `where{ … }`.
    func predicates(_ table: LuaValue, entity: Entity) throws -> [LinkageModel.Predicate] {
        guard case .table(let dict) = table else {
            if case .array = table { throw QueryError("where{} takes field = value pairs, such as where{ kind = 'rural' }") }
            return []
        }
        var result: [LinkageModel.Predicate] = []
        // Sorted by keyDescription: interpolating a key that is a Lua reference (a function, a
        // thread) crashed Swift's reflection.
        for (key, value) in dict.sorted(by: { $0.key.keyDescription < $1.key.keyDescription }) {
            guard case .string(let path) = key else { throw QueryError("where{}: field names are strings; got \(key.keyDescription)") }
            if case .table(let ops) = value, ops[.string("id")] == nil {
                for (opKey, operand) in ops.sorted(by: { $0.key.keyDescription < $1.key.keyDescription }) {
                    guard case .string(let op) = opKey else { throw QueryError("\(path): operators are named, such as { gt = 2 }") }
                    switch op {
                    case "null":
                        // Lua drops `f = nil` from a table: { null = true } asks for IS NULL, { null = false } for IS NOT NULL.
                        guard case .boolean(let isNull) = operand else { throw QueryError("\(path) null: give true (IS NULL) or false (IS NOT NULL)") }
                        result.append(.compare(path: path, isNull ? .eq : .ne, .null))
                    case "in", "not_in":
                        let values: [LuaValue]
                        switch operand {
                        case .array(let a): values = a
                        case .table(let t) where t.isEmpty: values = []
                        default: throw QueryError("\(path) \(op): give a list, such as { \"in\" = { 'a', 'b' } }")
                        }
                        result.append(.among(path: path, try values.map { try sqlValue($0, field: path) }, negated: op == "not_in"))
                    default:
                        guard let comparison = Comparison(rawValue: op) else {
                            throw QueryError("\(path): unknown operator '\(op)'; operators: \(Comparison.allCases.map(\.rawValue).joined(separator: ", ")), in, not_in, null")
                        }
                        result.append(.compare(path: path, comparison, try sqlValue(operand, field: path)))
                    }
                }
                continue
            }
            if case .array(let values) = value {
                result.append(.among(path: path, try values.map { try sqlValue($0, field: path) }, negated: false))
                continue
            }
            let v = try sqlValue(value, field: path)
            if let virtual = try VirtualField.predicate(path, v, entity: entity, schema: schema, asOf: asOf) {
                result.append(virtual)
            } else {
                result.append(.compare(path: path, .eq, v))
            }
        }
        return result
    }
}

/// Takes the value on top of the stack into the registry as a `LuaReference`.
enum LuaReferenceBox {
    static func take(_ L: OpaquePointer) -> LuaReference {
        let stack = LuaStack(L)
        defer { stack.pop() }
        return stack.reference(at: -1)
    }
}
