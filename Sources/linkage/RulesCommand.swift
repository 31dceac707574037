import ArgumentParser
import Foundation
import LinkageModel
import LinkageExchange

/// `linkage rules`: the rules in force on a day, their history, and a change from a day on.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Show the linkage rules in force on a day, or change one from a day on.",
        discussion: """
            The rules are data with the seed's numbers in force from 2012-01-01: \
            \(RuleBook.kinds.map { "\($0.name) (\($0.title))" }.joined(separator: "; ")). \
            A change takes effect from --from and leaves earlier years as they were, so a check of \
            an earlier year still uses its rules. Examples: \
            linkage rules --as-of 2013-06-30;  linkage rules --history quota;  \
            linkage rules set quota role=township_other rural_households=2 --from 2013-01-01;  \
            linkage rules end setting name=household_cadres_max --on 2014-01-01;  \
            linkage rules set excluded category=village_doctor label=村医 --from 2013-01-01 (cadres \
            recorded as village_doctor do not link from then). \
            A change is audited like every other change.
            """,
        subcommands: [Show.self, Set.self, End.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules in force on a day (or every row with --history).")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The kinds to show (default: all): \(RuleBook.kinds.map(\.name).joined(separator: ", ")).", valueName: "kind"))
        var kinds: [String] = []
        @Option(name: .customLong("as-of"), help: ArgumentHelp("The day (default: today).", valueName: "date"))
        var asOf: String?
        @Flag(name: .long, help: "Every row, past and future, with the days it is in force.")
        var history = false
        @Option(name: .long, help: ArgumentHelp("table, csv, json or markdown (default table).", valueName: "format"))
        var format = "table"

        func run() throws {
            let register = try database.open(mode: .readOnly)
            do {
                let day = try asOf.map { try DateText.check($0, field: "--as-of") } ?? DateText.today()
                let kinds = try (self.kinds.isEmpty ? RuleBook.kinds.map(\.name) : self.kinds).map(RuleBook.kind)
                var out = ""
                for kind in kinds {
                    let table = try register.queue.read { db in
                        try ExportTable.rows(history ? try RuleBook.history(db, kind) : try RuleBook.rows(db, kind, on: day))
                    }
                    switch format {
                    case "table", "text":
                        out += "\(kind.name): \(kind.title)\(history ? "" : ", in force on \(day)")\n" + (table.rows.isEmpty ? "(none)\n" : Exporter.text(table)) + "\n"
                    case "csv": out += String(decoding: Exporter.csv(table), as: UTF8.self)
                    case "json": out += Exporter.json(table)
                    case "markdown", "md": out += "## \(kind.name)\n\n\(kind.title)\n\n" + Exporter.markdown(table) + "\n"
                    default: throw Failure.input("unknown format '\(format)'; the formats are table, csv, json, markdown")
                    }
                }
                print(out, terminator: "")
            } catch let e as QueryError {
                throw Failure.input(e.message)
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a rule from a day on: linkage rules set KIND KEY=VALUE… NUMBER=VALUE… --from DATE.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The kind of rule.", valueName: "kind"))
        var kind: String
        @Argument(help: ArgumentHelp("The rule's name (role=…, unit_kind=…, actor=… target=… kind=…, item=… target=…, name=…, category=…) and the numbers (or labels) to set.", valueName: "field=value"))
        var fields: [String] = []
        @Option(name: .long, help: ArgumentHelp("The first day the change is in force.", valueName: "date"))
        var from: String
        @Option(name: .long, help: ArgumentHelp("Why: kept with the rule.", valueName: "text"))
        var note: String?

        func run() throws {
            let register = try database.open()
            do {
                let kind = try RuleBook.kind(self.kind)
                let (key, values) = try RulesCommand.split(fields, kind)
                let id = try register.write(audit: RulesCommand.audit("set", kind.name, fields, from)) { db in
                    try RuleBook.set(db, kind, key: key, values: values, from: from, note: note)
                }
                FileHandle.standardError.write(Data("linkage: \(kind.table) row \(id) in force from \(from)\n".utf8))
            } catch let e as QueryError {
                throw Failure.input(e.message)
            }
        }
    }

    struct End: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a rule on a day: from then on it is not in force.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: ArgumentHelp("The kind of rule.", valueName: "kind"))
        var kind: String
        @Argument(help: ArgumentHelp("The rule's name (role=…, name=… …).", valueName: "field=value"))
        var fields: [String] = []
        @Option(name: .long, help: ArgumentHelp("The first day it is no longer in force.", valueName: "date"))
        var on: String

        func run() throws {
            let register = try database.open()
            do {
                let kind = try RuleBook.kind(self.kind)
                let (key, values) = try RulesCommand.split(fields, kind)
                guard values.isEmpty else { throw QueryError("rules end takes only the rule's name (\(kind.keys.joined(separator: ", ")))") }
                try register.write(audit: RulesCommand.audit("end", kind.name, fields, on)) { db in try RuleBook.end(db, kind, key: key, on: on) }
                FileHandle.standardError.write(Data("linkage: the \(kind.name) rule ends on \(on)\n".utf8))
            } catch let e as QueryError {
                throw Failure.input(e.message)
            }
        }
    }

    /// The audit record of a change: the command as typed.
    static func audit(_ verb: String, _ kind: String, _ fields: [String], _ day: String) -> AuditSource {
        let command = (["linkage", "rules", verb, kind] + fields + [verb == "set" ? "--from" : "--on", day]).joined(separator: " ")
        return ScriptOptions.audit(source: "rules \(verb)", code: Data(command.utf8), command: command)
    }

    /// `role=township_other rural_households=2`: the key fields and the numbers, as SQL values.
    static func split(_ fields: [String], _ kind: RuleBook.Kind) throws -> ([String: SQLValue], [String: SQLValue]) {
        var key: [String: SQLValue] = [:], values: [String: SQLValue] = [:]
        for field in fields {
            guard let eq = field.firstIndex(of: "="), eq != field.startIndex else {
                throw QueryError("'\(field)' is not FIELD=VALUE; name the rule with \(kind.keys.joined(separator: ", ")) and give numbers among \(kind.values.joined(separator: ", "))")
            }
            let name = String(field[..<eq]), text = String(field[field.index(after: eq)...])
            let value: SQLValue = Int64(text).map { .integer($0) } ?? Double(text).map { .real($0) } ?? (text.isEmpty ? .null : .text(text))
            if kind.keys.contains(name) { key[name] = value } else { values[name] = value }
        }
        return (key, values)
    }
}
