/// A chunk failed to load or run. The message is Lua's own (`file:line: text`); chunk and line are
/// read from it when it has that shape; the traceback is recorded by the message handler.
public struct LuaScriptError: Error, CustomStringConvertible, Sendable {
    /// `.limit`: a time limit or instruction budget stopped the script; `.interrupted`: Ctrl-C or
    /// `LuaState.interrupt()`; `.memory`: out of memory, the state's memory limit when `stopReason`
    /// says so.
    public enum Kind: Sendable { case syntax, runtime, memory, file, handler, limit, interrupted }
    public let kind: Kind
    public let message: String
    public let chunk: String?
    public let line: Int?
    public let traceback: String?
    /// The limit that stopped the script, with its value, so a caller can name it (`--timeout`).
    public let stopReason: LuaStopReason?

    public init(kind: Kind, message: String, traceback: String? = nil, stopReason: LuaStopReason? = nil) {
        self.kind = kind
        self.message = message
        self.traceback = traceback
        self.stopReason = stopReason
        (chunk, line) = LuaScriptError.position(in: message)
    }

    public var description: String {
        guard let tb = traceback, !tb.isEmpty else { return message }
        return message + "\n" + tb
    }

    /// Splits Lua's `chunk:line: text` prefix.
    static func position(in message: String) -> (String?, Int?) {
        var search = message[...]
        while let colon = search.firstIndex(of: ":") {
            let afterColon = message.index(after: colon)
            let digits = message[afterColon...].prefix(while: { $0.isASCII && $0.isNumber })
            let end = digits.endIndex
            if !digits.isEmpty, end < message.endIndex, message[end] == ":" {
                return (String(message[..<colon]), Int(digits))
            }
            search = message[afterColon...]
        }
        return (nil, nil)
    }
}

/// Throw from a Swift function called by Lua to raise a Lua error. `message` is prefixed with the
/// caller's `file:line:` as `error()` would do.
public struct LuaRuntimeError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
