import LinkageModel
import LuaBridge
import LuaShim

/// Personal data prints masked (resident IDs as 620502********123X, mobile numbers as
/// 138****1234) in everything a script shows a person — print, io.write, io.stdout and io.stderr
/// writes, and its error messages — unless the session shows PII. Stored values stay whole. The
/// rule is LinkageModel's Privacy; print and the writes stay C functions with Lua's own behaviour.
enum PrivacyModule {
    static func install(in lua: LuaState, showPII: Bool) {
        lua.register(module: "linkage", functions: [
            "mask": { call in call.returning(.string(Privacy.mask(try call.string(1)))) },
        ])
        let stack = lua.stack
        ls_pushglobaltable(lua.L)
        _ = stack.rawGet(tableAt: -1, key: "linkage")
        stack.push(.boolean(showPII))
        stack.rawSet(tableAt: -2, key: "show_pii")
        stack.pop(2)
        if !showPII { lua.filterStandardOutput { Privacy.mask($0) } }
    }
}
