import ArgumentParser
import Foundation
import LinkageModel
import LinkageExchange

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a table, a collection or a query as CSV, JSON, Markdown or XLSX.",
        discussion: """
            TABLE is a table of the register (household) or a collection of the query API \
            (households, communities …), in id order; a kind `linkage import` reads (areas … \
            activities) is written in the columns it reads, for `linkage import KIND FILE --update` \
            after an edit (with --show-pii: import refuses masked values); --sql runs a SELECT instead; --check NAME \
            exports the findings of one check of `linkage check` (\(Checks.all.map(\.name).joined(separator: ", "))) \
            as of --as-of and for --year, as `linkage check --only NAME` finds them. The format is \
            --format, else the extension of -o, else CSV. Resident IDs and phone numbers are masked \
            unless --show-pii. In CSV, text that a spreadsheet would run as a formula (beginning \
            with = + - @, a tab or a carriage return) gets a ' before it unless --raw-cells. The \
            register is opened read-only, and -o never names the register or its -wal, -shm or \
            -journal file.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The table or collection to export.", valueName: "table"))
    var table: String?

    @Option(name: .long, help: ArgumentHelp("A SELECT statement to export instead of a table.", valueName: "query"))
    var sql: String?

    @Option(name: .long, help: ArgumentHelp("A check whose findings to export: \(Checks.all.map(\.name).joined(separator: ", ")).", valueName: "name"))
    var check: String?

    @Option(name: .long, help: ArgumentHelp("With --check: the year whose visits count (default: the year of --as-of).", valueName: "year"))
    var year: Int?

    @Option(name: .customLong("as-of"), help: ArgumentHelp("With --check: the day links are asked about (default: the last day of --year, else today).", valueName: "date"))
    var asOf: String?

    @Option(name: .long, help: ArgumentHelp("csv, json, markdown or xlsx (default: from -o, else csv).", valueName: "format"))
    var format: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (default: standard output).", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "Begin a CSV file with the UTF-8 byte-order mark Excel needs to show Chinese.")
    var bom = false

    @Flag(name: .customLong("raw-cells"), help: "Write CSV text cells as they are, even those a spreadsheet would run as a formula (=, +, -, @ first).")
    var rawCells = false

    // --dry-run and --show-pii are ScriptOptions, the root command's: ArgumentParser gives an option
    // group to a subcommand that declares the same type, and keeps a flag of that name otherwise.
    @OptionGroup var options: ScriptOptions

    func run() throws {
        let format = try chosenFormat()
        let (register, _) = try database.openReadOnly(writingTo: output)
        let query = try statement(register)
        try stream(format, query, register)
    }

    /// Every format is written as rows are read: memory stays flat whatever the row count (Markdown
    /// holds its first RowWriter.alignmentWindow rows to align its number columns).
    func stream(_ format: ExportFormat, _ query: (sql: String, arguments: [SQLValue]), _ register: Register) throws {
        let rows: Int
        do {
            rows = try ReadOnlyOutput.stream(to: output) { handle -> Int in
                try register.queue.read { db -> Int in
                    func writer(_ columns: [String]) throws -> any RowSink {
                        try streamedRows(format, columns: columns, to: handle, path: output, sheetName: table ?? check ?? "query",
                                         mask: !options.showPII, bom: bom, rawCells: rawCells)
                    }
                    if let check, let rule = Checks.named(check) {
                        let w = try writer(Check.columns)
                        try rule.runRaw(db, try CheckPeriod(year: year, asOf: asOf)) { try w.write(raw: $0) }
                        try w.finish()
                        return w.rows
                    }
                    let w = try ExportTable.stream(db, sql: query.sql, arguments: query.arguments) { columns in try writer(columns) }
                    return w.rows
                }
            }
        } catch let e as ExchangeError {
            throw Failure.input(e.message)
        } catch let e as QueryError {
            throw Failure.input(e.message)
        } catch let e as Failure {
            throw e
        } catch {
            throw Failure.database(error, readOnly: true, context: "the query failed: ") ?? Failure.input("the query failed: \(error)")
        }
        if let output {
            FileHandle.standardError.write(Data("exported \(rows) row\(rows == 1 ? "" : "s") to \(output) (\(format.rawValue))\n".utf8))
        }
    }

    func chosenFormat() throws -> ExportFormat {
        if let format {
            let name = format.lowercased() == "md" ? "markdown" : format.lowercased()
            guard let f = ExportFormat(rawValue: name) else {
                throw Failure.input("unknown format '\(format)'; the formats are \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return f
        }
        return output.flatMap { ExportFormat(path: $0) } ?? .csv
    }

    /// The SELECT of TABLE (a collection keeps its scope; a kind `linkage import` reads is exported
    /// in the columns it reads), --sql or --check.
    func statement(_ register: Register) throws -> (sql: String, arguments: [SQLValue]) {
        if let check {
            guard table == nil, sql == nil else { throw Failure.input("give a table, --sql or --check, one of them") }
            guard let rule = Checks.named(check) else {
                throw Failure.input("unknown check '\(check)'; the checks are \(Checks.all.map(\.name).joined(separator: ", "))")
            }
            do {
                let period = try CheckPeriod(year: year, asOf: asOf)
                let bound = try register.queue.read { db in try rule.statement(db, period) }
                return (bound.text, bound.arguments)
            } catch let e as QueryError {
                throw Failure.input(e.message)
            }
        }
        switch (table, sql) {
        case (nil, nil): throw Failure.input("give a table to export (such as households) or --sql QUERY")
        case (_?, _?): throw Failure.input("give a table or --sql, not both")
        case (nil, let sql?): return (sql, [])
        case (let name?, nil):
            if let kind = ImportKind(rawValue: name) {
                return (try register.queue.read { try kind.exportStatement($0) }, [])
            }
            if let entity = Catalog.collection(name) {
                if let scope = entity.scope {
                    return ("SELECT * FROM \(entity.table) WHERE \(scope.column) = ? ORDER BY id", [.text(scope.value)])
                }
                return ("SELECT * FROM \(entity.table) ORDER BY id", [])
            }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Failure.input("'\(name)' is not a table name; use --sql for a query")
            }
            return ("SELECT * FROM \"\(name)\" ORDER BY rowid", [])
        }
    }
}

