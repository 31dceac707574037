import ArgumentParser
import Foundation
import LinkageModel

/// `--db PATH`, else `$LINKAGE_DB`, else `./linkage.db`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The register file (default: $LINKAGE_DB, else ./linkage.db).", valueName: "path"))
    var db: String?

    @Option(name: .customLong("busy-timeout"), help: ArgumentHelp("Seconds a writer waits for another process's write lock (default 5).", valueName: "seconds"))
    var busyTimeout: Double = Register.defaultBusyTimeout

    var path: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["LINKAGE_DB"], !env.isEmpty { return env }
        return "linkage.db"
    }

    /// Opens the register, turning a refusal into an input error (exit 2).
    func open(mode: Register.Mode = .readWrite) throws -> Register {
        do {
            guard busyTimeout >= 0 else { throw Failure.input("--busy-timeout must be 0 or more seconds") }
            return try Register(path: path, mode: mode, busyTimeout: busyTimeout)
        } catch let error as RegisterError {
            throw Failure.input(error.errorDescription ?? "\(error)")
        }
    }
}
