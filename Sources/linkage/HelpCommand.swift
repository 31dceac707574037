import ArgumentParser
import LinkageModel
import LinkageScripting

/// `linkage help [--markdown] [TOPIC]`: a subcommand's help, as ArgumentParser's own `help` gives
/// it (this command is found first, so it stands in for that one), or the Lua API's, as `help()`
/// prints it in a session; `--markdown` prints the Lua API as docs/lua-api.md has it.
struct HelpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "help",
        abstract: "Show the help of a subcommand or of the Lua API.",
        discussion: """
            linkage help run: the run subcommand's help (also linkage run --help). linkage help \
            db.query, or households: the Lua API's help, as help('db.query') prints it in a session. \
            --markdown prints the whole Lua API in Markdown (docs/lua-api.md is that text).
            """)

    @Flag(name: .long, help: "Print the whole Lua API in Markdown.")
    var markdown = false

    @Argument(help: ArgumentHelp("A subcommand (run, rules set …), or a Lua module, function or collection (db.query, households).",
                                 valueName: "topic"))
    var topic: [String] = []

    func run() throws {
        if markdown {
            guard topic.isEmpty else { throw Failure.input("--markdown prints the whole Lua API; give no topic with it") }
            print(HelpCatalog.markdown, terminator: "")
            return
        }
        var command: ParsableCommand.Type = LinkageCommand.self
        var rest = topic[...]
        while let name = rest.first, let sub = command.configuration.subcommands.first(where: { $0._commandName == name }) {
            command = sub
            rest = rest.dropFirst()
        }
        if rest.isEmpty { return print(LinkageCommand.helpMessage(for: command)) }
        let key = rest.joined(separator: " ")
        // Words after a subcommand that are not one of its own are not a Lua topic either.
        guard rest.count == topic.count, HelpCatalog.resolve(key) != nil || Catalog.collection(key) != nil || key == "collection" else {
            throw Failure.input("no help for '\(topic.joined(separator: " "))'; linkage help lists the subcommands, linkage help --markdown the Lua API")
        }
        print(HelpCatalog.text(key))
    }
}
