@preconcurrency import Glibc
import ArgumentParser
import Foundation
import LinkageConsole
import LinkageModel
import LinkageScripting

/// `linkage repl`, and `linkage` with no command: the interactive console.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Open the interactive console (also what `linkage` with no command does).",
        discussion: """
            An expression prints its value; a statement runs; an incomplete chunk asks for more. \
            Each chunk commits when it succeeds, unless :begin holds a transaction open. :help \
            lists the commands. With standard input not a terminal, chunks are read without \
            prompts (`linkage < checks.lua`), and the exit code is 1 when any chunk failed.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: ScriptOptions
    @Flag(name: .long, help: "Roll everything back when the console ends.")
    var sandbox = false

    func run() throws {
        // The root command declares --sandbox too (for `linkage --sandbox`), and ArgumentParser
        // gives a flag both declare to the root: read it from the command line as well.
        try ReplCommand.open(database: database, options: options, sandbox: sandbox || CommandLine.arguments.contains("--sandbox"))
    }

    /// Opens the console on the register and exits with its code.
    static func open(database: DatabaseOptions, options: ScriptOptions, sandbox: Bool) throws {
        let register = try database.open(mode: options.mode)
        var settings = ConsoleOptions()
        // At a terminal, output appears line by line, as a person expects; a pipe keeps big buffers.
        if settings.interactive { setvbuf(stdout, nil, _IOLBF, 0) }
        settings.sandbox = sandbox || options.dryRun
        settings.readOnly = options.readOnly
        settings.showPII = options.showPII
        settings.osUser = ScriptOptions.osUser
        let code = try ScriptEngine.with(register, showPII: options.showPII, limits: options.limits, safe: options.safe) { engine in
            Console(engine: engine, options: settings).run()
        }
        fflush(nil)
        Glibc.exit(code)
    }
}
