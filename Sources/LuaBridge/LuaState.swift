import CLua
import LuaShim

/// Owns one `lua_State` and closes it. Not thread-safe: keep a state on one thread.
public final class LuaState {
    public let L: OpaquePointer
    /// Released on close, before lua_close: references see their state gone from then on, also
    /// when a finalizer run by the close drops one.
    private var token: LuaStateToken?
    /// The allocator's count and cap, the hook's limits; outlives the state for `LuaInterrupter`s.
    let limits: LuaLimitsHandle
    var settings = LuaLimitSettings()
    /// The standard-output filter, kept alive as long as the state (see filterStandardOutput).
    var outputFilter: LuaOutputFilter?

    public init(openLibraries: Bool = true) {
        ls_install(luaDispatch, luaRelease)
        var limits: OpaquePointer?
        guard let L = ls_newstate(&limits), let limits else { fatalError("Lua: out of memory creating a state") }
        self.L = L
        self.limits = LuaLimitsHandle(limits)
        token = LuaStateToken.open(L)
        if openLibraries { luaL_openlibs(L) }
    }

    public private(set) var isClosed = false

    /// How an error thrown by a Swift function becomes the Lua error's message, when the layer
    /// above has words of its own for it (nil: ``describe(_:)``). Per state, so one state's
    /// words never change another's, nor the error types themselves.
    public var errorText: ((any Error) -> String?)? {
        get { token?.errorText }
        set { token?.errorText = newValue }
    }

    /// Closes the state now: every userdata is collected, so Swift objects it held are released.
    /// Idempotent. May be called from a Swift function that Lua is running (as `os.exit(code, true)`
    /// does): finalizers run, then the caller must not return into Lua — it exits the process.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        LuaStateToken.close(L)
        token = nil
        ls_close(L)
    }

    deinit { close() }

    public var stack: LuaStack { LuaStack(L) }

    // MARK: globals

    public subscript(global name: String) -> LuaValue {
        get {
            ls_pushglobaltable(L)
            stack.rawGet(tableAt: -1, key: name)
            defer { stack.pop(2) }
            return stack.value(at: -1)
        }
        set {
            ls_pushglobaltable(L)
            stack.push(newValue)
            stack.rawSet(tableAt: -2, key: name)
            stack.pop()
        }
    }

    /// Makes a Swift function a Lua global.
    public func register(_ name: String, _ function: @escaping LuaFunction) {
        ls_pushglobaltable(L)
        stack.push(function: function, name: name)
        stack.rawSet(tableAt: -2, key: name)
        stack.pop()
    }

    /// Sets a global table of Swift functions (a module such as `db`), creating it if absent.
    public func register(module: String, functions: [String: LuaFunction]) {
        ls_pushglobaltable(L)
        if stack.rawGet(tableAt: -1, key: module) != LUA_TTABLE {
            stack.pop()
            lua_createtable(L, 0, Int32(functions.count))
            lua_pushvalue(L, -1)
            stack.rawSet(tableAt: -3, key: module)
        }
        for (name, f) in functions {
            stack.push(function: f, name: "\(module).\(name)")
            stack.rawSet(tableAt: -2, key: name)
        }
        stack.pop(2)
    }

    // MARK: loading and running

    /// Compiles a chunk and pushes it as a function.
    public func load(_ code: String, chunkName: String) throws(LuaScriptError) {
        var code = code
        let status = code.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { ls_loadbuffer(L, $0.baseAddress, $0.count, chunkName) }
        }
        try check(loadStatus: status)
    }

    /// Compiles a file (a first line starting with `#` is skipped, as `lua` does) and pushes it.
    public func load(file path: String) throws(LuaScriptError) {
        try check(loadStatus: ls_loadfile(L, path))
    }

    private func check(loadStatus status: Int32) throws(LuaScriptError) {
        guard status != LUA_OK else { return }
        let message = stack.describe(at: -1)
        stack.pop()
        switch status {
        case LUA_ERRSYNTAX: throw LuaScriptError(kind: .syntax, message: message)
        case LUA_ERRMEM: throw memoryError(message)
        default: throw LuaScriptError(kind: .file, message: message)
        }
    }

    /// Calls the function on top of the stack, below which nothing of the call is left, with `args`,
    /// under a message handler; returns every result.
    @discardableResult
    public func call(_ args: [LuaValue] = []) throws(LuaScriptError) -> [LuaValue] {
        let base = stack.top - 1
        for a in args { stack.push(a) }
        try callOnStack(nargs: Int32(args.count))
        defer { stack.top = base }
        return (base + 1...max(base + 1, stack.top)).prefix(Int(stack.top - base)).map { stack.value(at: $0) }
    }

    /// Calls the function below `nargs` pushed arguments, leaving every result on the stack.
    public func callOnStack(nargs: Int32) throws(LuaScriptError) {
        let status = ls_pcall_traceback(L, nargs, LUA_MULTRET)
        guard status != LUA_OK else { return }
        let message = stack.describe(at: -1)
        stack.pop()
        ls_push_last_traceback(L)
        let traceback = stack.string(at: -1)
        stack.pop()
        if let reason = stopReason {
            // The stop's own words, whatever a script that caught and re-raised it made of them.
            throw LuaScriptError(kind: reason == .interrupted ? .interrupted : .limit, message: reason.message,
                                 traceback: traceback, stopReason: reason)
        }
        if status == LUA_ERRMEM || (ls_memory_refused(limits.pointer) != 0 && message.hasSuffix("not enough memory")) {
            throw memoryError(message, traceback: traceback)
        }
        throw LuaScriptError(kind: status == LUA_ERRERR ? .handler : .runtime, message: message, traceback: traceback)
    }

    /// Loads and runs a chunk of source.
    @discardableResult
    public func run(_ code: String, chunkName: String? = nil, args: [LuaValue] = []) throws(LuaScriptError) -> [LuaValue] {
        try load(code, chunkName: chunkName ?? "=" + code.prefix(60))
        return try call(args)
    }

    // MARK: memory

    public func collectGarbage() { ls_gc_collect(L) }
    public var memoryInUse: Int { ls_gc_bytes(L) }
}
