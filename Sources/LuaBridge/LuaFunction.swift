import CLua
import Foundation
import LuaShim

/// A Swift function callable from Lua. It reads its arguments and pushes its results through the
/// `LuaCall`, and returns how many results it pushed. A thrown error becomes a Lua error, raised by
/// the C trampoline after this function has returned.
public typealias LuaFunction = (LuaCall) throws -> Int32

final class LuaFunctionBox {
    let name: String
    let body: LuaFunction
    init(name: String, body: @escaping LuaFunction) {
        self.name = name
        self.body = body
    }
}

/// The arguments and results of one call from Lua into Swift.
public struct LuaCall {
    public let stack: LuaStack
    /// The name the function was registered under, used in argument errors.
    public let name: String
    /// The number of arguments.
    public let count: Int32

    init(L: OpaquePointer, name: String) {
        stack = LuaStack(L)
        self.name = name
        count = lua_gettop(L)
    }

    public var L: OpaquePointer { stack.L }

    public func value(_ i: Int32) -> LuaValue { stack.value(at: i) }
    public func isNil(_ i: Int32) -> Bool { ls_isnoneornil(L, i) != 0 }
    public func type(_ i: Int32) -> Int32 { lua_type(L, i) }

    /// An argument error in the shape of `luaL_argerror`.
    public func argumentError(_ i: Int32, _ message: String) -> LuaRuntimeError {
        LuaRuntimeError("bad argument #\(i) to '\(name)' (\(message))")
    }

    private func expected(_ i: Int32, _ what: String) -> LuaRuntimeError {
        argumentError(i, "\(what) expected, got \(isNil(i) && i > count ? "no value" : stack.typeName(at: i))")
    }

    public func string(_ i: Int32) throws -> String {
        let t = lua_type(L, i)
        guard t == LUA_TSTRING || t == LUA_TNUMBER, let s = stack.string(at: i) else {
            throw expected(i, "string")
        }
        return s
    }

    public func optionalString(_ i: Int32) throws -> String? { isNil(i) ? nil : try string(i) }

    public func integer(_ i: Int32) throws -> Int64 {
        var ok: Int32 = 0
        let v = ls_tointeger(L, i, &ok)
        guard ok != 0 else {
            if lua_type(L, i) == LUA_TNUMBER { throw argumentError(i, "number has no integer representation") }
            throw expected(i, "number")
        }
        return Int64(v)
    }

    public func optionalInteger(_ i: Int32) throws -> Int64? { isNil(i) ? nil : try integer(i) }

    public func number(_ i: Int32) throws -> Double {
        var ok: Int32 = 0
        let v = ls_tonumber(L, i, &ok)
        guard ok != 0 else { throw expected(i, "number") }
        return v
    }

    public func boolean(_ i: Int32) -> Bool { lua_toboolean(L, i) != 0 }

    public func table(_ i: Int32) throws -> LuaValue {
        guard lua_type(L, i) == LUA_TTABLE else { throw expected(i, "table") }
        return stack.value(at: i)
    }

    public func object<T: AnyObject>(_ i: Int32, _ cls: LuaClass<T>) throws -> T {
        guard let o = stack.object(at: i, metatable: cls.name, as: T.self) else { throw expected(i, cls.name) }
        return o
    }

    // MARK: results

    public func push(_ v: LuaValue) { stack.push(v) }

    /// Pushes the values and returns their count, for `return call.returning(a, b)`.
    public func returning(_ values: LuaValue...) -> Int32 {
        for v in values { stack.push(v) }
        return Int32(values.count)
    }
}

/// The one C-callable entry for every Swift function: find the box, run it, and turn a thrown
/// error into a value on the stack and -1, so the trampoline raises it once this frame is gone.
let luaDispatch: ls_dispatch_fn = { L, context in
    let box = Unmanaged<LuaFunctionBox>.fromOpaque(context!).takeUnretainedValue()
    let call = LuaCall(L: L!, name: box.name)
    do {
        return try box.body(call)
    } catch let error as LuaScriptError {
        // Already positioned by the chunk that failed (a nested protected call).
        call.stack.push(string: error.message)
    } catch let error as LuaRuntimeError {
        pushPositioned(L!, error.message)
    } catch {
        pushPositioned(L!, LuaStateToken.token(for: L!)?.errorText?(error) ?? describe(error))
    }
    return -1
}

let luaRelease: ls_release_fn = { context in
    Unmanaged<AnyObject>.fromOpaque(context!).release()
}

private func pushPositioned(_ L: OpaquePointer, _ message: String) {
    ls_where_user(L)
    LuaStack(L).push(string: message)
    lua_concat(L, 2)
}

/// The text of an error for a person: `LocalizedError`'s description when there is one.
public func describe(_ error: any Error) -> String {
    if let e = error as? LocalizedError, let d = e.errorDescription { return d }
    return String(describing: error)
}
