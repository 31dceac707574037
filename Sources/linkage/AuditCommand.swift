import ArgumentParser
import Foundation
import LinkageModel

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the changes made to the register: when, by whom, with what, from what to what.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Only changes at or after this date or time (YYYY-MM-DD or ISO 8601, UTC).", valueName: "when"))
    var since: String?

    @Option(help: ArgumentHelp("Only changes to this table.", valueName: "table"))
    var table: String?

    @Option(help: ArgumentHelp("At most this many changes.", valueName: "n"))
    var limit: Int?

    // The same option group as the root's (which ArgumentParser fills for subcommands declaring
    // it), so `linkage audit --show-pii` reaches this command.
    @OptionGroup var options: ScriptOptions
    var showPII: Bool { options.showPII }

    func run() throws {
        let register = try database.open(mode: .readOnly)
        let entries = try register.queue.read { try AuditLog.entries($0, since: since, table: table, limit: limit) }
        if entries.isEmpty { print("no changes recorded\(since.map { " since \($0)" } ?? "")"); return }
        for e in entries {
            let who = e.osUser.map { "\($0) via \(e.source ?? "?")" } ?? "outside linkage"
            let fields = e.changes.map { c -> String in
                switch e.action {
                case "insert": return "\(c.field)=\(DryRunReport.show(c.new))"
                case "delete": return "\(c.field)=\(DryRunReport.show(c.old))"
                default: return "\(c.field): \(DryRunReport.show(c.old)) → \(DryRunReport.show(c.new))"
                }
            }.joined(separator: ", ")
            let line = "\(e.at)  \(who)  \(e.action) \(e.table) \(e.rowID)  \(fields)"
            print(showPII ? line : Privacy.mask(line))
        }
    }
}
