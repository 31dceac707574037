import CLua
import LuaShim

/// A Lua value held in the registry so Swift can keep it (a function, a cyclic table). Released when
/// the Swift reference goes away, as long as its state is still open.
public final class LuaReference: Hashable, @unchecked Sendable {
    private let ref: Int32
    private weak var owner: LuaStateToken?
    let L: OpaquePointer

    init(_ L: OpaquePointer, index: Int32) {
        self.L = L
        lua_pushvalue(L, index)
        ref = luaL_ref(L, ls_registryindex())
        owner = LuaStateToken.token(for: L)
    }

    func push(on L: OpaquePointer) {
        guard owner != nil, L == self.L else { lua_pushnil(L); return }
        lua_rawgeti(L, ls_registryindex(), lua_Integer(ref))
    }

    /// The Lua type name of the referenced value.
    public var typeName: String {
        guard owner != nil else { return "nil" }
        lua_rawgeti(L, ls_registryindex(), lua_Integer(ref))
        defer { ls_pop(L, 1) }
        return String(cString: lua_typename(L, lua_type(L, -1)))
    }

    deinit {
        if owner != nil { luaL_unref(L, ls_registryindex(), ref) }
    }

    public static func == (a: LuaReference, b: LuaReference) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

/// Lives exactly as long as an open `LuaState`, so references know whether their state is gone.
final class LuaStateToken: @unchecked Sendable {
    /// The state's own words for a Swift error raised into Lua (`LuaState.errorText`).
    var errorText: ((any Error) -> String?)?
    nonisolated(unsafe) private static var live: [OpaquePointer: LuaStateToken] = [:]
    static func token(for L: OpaquePointer) -> LuaStateToken? {
        var main: OpaquePointer = L
        lua_rawgeti(L, ls_registryindex(), lua_Integer(LUA_RIDX_MAINTHREAD))
        if let t = lua_tothread(L, -1) { main = t }
        ls_pop(L, 1)
        return live[main]
    }
    static func open(_ L: OpaquePointer) -> LuaStateToken {
        let t = LuaStateToken()
        live[L] = t
        return t
    }
    static func close(_ L: OpaquePointer) { live[L] = nil }
}
