import ArgumentParser
import Crypto
import Foundation
import LinkageModel
import LinkageScripting

/// The options of every command that runs Lua: how the register is opened and what is shown.
struct ScriptOptions: ParsableArguments {
    @Flag(name: .long, help: "Run everything, print what would change per table, and roll it back.")
    var dryRun = false

    @Flag(name: .long, help: "Open the register read-only: every write fails with a clear message.")
    var readOnly = false

    @Flag(name: .customLong("show-pii"), help: "Print resident IDs and phone numbers whole (masked by default).")
    var showPII = false

    @Flag(name: .long, help: "Run a script you did not write: no programs, no C modules, no debug library, no files written outside the working directory.")
    var safe = false

    @Option(name: .long, help: ArgumentHelp("Stop the script after this many seconds (it is rolled back).", valueName: "seconds"))
    var timeout: Double?

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("Stop the script when its Lua memory passes this many MB (it is rolled back).", valueName: "MB"))
    var maxMemory: Int?

    @Option(name: .customLong("max-instructions"), help: ArgumentHelp("Stop the script after this many Lua instructions (it is rolled back).", valueName: "count"))
    var maxInstructions: Int?

    var mode: Register.Mode { readOnly ? .readOnly : .readWrite }

    /// The run's limits; Ctrl-C stops the script and rolls it back rather than killing the process.
    var limits: ScriptLimits {
        ScriptLimits(timeout: timeout, maxMemory: maxMemory.map { $0 << 20 }, instructions: maxInstructions, catchInterrupt: true)
    }

    func validate() throws {
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if let maxMemory, maxMemory <= 0 || maxMemory > 1 << 20 { throw ValidationError("--max-memory must be between 1 and 1048576 MB") }
        if let maxInstructions, maxInstructions <= 0 { throw ValidationError("--max-instructions must be positive") }
    }

    /// The audit record of a run of `code` from `source` (a path, `-e` or `repl`).
    static func audit(source: String, code: Data, command: String? = nil) -> AuditSource {
        var hash = SHA256()
        hash.update(data: code)
        return audit(source: source, hash: hash, command: command)
    }

    /// The same for a file read a MiB at a time (an import's file may be larger than memory).
    static func audit(source: String, file: String, command: String? = nil) -> AuditSource {
        var hash = SHA256()
        if let handle = FileHandle(forReadingAtPath: file) {
            while let data = try? handle.read(upToCount: 1 << 20), !data.isEmpty { hash.update(data: data) }
            try? handle.close()
        }
        return audit(source: source, hash: hash, command: command)
    }

    private static func audit(source: String, hash: SHA256, command: String?) -> AuditSource {
        AuditSource(osUser: osUser, source: source, sha256: hash.finalize().map { String(format: "%02x", $0) }.joined(), command: command)
    }

    /// Words as a shell would need them typed: a word with spaces, quotes or other special
    /// characters in single quotes. The audit log's record of a command line.
    static func commandLine(_ words: [String]) -> String {
        words.map { word in
            let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { $0.value > 0x7F || CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0) }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    static var osUser: String {
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(getuid())"
    }
}
