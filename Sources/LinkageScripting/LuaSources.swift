import LuaBridge

/// A value handed to a file of Lua/ through its `...`: values and Swift functions go in this way,
/// never spliced into the source, so the files stay plain Lua that `luac5.4 -p` can check.
enum LuaArgument {
    case value(LuaValue)
    /// A Swift function, named as Lua's error messages will name it.
    case function(_ name: String, LuaFunction)
}

extension LuaState {
    /// Runs `source`, a file of Sources/LinkageScripting/Lua as `PackageResources` embeds it, with
    /// `arguments` as its `...`. Its results stay on the stack only when `keepingResults`.
    /// `chunkName` starts with "=(linkage" so errors point at the user's line, not linkage's.
    func runEmbedded(_ source: [UInt8], chunkName: String, arguments: [LuaArgument] = [],
                     keepingResults: Bool = false) throws(LuaScriptError) {
        let base = stack.top
        try load(String(decoding: source, as: UTF8.self), chunkName: chunkName)
        for argument in arguments {
            switch argument {
            case .value(let v): stack.push(v)
            case .function(let name, let body): stack.push(function: body, name: name)
            }
        }
        try callOnStack(nargs: Int32(arguments.count))
        if !keepingResults { stack.top = base }
    }
}
