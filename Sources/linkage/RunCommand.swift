import ArgumentParser
import Foundation
import LinkageModel
import LinkageScripting

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script against the register, in one transaction.",
        discussion: """
            The script sees its arguments as `...` and in the table `arg` (arg[0] is the script), as \
            with the lua program. The whole run is one transaction: a script that fails changes \
            nothing. Options of linkage go before the script name; everything after it is the \
            script's.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: ScriptOptions

    @Argument(help: ArgumentHelp("The Lua script to run.", valueName: "script"))
    var script: String

    // Options linkage knows are linkage's wherever they stand; the rest, and all after `--`, the script's.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Arguments for the script (after `--` if they look like linkage's options).", valueName: "args"))
    var rawArguments: [String] = []

    var arguments: [String] {
        guard let terminator = rawArguments.firstIndex(of: "--") else { return rawArguments }
        var args = rawArguments
        args.remove(at: terminator)
        return args
    }

    func run() throws {
        guard FileManager.default.isReadableFile(atPath: script) else {
            let why = FileManager.default.fileExists(atPath: script) ? "it is not readable" : "no such file"
            throw Failure.input("cannot open script \(script): \(why)")
        }
        let register = try database.open(mode: options.mode)
        // The command line with the script's arguments: which file a bulk edit read is part of the record.
        let audit = ScriptOptions.audit(source: script, code: FileManager.default.contents(atPath: script) ?? Data(),
                                        command: ScriptOptions.commandLine(["linkage", "run", script] + arguments))
        // What came before the script on the command line becomes arg[-n...-1], as in lua.
        let argv = CommandLine.arguments
        let before = Array(argv.prefix(RunCommand.position(of: script, in: argv)))
        try ScriptEngine.with(register, showPII: options.showPII, limits: options.limits, safe: options.safe) { engine in
            try options.runSession(engine, audit: audit) {
                try engine.runFile(script, arguments: arguments, before: before)
            }
        }
    }

    /// Where the script name stands on the command line, skipping the values of options.
    static func position(of script: String, in argv: [String]) -> Int {
        var i = 1
        while i < argv.count {
            if argv[i] == "--db" { i += 2; continue }
            if argv[i] == script { return i }
            i += 1
        }
        return argv.count
    }
}
