import ArgumentParser
import Foundation
import LinkageModel
import LinkageScripting

/// `linkage stubs`: an annotation file for lua-language-server, so scripts kept in files get
/// completion and type checks in editors (see docs/lua-api.md).
struct StubsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stubs",
        abstract: "Write lua-language-server annotations (---@class, ---@field, ---@param) for the register's Lua API.",
        discussion: """
            The classes come from the register's schema (each table's columns with their types) and \
            from the help catalog (collections, methods, db, export, import, linkage). Point the editor \
            at the file with a .luarc.json: { "workspace.library": ["linkage.d.lua"] }.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var output: String?

    func run() throws {
        let register = try database.open(mode: .readOnly)
        let schema = try register.queue.read { try SchemaCatalog($0) }
        let text = AnnotationStubs.generate(schema: schema)
        guard let output else { return print(text, terminator: "") }
        do {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            throw Failure.input("cannot write \(output): \(error.localizedDescription)")
        }
    }
}
