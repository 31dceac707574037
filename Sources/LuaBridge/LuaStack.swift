import CLua
import LuaShim

/// Reading and pushing values on a Lua stack. Everything here uses only calls that cannot raise a
/// Lua error (raw accesses, pushes), so it is safe inside a Swift function called from Lua.
public struct LuaStack {
    public let L: OpaquePointer

    public init(_ L: OpaquePointer) { self.L = L }

    public var top: Int32 {
        get { lua_gettop(L) }
        nonmutating set { lua_settop(L, newValue) }
    }

    // MARK: pushing

    public func push(_ value: LuaValue) {
        switch value {
        case .nil: lua_pushnil(L)
        case .boolean(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s): push(string: s)
        case .bytes(let b): b.withUnsafeBufferPointer { ls_pushbytes(L, $0.baseAddress, $0.count) }
        case .array(let a):
            lua_createtable(L, Int32(clamping: a.count), 0)
            for (i, v) in a.enumerated() {
                push(v)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
        case .table(let t):
            lua_createtable(L, 0, Int32(clamping: t.count))
            for (k, v) in t where !k.isNil {
                push(k)
                push(v)
                lua_rawset(L, -3)
            }
        case .object(let ref):
            push(object: ref.object, metatable: ref.metatable)
        case .reference(let r):
            r.push(on: L)
        }
    }

    public func push(string s: String) {
        var s = s
        s.withUTF8 { ls_pushbytes(L, $0.baseAddress, $0.count) }
    }

    /// Pushes a Swift object as a userdata that keeps it alive until Lua collects it.
    public func push(object: AnyObject, metatable: String) {
        ls_push_box(L, Unmanaged.passRetained(object).toOpaque(), metatable)
    }

    public func push(function: @escaping LuaFunction, name: String = "?") {
        let box = LuaFunctionBox(name: name, body: function)
        ls_push_swift_function(L, Unmanaged.passRetained(box).toOpaque())
    }

    /// Sets `t[key] = value` on the table at `index` without metamethods (the value is on top).
    public func rawSet(tableAt index: Int32, key: String) {
        let t = lua_absindex(L, index)
        push(string: key)
        lua_rotate(L, -2, 1)
        lua_rawset(L, t)
    }

    /// Pushes `t[key]` of the table at `index` without metamethods.
    @discardableResult
    public func rawGet(tableAt index: Int32, key: String) -> Int32 {
        let t = lua_absindex(L, index)
        push(string: key)
        return lua_rawget(L, t)
    }

    public func pop(_ n: Int32 = 1) { ls_pop(L, n) }

    /// Moves the top value to `index`, shifting the values above it up.
    public func insert(at index: Int32) { ls_insert(L, index) }

    // MARK: registry references

    /// Holds the value at `index` for Swift, whatever its type.
    public func reference(at index: Int32) -> LuaReference { LuaReference(L, index: index) }

    /// Pops the top value into the registry and returns its reference.
    public func ref() -> Int32 { luaL_ref(L, ls_registryindex()) }
    public func push(ref: Int32) { lua_rawgeti(L, ls_registryindex(), lua_Integer(ref)) }
    public func unref(_ ref: Int32) { luaL_unref(L, ls_registryindex(), ref) }

    // MARK: reading

    public func type(at index: Int32) -> Int32 { lua_type(L, index) }

    public func typeName(at index: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, index)))
    }

    /// The bytes of the string (or number, converted in place as Lua does) at `index`.
    public func bytes(at index: Int32) -> UnsafeRawBufferPointer? {
        var len = 0
        guard let p = lua_tolstring(L, index, &len) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: len)
    }

    public func string(at index: Int32) -> String? {
        guard let b = bytes(at: index) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    public func value(at index: Int32) -> LuaValue {
        var visiting = Set<UnsafeRawPointer>()
        return value(at: lua_absindex(L, index), visiting: &visiting)
    }

    private func value(at index: Int32, visiting: inout Set<UnsafeRawPointer>) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(Int64(ls_tointeger(L, index, nil))) }
            return .number(ls_tonumber(L, index, nil))
        case LUA_TSTRING:
            var len = 0
            let p = lua_tolstring(L, index, &len)!
            let buffer = UnsafeRawBufferPointer(start: p, count: len)
            if let s = String(validating: buffer, as: UTF8.self) { return .string(s) }
            return .bytes(Array(buffer))
        case LUA_TTABLE:
            guard let id = lua_topointer(L, index), !visiting.contains(id) else {
                return .reference(LuaReference(L, index: index)) // a cycle stays a reference
            }
            visiting.insert(id)
            defer { visiting.remove(id) }
            return table(at: index, visiting: &visiting)
        case LUA_TUSERDATA:
            if let ref = objectRef(at: index) { return .object(ref) }
            return .reference(LuaReference(L, index: index))
        default:
            return .reference(LuaReference(L, index: index))
        }
    }

    private func table(at index: Int32, visiting: inout Set<UnsafeRawPointer>) -> LuaValue {
        var dict: [LuaValue: LuaValue] = [:]
        var isArray = true
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let k = value(at: lua_gettop(L) - 1, visiting: &visiting) // absolute: converting a table key pushes
            if case .integer = k {} else { isArray = false }
            dict[k] = value(at: lua_gettop(L), visiting: &visiting)
            pop()
        }
        let n = dict.count
        if isArray, n > 0, (1...n).allSatisfy({ dict[.integer(Int64($0))] != nil }) {
            return .array((1...n).map { dict[.integer(Int64($0))]! })
        }
        return .table(dict)
    }

    /// The Swift object of a userdata made by `push(object:metatable:)`, with its metatable name.
    public func objectRef(at index: Int32) -> LuaObjectRef? {
        guard lua_getmetatable(L, index) != 0 else { return nil }
        defer { pop() }
        guard rawGet(tableAt: -1, key: "__name") == LUA_TSTRING, let name = string(at: -1) else {
            pop()
            return nil
        }
        pop()
        guard let context = ls_test_box(L, index, name) else { return nil }
        return LuaObjectRef(Unmanaged<AnyObject>.fromOpaque(context).takeUnretainedValue(), metatable: name)
    }

    /// The object at `index` if it is a userdata with metatable `metatable`.
    public func object<T: AnyObject>(at index: Int32, metatable: String, as: T.Type = T.self) -> T? {
        guard let context = ls_test_box(L, index, metatable) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(context).takeUnretainedValue() as? T
    }

    /// `tostring(v)` under protection (a `__tostring` metamethod may raise).
    public func describe(at index: Int32) -> String {
        var len = 0
        let p = ls_tostring_protected(L, index, &len)!
        defer { pop() }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: len), as: UTF8.self)
    }
}
