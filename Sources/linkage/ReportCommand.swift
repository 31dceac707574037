import ArgumentParser
import Foundation
import LinkageModel
import LinkageExchange
import LinkageReport

/// `linkage report`: a built-in report of the register as HTML, XLSX or Markdown, for the office
/// that reads results and does not run Lua.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A report for the office: \(BuiltInReports.all.map(\.name).joined(separator: ", ")).",
        discussion: """
            \(BuiltInReports.all.map { "\($0.name): \($0.title)." }.joined(separator: " ")) \
            The period is a check's: links and quotas on --as-of, visits and activities from the \
            first of --year to --as-of or the year's end (linkage check --help). --area limits it \
            to one township or subdistrict. -o FILE.html (one self-contained page, for a phone or \
            A4), .xlsx (a sheet per section) or .md; without -o, Markdown on standard output. The \
            same register and day give the same bytes. Without NAME, the reports are listed.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The report (\(BuiltInReports.all.map(\.name).joined(separator: ", "))).", valueName: "name"))
    var name: String?

    @OptionGroup var dates: PeriodOptions

    @OptionGroup var jobs: JobsOption

    @Option(name: .long, help: ArgumentHelp("Only this township or subdistrict (name or code).", valueName: "area"))
    var area: String?

    @Option(name: .long, help: ArgumentHelp("html, xlsx or markdown (default: from -o, else markdown).", valueName: "format"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var output: String?

    func run() throws {
        guard let name else {
            let width = BuiltInReports.all.map(\.name.count).max() ?? 0
            for e in BuiltInReports.all { print(e.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + e.title) }
            return
        }
        let format = try chosenFormat()
        if format == .xlsx && output == nil { throw Failure.input("xlsx is a file format; give -o FILE.xlsx") }
        let (register, protected) = try database.openReadOnly(writingTo: output)
        let report: Report
        do {
            _ = try BuiltInReports.named(name)
            let period = try dates.period()
            let parallel = jobs.reads(register)
            report = try register.queue.read { db in
                try BuiltInReports.make(name, ReportContext(db: db, period: period, area: try area.map { try ReportContext.area(db, $0) }, parallel: parallel))
            }
        } catch let e as QueryError {
            throw Failure.input(e.message)
        }
        do {
            if let output {
                try ExportTarget.refuse(output, ifItIsAFileOf: protected)
                try format.write(report, to: output)
            } else {
                print(format.text(report) ?? "", terminator: "")
            }
        } catch let e as ExchangeError {
            throw Failure.input(e.message)
        }
        if let output {
            FileHandle.standardError.write(Data("linkage: \(name) report of \(report.subtitle ?? "") written to \(output)\n".utf8))
        }
    }

    func chosenFormat() throws -> ReportFormat {
        if let format {
            let key = format.lowercased() == "md" ? "markdown" : format.lowercased() == "htm" ? "html" : format.lowercased()
            guard let f = ReportFormat(rawValue: key) else {
                throw Failure.input("unknown format '\(format)'; the formats are \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return f
        }
        guard let output else { return .markdown }
        guard let f = ReportFormat(path: output) else {
            throw Failure.input("cannot tell the format of \(output) from its extension; give -o FILE.html, .xlsx or .md, or --format")
        }
        return f
    }
}
