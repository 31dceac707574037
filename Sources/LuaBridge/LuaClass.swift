import CLua
import LuaShim

/// How a Swift class appears in Lua: a userdata with a metatable of this name, whose methods and
/// fields are Swift functions. `__gc` releases the Swift object when Lua collects the userdata.
public final class LuaClass<T: AnyObject> {
    public typealias Method = (T, LuaCall) throws -> Int32
    /// Pushes the value of a field and returns true, or returns false for an unknown field.
    public typealias Fields = (T, String, LuaCall) throws -> Bool

    public let name: String
    let methods: [String: Method]
    let fields: Fields?
    let tostring: ((T) -> String)?
    let close: ((T) -> Void)?
    let metamethods: [String: Method]

    public init(name: String, methods: [String: Method] = [:], fields: Fields? = nil,
                tostring: ((T) -> String)? = nil, close: ((T) -> Void)? = nil, metamethods: [String: Method] = [:]) {
        self.metamethods = metamethods
        self.name = name
        self.methods = methods
        self.fields = fields
        self.tostring = tostring
        self.close = close
    }

    /// Creates the metatable in `state` (once per state).
    public func install(in state: LuaState) {
        let L = state.L
        let stack = state.stack
        // luaL_newmetatable also records __name, which error messages and objectRef use.
        if luaL_newmetatable(L, name) == 0 { stack.pop(); return }
        stack.push(object: self, metatable: "linkage.class") // keeps this description alive
        stack.rawSet(tableAt: -2, key: "__class")
        ls_push_box_gc(L) // releases the Swift object; its deinit does any cleanup
        stack.rawSet(tableAt: -2, key: "__gc")

        lua_createtable(L, 0, Int32(methods.count))
        for (method, body) in methods {
            let qualified = "\(name):\(method)"
            stack.push(function: { [self] call in
                guard let object = call.stack.object(at: 1, metatable: self.name, as: T.self) else {
                    throw LuaRuntimeError("calling '\(method)' on bad self (\(self.name) expected, got \(call.stack.typeName(at: 1))); use ':' not '.'")
                }
                return try body(object, call)
            }, name: qualified)
            stack.rawSet(tableAt: -2, key: method)
        }
        stack.rawSet(tableAt: -2, key: "__methods")

        stack.push(function: { [self] call in try self.index(call) }, name: "__index")
        stack.rawSet(tableAt: -2, key: "__index")
        if tostring != nil {
            stack.push(function: { [self] call in
                guard let o = call.stack.object(at: 1, metatable: self.name, as: T.self) else { return 0 }
                call.stack.push(string: self.tostring!(o))
                return 1
            }, name: "__tostring")
            stack.rawSet(tableAt: -2, key: "__tostring")
        }
        if close != nil {
            stack.push(function: { [self] call in
                if let o = call.stack.object(at: 1, metatable: self.name, as: T.self) { self.close!(o) }
                return 0
            }, name: "__close")
            stack.rawSet(tableAt: -2, key: "__close")
        }
        for (event, body) in metamethods {
            stack.push(function: { [self] call in
                guard let object = call.stack.object(at: 1, metatable: self.name, as: T.self) else {
                    throw LuaRuntimeError("\(event) on a value that is not a \(self.name)")
                }
                return try body(object, call)
            }, name: event)
            stack.rawSet(tableAt: -2, key: event)
        }
        stack.pop()
    }

    /// Pushes `object` as a userdata of this class.
    public func push(_ object: T, on stack: LuaStack) {
        stack.push(object: object, metatable: name)
    }

    private func index(_ call: LuaCall) throws -> Int32 {
        guard let object = call.stack.object(at: 1, metatable: name, as: T.self) else { return 0 }
        guard lua_type(call.L, 2) == LUA_TSTRING, let key = call.stack.string(at: 2) else {
            call.stack.push(.nil)
            return 1
        }
        // Methods first, from the metatable's __methods, without metamethods.
        lua_getmetatable(call.L, 1)
        call.stack.rawGet(tableAt: -1, key: "__methods")
        lua_pushvalue(call.L, 2)
        if lua_rawget(call.L, -2) != LUA_TNIL { return 1 }
        call.stack.top = 2
        if let fields, try fields(object, key, call) { return 1 }
        call.stack.push(.nil)
        return 1
    }
}
