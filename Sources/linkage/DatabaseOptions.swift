import ArgumentParser
import Foundation
import LinkageModel

/// `--db PATH`, else `$LINKAGE_DB`, else `./linkage.db`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The register file (default: $LINKAGE_DB, else ./linkage.db).", valueName: "path"))
    var db: String?

    var path: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["LINKAGE_DB"], !env.isEmpty { return env }
        return "linkage.db"
    }

    /// Opens the register, turning a refusal into an input error (exit 2).
    func open(mode: Register.Mode = .readWrite) throws -> Register {
        do {
            return try Register(path: path, mode: mode)
        } catch let error as RegisterError {
            throw Failure.input(error.errorDescription ?? "\(error)")
        }
    }
}
