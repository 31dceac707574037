import ArgumentParser
import Foundation
import LinkageModel
import LinkageExchange

/// `linkage check`: the rules held against the register, for cron — exit 1 when an error-severity
/// finding exists, 0 otherwise — and the findings as a table or a file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Hold the register to the rules: coverage, quotas, visits, actions, outcomes, problems, staff.",
        discussion: """
            Links and quotas are taken on --as-of; visits and activities count from the first of \
            --year to the end of the year, or to --as-of when that falls inside it (a check in June \
            expects half a year's visits). Without --year, the year of --as-of; without either, \
            today. The rules are those in force on that day (linkage rules). Findings print as a \
            table, or in --format (csv, json, markdown, xlsx) to -o FILE; a summary goes to stderr. \
            Exit codes: 0 no error-severity finding, 1 at least one, 2 usage or input error.
            """)

    @OptionGroup var database: DatabaseOptions

    @OptionGroup var dates: PeriodOptions

    @OptionGroup var jobs: JobsOption

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Run only these checks (\(Checks.all.map(\.name).joined(separator: ", "))); commas or spaces.", valueName: "check"))
    var only: [String] = []

    @Option(name: .long, help: ArgumentHelp("List findings of this severity or worse: error, warning or info (default info). The exit code counts every error.", valueName: "severity"))
    var severity = "info"

    @Option(name: .long, help: ArgumentHelp("table, csv, json, markdown or xlsx (default: from -o, else table).", valueName: "format"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var output: String?

    @Flag(name: .customLong("show-pii"), help: "Print resident IDs and phone numbers whole (masked by default).")
    var showPII = false

    @Flag(name: .long, help: "Print the SQL of each check, with the day's values in place of ?1 … ?5, instead of running it.")
    var sql = false

    func run() throws {
        let names = only.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
        let format = try chosenFormat()
        let (register, _) = try database.openReadOnly(writingTo: output)
        if sql {
            // The SQL for this register: the actions check is written for the rules in force.
            do {
                let period = try dates.period()
                for check in try Checks.select(names) {
                    print("-- \(check.name): \(check.title)\n\(try register.queue.read { db in try check.inlineSQL(db, period) });\n")
                }
                return
            } catch let e as QueryError {
                throw Failure.input(e.message)
            }
        }
        let period: CheckPeriod, checks: [Check]
        do {
            period = try dates.period()
            checks = try Checks.select(names)
        } catch let e as QueryError {
            throw Failure.input(e.message)
        }
        let summary: CheckSummary
        // The checks on every core; their findings still come in the order of `checks`.
        let parallel = jobs.reads(register)
        do {
            switch format {
            case .csv?, .json?, .markdown?, .xlsx?:
                // Row by row: memory stays flat however many findings a province has.
                summary = try ReadOnlyOutput.stream(to: output) { handle in
                    let writer = try streamedRows(format!, columns: Check.columns, to: handle, path: output, sheetName: "findings", mask: !showPII)
                    let summary = try register.queue.read { db in try Checks.findings(db, checks, period, minSeverity: severity, parallel: parallel) { try writer.write($0) } }
                    try writer.finish()
                    return summary
                }
            case nil:
                // The aligned table for the terminal, sized on its first rows, then streamed: a
                // province's half a million findings are not held to size it.
                let writer = RowWriter(.text(maxCell: 60, window: RowWriter.alignmentWindow), columns: Check.columns, mask: !showPII, to: .standardOutput)
                summary = try register.queue.read { db in
                    try Checks.findings(db, checks, period, minSeverity: severity, parallel: parallel) { try writer.write($0) }
                }
                try writer.finish()
            }
        } catch let e as QueryError {
            throw Failure.input(e.message)
        } catch let e as ExchangeError {
            throw Failure.input(e.message)
        }
        let counts = Check.severities.map { "\(summary.counts[$0, default: 0]) \($0 == "info" ? "info" : $0 + (summary.counts[$0, default: 0] == 1 ? "" : "s"))" }
        let line = "checked \(period.year) as of \(period.asOf) (\((names.isEmpty ? Checks.all.map(\.name) : names).joined(separator: ", "))): \(counts.joined(separator: ", "))\(output.map { "; findings in \($0)" } ?? "")"
        // Exit 1 says an error-severity finding exists: what cron alerts on.
        if summary.errors > 0 { throw Failure(code: 1, message: line) }
        FileHandle.standardError.write(Data("linkage: \(line)\n".utf8))
    }

    /// nil: the aligned text table.
    func chosenFormat() throws -> ExportFormat? {
        if let format {
            let name = format.lowercased()
            if name == "table" || name == "text" {
                guard output == nil else { throw Failure.input("a table is for the terminal; give -o a .csv, .json, .md or .xlsx file, or --format") }
                return nil
            }
            guard let f = ExportFormat(rawValue: name == "md" ? "markdown" : name) else {
                throw Failure.input("unknown format '\(format)'; the formats are table, \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return f
        }
        guard let output else { return nil }
        guard let f = ExportFormat(path: output) else {
            throw Failure.input("cannot tell the format of \(output) from its extension; give --format csv, json, markdown or xlsx")
        }
        return f
    }
}
