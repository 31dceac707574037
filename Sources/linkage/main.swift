@preconcurrency import Glibc
import ArgumentParser
import LuaBridge

// Parses the command line, runs it, and turns every failure into a message on stderr and the
// exit code it means (0 success, 1 script failed, 2 usage or input error).
setvbuf(stdout, nil, _IOFBF, 1 << 16)

func fail(_ code: Int32, _ message: String) -> Never {
    fflush(stdout)
    fputs("linkage: \(message)\n", stderr)
    exit(code)
}

/// A script stopped by a limit or Ctrl-C: which, the option that sets it, the script's line (not
/// one of linkage's own Lua chunks, whose names start with "(linkage"), and that nothing was kept.
func stopMessage(_ error: LuaScriptError) -> String? {
    guard let reason = error.stopReason else {
        guard error.kind == .memory else { return nil }
        return "\(error.message): the system gave the script no more memory (--max-memory sets a limit of linkage's own); the run was rolled back and nothing was written"
    }
    let option: String
    switch reason {
    case .timeLimit: option = " (--timeout)"
    case .instructionBudget: option = " (--max-instructions)"
    case .memoryLimit: option = " (--max-memory)"
    case .interrupted: option = ""
    }
    let place = error.traceback.flatMap { tb in
        tb.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.hasPrefix("[C]") && !$0.hasPrefix("(linkage") && $0.contains(":") && !$0.hasPrefix("stack traceback") }
    }.map { " at " + $0.split(separator: ":").prefix(2).joined(separator: ":") } ?? ""
    return "\(reason.message)\(option)\(place); the run was rolled back and nothing was written"
}

do {
    var command = try LinkageCommand.parseAsRoot()
    try command.run()
    fflush(stdout)
    exit(0)
} catch let failure as Failure {
    fail(failure.code, failure.message)
} catch let error as LuaScriptError {
    fail(error.kind == .interrupted ? 130 : 1, stopMessage(error) ?? error.description)
} catch {
    // SQLite's errors in linkage's words, never GRDB's description of the statement.
    if let failure = Failure.database(error) { fail(failure.code, failure.message) }
    let code = LinkageCommand.exitCode(for: error)
    if code == .success {
        print(LinkageCommand.fullMessage(for: error))
        exit(0)
    }
    // ArgumentParser's usage errors (EX_USAGE) and anything else the user can cause: input errors.
    let message = LinkageCommand.fullMessage(for: error)
    fflush(stdout)
    fputs(message.hasPrefix("Error: ") ? "linkage: " + message.dropFirst(7) + "\n" : message + "\n", stderr)
    exit(code.rawValue == 64 || code.rawValue == 1 ? 2 : code.rawValue)
}
