import ArgumentParser
import Foundation
import LinkageConsole
import LinkageModel

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the changes made to the register: when, by whom, with what, from what to what.",
        discussion: """
            --verify recomputes the audit log's hash chain instead: it prints "audit log intact: …" and \
            exits 0, or names the first broken link (the change and why) and exits 1.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: ArgumentHelp("Only changes at or after this date or time (YYYY-MM-DD or ISO 8601, UTC).", valueName: "when"))
    var since: String?

    @Option(help: ArgumentHelp("Only changes to this table.", valueName: "table"))
    var table: String?

    @Option(help: ArgumentHelp("At most this many changes.", valueName: "n"))
    var limit: Int?

    @Flag(help: "Check that the log was not rewritten: exit 0 when intact, 1 at the first broken link.")
    var verify = false

    // The same option group as the root's (which ArgumentParser fills for subcommands declaring
    // it), so `linkage audit --show-pii` reaches this command.
    @OptionGroup var options: ScriptOptions
    var showPII: Bool { options.showPII }

    func run() throws {
        let register = try database.open(mode: .readOnly)
        if verify { return try verifyChain(register) }
        let entries = try register.queue.read { try AuditLog.entries($0, since: since, table: table, limit: limit) }
        if entries.isEmpty { print("no changes recorded\(since.map { " since \($0)" } ?? "")"); return }
        var session: Int64?
        for e in entries {
            let who = e.osUser.map { "\($0) via \(e.source ?? "?")" } ?? "outside linkage"
            // What the session ran (a script with its arguments, an import, -e code), once, before its changes.
            if e.session != session, let id = e.session, let command = e.command {
                let shown = "session \(id): \(who): \(command.split(whereSeparator: \.isNewline).joined(separator: "; ").truncated(to: 160))"
                print(showPII ? shown : Privacy.mask(shown))
            }
            session = e.session
            let fields = e.changes.map { c -> String in
                switch e.action {
                case "insert": return "\(c.field)=\(ChangeReport.show(c.new))"
                case "delete": return "\(c.field)=\(ChangeReport.show(c.old))"
                default: return "\(c.field): \(ChangeReport.show(c.old)) → \(ChangeReport.show(c.new))"
                }
            }.joined(separator: ", ")
            let line = "\(e.at)  \(who)  \(e.action) \(e.table) \(e.rowID)  \(fields)"
            print(showPII ? line : Privacy.mask(line))
        }
    }

    /// For cron: the exit code says whether the log is intact.
    private func verifyChain(_ register: Register) throws {
        let result = try register.queue.read { try AuditLog.verify($0) }
        if let broken = result.broken {
            throw Failure.script("\(broken); the \(result.sealed) entries before it are intact")
        }
        var line = "audit log intact: \(result.sealed) entries, chain head \(result.head.map { String($0.prefix(16)) } ?? "(none)")"
        if result.unsealed > 0 {
            line += "; \(result.unsealed) later entries were written outside linkage and are not sealed yet (the next linkage run that writes seals them)"
        }
        print(line)
    }
}
