import ArgumentParser
import Crypto
import Foundation
import LinkageModel

/// The options of every command that runs Lua: how the register is opened and what is shown.
struct ScriptOptions: ParsableArguments {
    @Flag(name: .long, help: "Run everything, print what would change per table, and roll it back.")
    var dryRun = false

    @Flag(name: .long, help: "Open the register read-only: every write fails with a clear message.")
    var readOnly = false

    @Flag(name: .customLong("show-pii"), help: "Print resident IDs and phone numbers whole (masked by default).")
    var showPII = false

    var mode: Register.Mode { readOnly ? .readOnly : .readWrite }

    /// The audit record of a run of `code` from `source` (a path, `-e` or `repl`).
    static func audit(source: String, code: Data, command: String? = nil) -> AuditSource {
        let hash = SHA256.hash(data: code).map { String(format: "%02x", $0) }.joined()
        return AuditSource(osUser: osUser, source: source, sha256: hash, command: command)
    }

    static var osUser: String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
    }
}
