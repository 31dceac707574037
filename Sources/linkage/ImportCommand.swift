@preconcurrency import Glibc
import ArgumentParser
import Foundation
import LinkageModel
import LinkageExchange

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import areas, villages, communities, units, cadres, households, links, visits or activities from CSV or XLSX.",
        discussion: """
            Headers may be Chinese or English (户主姓名 or head_name; docs/import-export.md lists them). \
            A CSV file may be UTF-8 (with or without BOM) or GB18030, as Excel on a Chinese Windows \
            saves it. All or nothing: each problem is reported as FILE:LINE:COLUMN: what is wrong — \
            what would be right, and one bad row means nothing is imported (exit code 2).
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("What the file holds: \(ImportKind.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "kind"))
    var kind: String

    @Argument(help: ArgumentHelp("The CSV or XLSX file.", valueName: "file"))
    var file: String

    // --dry-run and --show-pii are ScriptOptions, the root command's: ArgumentParser gives an option
    // group to a subcommand that declares the same type, and keeps a flag of that name otherwise.
    @OptionGroup var options: ScriptOptions

    @Flag(name: .long, help: "Rows whose key (id, resident ID, code, name …) is in the register change the fields that differ; the file may then give only the key and the columns to change.")
    var update = false

    @Option(name: .long, help: ArgumentHelp("The worksheet of an XLSX workbook to read (default: the first).", valueName: "name"))
    var sheet: String?

    func run() throws {
        guard let kind = ImportKind(name: kind) else {
            throw Failure.input("cannot import '\(self.kind)': the kinds are \(ImportKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if options.readOnly { throw Failure.input("import writes to the register; drop --read-only (use --dry-run to check a file without writing)") }
        let table: InputTable
        do { table = try InputTable.read(path: file, sheet: sheet) } catch let e as ExchangeError { throw Failure.input(e.message) }
        let showPII = options.showPII
        let mask = { (s: String) -> String in showPII ? s : Privacy.mask(s) }
        var words = ["linkage", "import", kind.rawValue, file]
        if update { words.append("--update") }
        if let sheet { words += ["--sheet", sheet] }
        let audit = ScriptOptions.audit(source: "import \(file)", file: file, command: ScriptOptions.commandLine(words))
        let report: ImportReport
        do {
            let register = try database.open()
            report = try Importer.run(table, kind: kind, register: register, update: update, dryRun: options.dryRun,
                                      audit: audit)
        } catch let e as ExchangeError {
            throw Failure.input(e.message)
        } catch let e as SessionError {
            throw Failure(code: e.isAnotherWriter ? 75 : 1, message: "\(file): \(e.description)")
        }
        print("\(file): \(table.sourceDescription), \(report.rows) row\(report.rows == 1 ? "" : "s")"
              + (table.blankRows.isEmpty ? "" : "; blank row\(table.blankRows.count == 1 ? "" : "s") \(table.blankRows.map(String.init).joined(separator: ", ")) skipped"))
        guard report.succeeded else {
            fflush(stdout)
            for p in report.problems.prefix(ImportReport.shownProblems) { fputs(mask(p.description) + "\n", stderr) }
            if report.problems.count > ImportReport.shownProblems {
                fputs("… and \(report.problems.count - ImportReport.shownProblems) more problems\n", stderr)
            }
            throw Failure.input("\(file): \(report.problemSummary); nothing was imported\(options.dryRun ? " (dry run)" : "")")
        }
        print(report.summary)
    }
}

