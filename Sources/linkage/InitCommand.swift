import ArgumentParser
import LinkageModel

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an empty register at the current schema version (or migrate an older one).")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let register = try database.open()
        print("register \(register.path) is at schema version \(try register.schemaVersion())")
    }
}
