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

do {
    var command = try LinkageCommand.parseAsRoot()
    try command.run()
    fflush(stdout)
    exit(0)
} catch let failure as Failure {
    fail(failure.code, failure.message)
} catch let error as LuaScriptError {
    fail(1, error.description)
} catch {
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
