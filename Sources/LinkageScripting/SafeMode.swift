import LuaBridge

/// `--safe`: Lua/safe_mode.lua takes away processes, C code, the debug library and binary chunks,
/// and confines file writes to the working directory through `policy`.
enum SafeMode {
    static func install(in lua: LuaState, policy: WritePolicy) throws {
        try lua.runEmbedded(PackageResources.safe_mode_lua, chunkName: "=(linkage safe mode)", arguments: [
            .function("may_write") { call in
                guard let why = policy.refusal(for: try call.string(1)) else { return call.returning(.nil) }
                return call.returning(.string(why))
            },
        ])
    }
}
