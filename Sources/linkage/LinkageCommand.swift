import ArgumentParser
import Foundation
import LinkageConsole
import LinkageModel
import LinkageScripting

struct LinkageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linkage",
        abstract: "A Lua workbench for the register of linked villages, communities and households.",
        discussion: """
            With -e, runs each chunk in one transaction and prints the values it returns, as the lua \
            REPL does. Exit codes: 0 success; 1 the script failed; 2 usage or input error.
            """,
        subcommands: [ReplCommand.self, RunCommand.self, InitCommand.self, CheckCommand.self, RulesCommand.self, ReportCommand.self, AuditCommand.self, SampleCommand.self, ImportCommand.self, ExportCommand.self, CardCommand.self, LogCommand.self, StubsCommand.self, HelpCommand.self])

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var options: ScriptOptions

    @Flag(name: .long, help: "With the console: roll everything back when it ends.")
    var sandbox = false

    @Option(name: .customShort("e"), help: ArgumentHelp("Run a Lua chunk and print what it returns (repeatable).", valueName: "code"))
    var execute: [String] = []

    func run() throws {
        guard !execute.isEmpty else {
            return try ReplCommand.open(database: database, options: options, sandbox: sandbox)
        }
        let register = try database.open(mode: options.mode)
        let code = execute.joined(separator: "\n")
        let audit = ScriptOptions.audit(source: "-e", code: Data(code.utf8), command: code)
        try ScriptEngine.with(register, showPII: options.showPII, limits: options.limits, safe: options.safe) { engine in
            try options.runSession(engine, audit: audit) {
                for code in execute {
                    let values = try engine.evaluate(code)
                    if values.count > 0 { print(options.mask(try engine.show(values, RenderOptions(width: Terminal.width ?? 100)))) }
                }
            }
        }
    }
}
