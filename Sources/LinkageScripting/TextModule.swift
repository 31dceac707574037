import CLua
import LinkageModel
import LuaBridge
import LuaShim

/// Text on a terminal, in Lua: `linkage.width(s)` and `linkage.truncate(s, n)` (LinkageModel's
/// width rule, so Lua, the console and the exports agree), and the renderer (Lua/render.lua) that
/// the console and `-e` show results with.
public enum TextModule {
    /// Installs `linkage.width`, `linkage.truncate` and `linkage._render(values, opts)`. With
    /// `schema`, rows of records show their columns in the table's order, else `id` first and the
    /// rest by name.
    public static func install(in lua: LuaState, schema: SchemaCatalog? = nil) throws {
        lua.register(module: "linkage", functions: [
            "width": { call in call.returning(.integer(Int64(try call.string(1).displayWidth))) },
            "truncate": { call in
                let columns = try call.integer(2)
                guard columns >= 0 else { throw call.argumentError(2, "a number of columns, 0 or more, expected") }
                return call.returning(.string(try call.string(1).truncated(to: Int(clamping: columns))))
            },
        ])
        let source = String(decoding: PackageResources.render_lua, as: UTF8.self)
        try lua.load(source, chunkName: "=(linkage render)")
        let linkage = lua[global: "linkage"]
        lua.stack.push(.dictionary([
            "width": linkage["width"], "truncate": linkage["truncate"],
            "columns": .reference(function(lua) { call in
                guard let info = schema?[try call.string(1)] else { return call.returning(.nil) }
                return call.returning(.array(info.columnNames.map { .string($0) }))
            }),
        ]))
        try lua.callOnStack(nargs: 1)
        _ = lua.stack.rawGet(tableAt: -1, key: "render")
        let render = lua.stack.value(at: -1)
        lua.stack.pop(2)
        ls_pushglobaltable(lua.L)
        _ = lua.stack.rawGet(tableAt: -1, key: "linkage")
        lua.stack.push(render)
        lua.stack.rawSet(tableAt: -2, key: "_render")
        lua.stack.pop(2)
    }

    private static func function(_ lua: LuaState, _ body: @escaping LuaFunction) -> LuaReference {
        lua.stack.push(function: body, name: "columns")
        defer { lua.stack.pop() }
        return lua.stack.reference(at: -1)
    }

    /// The values on the stack above `base` as the console shows them (nothing for no values);
    /// the stack is left as it was.
    public static func render(_ lua: LuaState, valuesAbove base: Int32, options: RenderOptions) throws(LuaScriptError) -> String {
        let L = lua.L
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        ls_pushglobaltable(L)
        _ = lua.stack.rawGet(tableAt: -1, key: "linkage")
        _ = lua.stack.rawGet(tableAt: -1, key: "_render")
        lua_createtable(L, top - base, 1)
        for i in stride(from: base + 1, through: top, by: 1) {
            lua_pushvalue(L, i)
            lua_rawseti(L, -2, lua_Integer(i - base))
        }
        lua.stack.push(.integer(Int64(top - base)))
        lua.stack.rawSet(tableAt: -2, key: "n")
        lua.stack.push(options.luaValue)
        try lua.callOnStack(nargs: 2)
        return lua.stack.string(at: -1) ?? ""
    }
}

/// How the renderer lays values out (the console's `:mode`, the terminal's width, colour).
public struct RenderOptions: Sendable, Equatable {
    public enum Mode: String, CaseIterable, Sendable { case table, box, csv, json, markdown, line }
    /// Terminal columns every line fits in.
    public var width: Int
    public var mode: Mode
    /// ANSI colour: only on a terminal, never under NO_COLOR (the caller decides).
    public var color: Bool
    /// Rows of a query shown before "… N rows in all".
    public var rows: Int
    /// Levels of nested tables shown before `{…}`.
    public var depth: Int

    public init(width: Int = 80, mode: Mode = .table, color: Bool = false, rows: Int = 20, depth: Int = 4) {
        self.width = width
        self.mode = mode
        self.color = color
        self.rows = rows
        self.depth = depth
    }

    var luaValue: LuaValue {
        .dictionary(["width": .integer(Int64(width)), "mode": .string(mode.rawValue), "color": .boolean(color),
                     "rows": .integer(Int64(rows)), "depth": .integer(Int64(depth))])
    }
}
