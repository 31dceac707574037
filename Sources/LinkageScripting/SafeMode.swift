import LuaBridge

/// `--safe`: Lua/safe_mode.lua takes away processes, C code, the debug library and binary chunks,
/// and confines file writes to the working directory through `policy`.
enum SafeMode {
    static func install(in lua: LuaState, policy: WritePolicy) throws {
        let source = String(decoding: PackageResources.safe_mode_lua, as: UTF8.self)
        try lua.load(source, chunkName: "=(linkage safe mode)")
        lua.stack.push(function: { call in
            guard let why = policy.refusal(for: try call.string(1)) else { return call.returning(.nil) }
            return call.returning(.string(why))
        }, name: "may_write")
        try lua.callOnStack(nargs: 1)
    }
}
