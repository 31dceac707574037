import CLua
import Foundation
import GRDB
import LinkageModel
import LinkageExchange
import LuaBridge

/// The `export` and `import` tables in Lua: scripts write the same files as `linkage export`, and
/// check rows as `linkage import` does.
///
///     export.csv(rows, "out.csv" [, { bom = true, raw_cells = true, columns = { … } }])   --> rows written
///     export.json(rows [, path] [, opts])       --> the text without a path, else rows written
///     export.markdown(rows [, path] [, opts])   --> the same
///     export.xlsx(rows, "out.xlsx" [, { sheet = "名单", columns = { … } }])
///     import.check("households", { 户主姓名 = "王五", … } [, { update = true }])
///                                               --> { { field = "resident_id", message = "…" }, … }
///     import.file("households", "h.xlsx" [, { update = true, dry_run = true, sheet = "名单" }])
///                                               --> { rows =, added =, updated =, unchanged =, problems = { … } }
///
/// `rows` is a query (`households:where{ … }`) or a list of tables (records, `db.query` rows).
/// Resident IDs and phone numbers are masked unless the run shows PII (`--show-pii`). CSV text a
/// spreadsheet would run as a formula gets a ' before it unless `raw_cells = true`. No path may
/// name the register or its -wal, -shm or -journal file (found through the connection).
final class ExchangeModule {
    unowned let queries: QueryModule
    let showPII: Bool
    /// Where exports may go (never the register; under --safe, the working directory only).
    let writes: WritePolicy
    /// The run opened the register read-only (--read-only).
    let readOnly: Bool

    init(queries: QueryModule, showPII: Bool, writes: WritePolicy, readOnly: Bool) {
        self.queries = queries
        self.showPII = showPII
        self.writes = writes
        self.readOnly = readOnly
    }

    func install(in lua: LuaState) throws {
        lua.register(module: "export", functions: [
            "csv": { [self] call in try self.export(call, .csv) },
            "json": { [self] call in try self.export(call, .json) },
            "markdown": { [self] call in try self.export(call, .markdown) },
            "xlsx": { [self] call in try self.export(call, .xlsx) },
        ])
        lua.register(module: "import", functions: [
            "check": { [self] call in try self.check(call) },
            "file": { [self] call in try self.importFile(call) },
        ])
    }

    // MARK: export

    private func export(_ call: LuaCall, _ format: ExportFormat) throws -> Int32 {
        var path: String?
        var options: LuaValue = .nil
        switch call.type(2) {
        case LUA_TSTRING: path = try call.string(2); options = call.value(3)
        case LUA_TTABLE: options = call.value(2)
        case LUA_TNIL, LUA_TNONE: options = call.value(3)
        default: throw call.argumentError(2, "a file name expected, got \(call.stack.typeName(at: 2))")
        }
        if path == nil, format == .csv || format == .xlsx {
            throw call.argumentError(2, "export.\(format.rawValue) writes a file: give its name, such as \"out.\(format.rawValue)\"")
        }
        var columns: [String]?
        if case .array(let list) = options["columns"] { columns = list.compactMap(\.stringValue) }
        var table = try queries.rowsTable(call, at: 1, columns: columns)
        if !showPII { table = table.masked() }
        func flag(_ key: String) -> Bool { if case .boolean(true) = options[key] { return true }; return false }
        let bom = flag("bom"), rawCells = flag("raw_cells")
        if let path {
            if let why = writes.refusal(for: path) { throw LuaRuntimeError(why) }
            do {
                try Exporter.write(table, format: format, to: path, bom: bom, rawCells: rawCells,
                                   sheetName: options["sheet"].stringValue ?? "Sheet1",
                                   protecting: try ExportTarget.databaseFiles(queries.db))
            } catch let e as ExchangeError {
                throw LuaRuntimeError(e.message)
            }
            return call.returning(.integer(Int64(table.rows.count)))
        }
        return call.returning(.string(format == .json ? Exporter.json(table) : Exporter.markdown(table)))
    }

    private func kind(_ v: LuaValue) -> String {
        switch v {
        case .nil: return "nil"
        case .boolean: return "boolean"
        case .integer, .number: return "number"
        case .string, .bytes: return "string"
        case .array, .table: return "table"
        case .object, .reference: return "userdata or function"
        }
    }

    // MARK: import.check

    private func check(_ call: LuaCall) throws -> Int32 {
        let name = try call.string(1)
        guard let kind = ImportKind(name: name) else {
            throw call.argumentError(1, "the kinds are \(ImportKind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
        }
        var fields: [(String, CellValue)] = []
        switch try call.table(2) {
        case .table(let t):
            for (k, v) in t {
                guard case .string(let field) = k else { throw call.argumentError(2, "field names are strings; got \(k.keyDescription)") }
                let cell: CellValue
                switch v {
                case .nil: cell = .empty
                case .boolean(let b): cell = .boolean(b)
                case .integer(let i): cell = .integer(i)
                case .number(let d): cell = .number(d)
                case .string(let s): cell = .text(s)
                default: throw LuaRuntimeError("import.check: \(field) is a \(self.kind(v)); give a string, number or boolean")
                }
                fields.append((field, cell))
            }
        case .array: throw call.argumentError(2, "a row of field = value expected, such as { 户主姓名 = \"王五\" }")
        default: break
        }
        fields.sort { $0.0 < $1.0 }
        let update: Bool = { if case .boolean(true) = call.value(3)["update"] { return true }; return false }()
        let problems = try Importer.check(kind: kind, fields: fields, db: queries.db, schema: queries.schema, update: update)
        let mask: (String) -> String = { [showPII] in showPII ? $0 : Privacy.mask($0) }
        return call.returning(.array(problems.map { p in
            var d: [String: LuaValue] = ["message": .string(mask(p.message))]
            if let f = p.field { d["field"] = .string(f) }
            return .dictionary(d)
        }))
    }

    // MARK: import.file

    /// The options import.file takes.
    static let fileOptions: Set<String> = ["update", "dry_run", "sheet"]

    /// Imports a file as `linkage import` does, inside the script's transaction and audit session:
    /// all of it or none of it. A problem raises an error at the script's line naming each bad
    /// cell as FILE:LINE:COLUMN; a dry run returns the problems instead and writes nothing.
    private func importFile(_ call: LuaCall) throws -> Int32 {
        let name = try call.string(1)
        guard let kind = ImportKind(name: name) else {
            throw call.argumentError(1, "the kinds are \(ImportKind.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
        }
        let path = try call.string(2)
        let options = call.value(3)
        switch options {
        case .nil, .table: break
        default: throw call.argumentError(3, "options expected, such as { update = true, dry_run = true, sheet = \"名单\" }; got a \(options.typeName)")
        }
        if case .table(let t) = options {
            for key in t.keys {
                guard case .string(let k) = key, Self.fileOptions.contains(k) else {
                    throw call.argumentError(3, "unknown option \(key.keyDescription); the options are \(Self.fileOptions.sorted().joined(separator: ", "))")
                }
            }
        }
        func flag(_ key: String) throws -> Bool {
            switch options[key] {
            case .nil, .boolean(false): return false
            case .boolean(true): return true
            default: throw call.argumentError(3, "\(key) is true or false; got a \(options[key].typeName)")
            }
        }
        let update = try flag("update"), dryRun = try flag("dry_run")
        var sheet: String?
        switch options["sheet"] {
        case .nil: break
        case .string(let s): sheet = s
        default: throw call.argumentError(3, "sheet is the name of a worksheet; got a \(options["sheet"].typeName)")
        }
        if readOnly {
            throw LuaRuntimeError("import.file writes the file's rows into the register (a dry run too, then rolls them back), and this run opened it read-only; drop --read-only, or check rows with import.check")
        }
        let mask: (String) -> String = { [showPII] in showPII ? $0 : Privacy.mask($0) }
        let table: InputTable
        let report: ImportReport
        do {
            table = try InputTable.read(path: path, sheet: sheet)
            try queries.willWrite()
            report = try Importer.run(table, kind: kind, in: queries.db, update: update, dryRun: dryRun)
        } catch let e as ExchangeError {
            throw LuaRuntimeError("import.file: \(mask(e.message))")
        }
        if !report.succeeded && !dryRun {
            let shown = report.problems.prefix(ImportReport.shownProblems).map { "\n  " + mask($0.description) }.joined()
            let more = report.problems.count > ImportReport.shownProblems ? "\n  … and \(report.problems.count - ImportReport.shownProblems) more problems" : ""
            throw LuaRuntimeError("import.file: \(path): \(report.problemSummary); nothing was imported:\(shown)\(more)")
        }
        return call.returning(.dictionary([
            "kind": .string(kind.rawValue), "file": .string(path), "rows": .integer(Int64(report.rows)),
            "added": .integer(Int64(report.inserted)), "updated": .integer(Int64(report.updated)),
            "unchanged": .integer(Int64(report.unchanged)), "dry_run": .boolean(dryRun),
            "problems": .array(report.problems.map { p in
                var d: [String: LuaValue] = ["message": .string(mask(p.text)), "text": .string(mask(p.description))]
                if let line = p.line { d["line"] = .integer(Int64(line)) }
                if let column = p.column { d["column"] = .string(column) }
                if let field = p.field { d["field"] = .string(field) }
                return .dictionary(d)
            }),
        ]))
    }
}
