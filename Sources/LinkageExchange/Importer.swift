import Foundation
import GRDB
import LinkageModel

/// What an import did, or would do.
public struct ImportReport: Sendable {
    public let kind: ImportKind
    public let file: String
    public let source: String
    public var rows = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// Every problem, in file order; non-empty means nothing was written.
    public var problems: [ImportProblem] = []
    public var dryRun = false
    public var blankRows: [Int] = []
    /// Of the unchanged rows, those found a batch at a time without the row's checks (``UnchangedRows``).
    var unchangedAtOnce = 0

    public var succeeded: Bool { problems.isEmpty }

    /// How many rows have problems (a row may have several).
    public var rowsWithProblems: Int { Set(problems.map { $0.line ?? 0 }).count }

    /// Problems shown before the rest are only counted.
    public static let shownProblems = 50

    /// "3 problems in 2 rows".
    public var problemSummary: String {
        let rows = rowsWithProblems
        return "\(problems.count) problem\(problems.count == 1 ? "" : "s")" + (self.rows == 0 ? "" : " in \(rows) row\(rows == 1 ? "" : "s")")
    }

    /// The summary line: what was (or would be) written.
    public var summary: String {
        let counts = "\(inserted) added, \(updated) updated, \(unchanged) unchanged"
        if dryRun { return "dry run: \(file) is valid; importing it would give \(kind.rawValue): \(counts); nothing was written" }
        return "imported \(rows) \(kind.rawValue) from \(file): \(counts)"
    }
}

/// Imports a table of rows into the register, all or nothing: every row is checked (values,
/// references, duplicates in the file and against the register) and written in one transaction;
/// one bad row and nothing is written. `update` changes the fields that differ in rows whose key
/// (resident ID, code, name …) is already in the register; without it such rows are problems.
public enum Importer {
    public static func run(_ table: InputTable, kind: ImportKind, register: Register, update: Bool, dryRun: Bool,
                           audit: AuditSource) throws -> ImportReport {
        try run(table, kind: kind, register: register, update: update, dryRun: dryRun, audit: audit, findUnchanged: true)
    }

    /// `findUnchanged: false` checks every row one by one, as a test compares.
    static func run(_ table: InputTable, kind: ImportKind, register: Register, update: Bool, dryRun: Bool,
                    audit: AuditSource, findUnchanged: Bool) throws -> ImportReport {
        var report = ImportReport(kind: kind, file: table.file, source: table.sourceDescription)
        report.dryRun = dryRun
        report.blankRows = table.blankRows
        try register.queue.inDatabase { db in
            // The write lock first, so a long validation is not lost to another writer at the end.
            let session = try RegisterSession(db: db, audit: audit, busyTimeout: register.busyTimeout)
            try session.begin(immediate: true)
            do {
                try importRows(table, kind: kind, db: db, update: update, findUnchanged: findUnchanged, report: &report)
                guard report.problems.isEmpty, !dryRun else { return session.rollback() }
                try session.commit()
            } catch {
                session.rollback()
                throw error
            }
        }
        return report
    }

    /// Imports inside a transaction the caller holds (a script's run): all or nothing within it,
    /// in a savepoint of linkage's that is rolled back when any row has a problem or for a dry
    /// run, so the caller's other changes stay either way. The caller's session audits the rows.
    public static func run(_ table: InputTable, kind: ImportKind, in db: Database, update: Bool, dryRun: Bool) throws -> ImportReport {
        var report = ImportReport(kind: kind, file: table.file, source: table.sourceDescription)
        report.dryRun = dryRun
        report.blankRows = table.blankRows
        struct Undo: Error {}
        do {
            // The rows' savepoints are linkage's own, which the statement guard refuses to scripts.
            try StatementGuard.trusted(on: db) {
                try Atomic.run(db, "linkage_import") {
                    try importRows(table, kind: kind, db: db, update: update, report: &report)
                    if !report.problems.isEmpty || dryRun { throw Undo() }
                }
            }
        } catch is Undo {}
        return report
    }

    /// Checks and writes the rows inside the caller's transaction, adding to `report`: set-wise
    /// (``ImportStaging``). The rows are read as a stream (``InputTable/forEachRow(_:problem:)``) in
    /// batches (``batchSize``): each batch's references are found at once (``ReferenceSet``), then
    /// each row's cells are converted in one pass into a TEMP staging table, and the batch is let
    /// go. References, keys and duplicates in the file and against the register are then found
    /// with joins, and one INSERT and one UPDATE write every row. When the register refuses the set
    /// (a CHECK or trigger the checks do not foresee), it is rolled back and the file is read again
    /// and written row by row, so the refusal is reported on its row.
    static func importRows(_ table: InputTable, kind: ImportKind, db: Database, update: Bool, findUnchanged: Bool = true,
                           report: inout ImportReport) throws {
        let schema = try SchemaCatalog(db)
        let validator = try ImportValidator(kind: kind, db: db, schema: schema, file: table.file)
        // A column without a header is a problem when it has values: a pass over the file tells.
        let filled = table.header.contains("") ? try table.filledColumns() : []
        let (mapping, headerProblems) = validator.mapHeader(table.header, line: table.headerLine, columnLabel: table.columnLabel,
                                                            update: update) { !filled.contains($0) }
        guard headerProblems.isEmpty else {
            // The header's problems and those of reading the rows; the rows are not checked.
            try table.forEachRow({ _ in report.rows += 1 }, problem: { report.problems.append($0) })
            report.problems += headerProblems
            report.problems.sort(by: order)
            return
        }
        // Rows that change nothing are found a batch at a time and skip the row's checks; when
        // that cannot be kept exact (a duplicate in the file), the import starts again without.
        if findUnchanged, let unchanged = try UnchangedRows(validator: validator, db: db, mapping: mapping, header: table.header, update: update) {
            defer { unchanged.drop() }
            let start = report
            do {
                return try importMapped(table, mapping: mapping, validator: validator, db: db, update: update, unchanged: unchanged, report: &report)
            } catch is UnchangedRows.Abandon {
                report = start
            }
        }
        try importMapped(table, mapping: mapping, validator: validator, db: db, update: update, unchanged: nil, report: &report)
    }

    /// ``importRows(_:kind:db:update:report:)`` once the header is mapped without a problem.
    static func importMapped(_ table: InputTable, mapping: [Int: String], validator: ImportValidator, db: Database, update: Bool,
                             unchanged: UnchangedRows?, report: inout ImportReport) throws {
        let kind = validator.kind
        let fileColumns = Dictionary(uniqueKeysWithValues: mapping.map { ($0.value, table.columnLabel($0.key)) })
        let staging = try ImportStaging(validator: validator, db: db, columns: fileColumns)
        validator.mayLinkInSet = kind == .links && validator.absent.isEmpty
        defer { staging.drop() }
        // One pass over the cells: converted, checked on their own, and staged.
        var problems: [ImportProblem] = []
        report.rows = try eachInput(table, mapping: mapping, validator: validator, db: db, unchanged: unchanged,
                                    problem: { problems.append($0) }) { input in
            let row = validator.prepare(input)
            if row.problems.isEmpty { try staging.add(row) } else { problems += row.problems }
        }
        if let unchanged, try unchanged.collides(with: staging) { throw UnchangedRows.Abandon() }
        report.problems = problems
        if report.rows == 0 {
            report.problems.append(ImportProblem(file: table.file, line: table.headerLine, column: nil, field: nil,
                                                 message: "the file has a header but no rows", hint: "add one row per \(kind.rawValue.dropLast())"))
            return
        }
        // Keys, duplicates and the register's rows, for every staged row at once.
        report.problems += try staging.refuseCadresWhoMayNotLink()
        try staging.resolve()
        try staging.eachRow(update: update) { row, existing in
            var row = row
            if let existing { try checkAgainstRegister(&row, validator: validator, db: db, update: update, existing: existing) }
            report.problems += row.problems
        }
        if kind == .links, report.problems.isEmpty {
            report.problems += try quotaProblems(staging)
        }
        if report.problems.isEmpty {
            do {
                let counts = try Atomic.run(db, "linkage_import_rows") { try staging.write() }
                report.inserted = counts.inserted
                report.updated = counts.updated
                report.unchanged = counts.unchanged + (unchanged?.count ?? 0)
                report.unchangedAtOnce = unchanged?.count ?? 0
            } catch is DatabaseError {
                // A refusal the checks did not foresee: row by row, to tell which row and why. The
                // file had no problem of its own (none were found), so all it gives now is rows.
                report.inserted = 0
                report.updated = 0
                report.unchanged = 0
                validator.mayLinkInSet = false
                var rowByRow = RowByRow(validator: validator, db: db, update: update)
                let rows = try eachInput(table, mapping: mapping, validator: validator, db: db, problem: { report.problems.append($0) }) { input in
                    try rowByRow.add(input, report: &report)
                }
                guard rows == report.rows else {
                    throw ExchangeError("\(table.file) changed while it was imported (\(report.rows) rows, then \(rows)); nothing was imported — import it again")
                }
            }
        }
        report.problems.sort(by: order)
    }

    /// New open links held to the quotas and households' most in force on their start date, as
    /// `link()` holds them (``Linking/excesses(_:_:since:)``): each excess is a problem on the first
    /// row of the cadre, unit or household it is about. Links of each start date are a batch.
    static func quotaProblems(_ staging: ImportStaging) throws -> [ImportProblem] {
        var problems: [ImportProblem] = []
        let byDate = Dictionary(grouping: try staging.openLinks(), by: \.since)
        for since in byDate.keys.sorted() {
            let batch = byDate[since]!
            for excess in try Linking.excesses(staging.db, batch.map(\.link), since: since) {
                let field: String
                switch batch[excess.index].link.linker {
                case .cadre: field = staging.fileColumns["cadre_resident_id"] != nil && staging.fileColumns["cadre"] == nil ? "cadre_resident_id" : "cadre"
                case .unit: field = "unit"
                }
                problems.append(staging.validator.problem(batch[excess.index].line, staging.fileColumns[field], field, excess.refusal, excess.advice))
            }
        }
        return problems
    }

    /// The rows read and checked at a time: each batch's references are found with one join per
    /// kind, and its rows are then let go. Larger batches save little (the joins are per text).
    static let batchSize = 10_000

    /// One pass over the file's rows (``InputTable/forEachRow(_:problem:)``), in batches whose
    /// references are found at once (``ReferenceSet``) before their rows are handed on as inputs
    /// of the validator; the problems of reading go to `problem`. Returns the number of rows.
    /// With `unchanged`, the rows of a batch that change nothing (``UnchangedRows``) are counted
    /// but not handed on.
    static func eachInput(_ table: InputTable, mapping: [Int: String], validator: ImportValidator, db: Database,
                          unchanged: UnchangedRows? = nil,
                          problem: (ImportProblem) -> Void, _ body: (ImportRowInput) throws -> Void) throws -> Int {
        var batch: [InputTable.Row] = []
        batch.reserveCapacity(batchSize)
        var count = 0
        // A row with every mapped cell has the file's columns (one dictionary shared by them all).
        let fileColumns = Dictionary(uniqueKeysWithValues: mapping.map { ($0.value, table.columnLabel($0.key)) })
        let mapped = (mapping.keys.max() ?? -1) + 1
        func flush() throws {
            guard !batch.isEmpty else { return }
            var rows = batch
            if let same = try unchanged?.unchanged(in: batch), !same.isEmpty { rows.removeAll { same.contains($0.line) } }
            count += batch.count
            batch.removeAll(keepingCapacity: true)
            guard !rows.isEmpty else { return }
            validator.found = try ReferenceSet.find(ReferenceSet.texts(rows, mapping: mapping, kind: validator.kind), db: db)
            for r in rows {
                var input = ImportRowInput(line: r.line, fields: Dictionary(minimumCapacity: mapping.count))
                if r.cells.count >= mapped { input.columns = fileColumns }
                for (i, field) in mapping where i < r.cells.count {
                    input.fields[field] = .init(label: table.header[i], column: table.columnLabel(i), value: r.cells[i])
                }
                try body(input)
            }
        }
        try table.forEachRow({ r in
            batch.append(r)
            if batch.count == batchSize { try flush() }
        }, problem: problem)
        try flush()
        return count
    }

    /// The rows checked and written one at a time, each in a savepoint (the register's refusal of
    /// a row is reported on its row): how a file whose set the register refused is imported. The
    /// keys seen are kept, to find a row's duplicate in the file.
    struct RowByRow {
        let validator: ImportValidator
        let db: Database
        let update: Bool
        private var seen: [[SQLValue]: Int] = [:]       // key → first line
        private var seenUnique: [String: Int] = [:]     // other unique columns → first line

        init(validator: ImportValidator, db: Database, update: Bool) {
            self.validator = validator
            self.db = db
            self.update = update
        }

        mutating func add(_ input: ImportRowInput, report: inout ImportReport) throws {
            var row = validator.prepare(input)
            if row.problems.isEmpty, let line = row.line {
                let key = validator.keyValue(row.values, row.key)
                if !key.contains(.null), let first = seen[key] {
                    row.problems.append(duplicate(row, validator: validator, first: first))
                } else if !key.contains(.null) {
                    seen[key] = line
                }
                for set in validator.uniqueSets where set != row.key {
                    let values = set.map { row.values[$0] ?? .null }
                    if values.contains(.null) { continue }
                    let id = set.joined(separator: ",") + "=" + values.map(\.description).joined(separator: ",")
                    if let first = seenUnique[id] {
                        row.problems.append(validator.duplicate(row, set: set, first: first))
                    } else { seenUnique[id] = line }
                }
            }
            if row.problems.isEmpty { try write(row, validator: validator, db: db, update: update, report: &report) }
            report.problems += row.problems
        }
    }

    static func order(_ a: ImportProblem, _ b: ImportProblem) -> Bool {
        (a.line ?? 0, columnOrder(a.column)) < (b.line ?? 0, columnOrder(b.column))
    }

    static func columnOrder(_ c: String?) -> Int {
        guard let c else { return 0 }
        if let n = Int(c) { return n }
        return XLSXSheet.parseReference(c + "1")?.column ?? 0
    }

    static func duplicate(_ row: PreparedRow, validator: ImportValidator, first: Int) -> ImportProblem {
        let field = row.key.first { !$0.hasSuffix("_id") || $0 == "resident_id" } ?? row.key[0]
        let what: String
        switch validator.kind {
        case .households: what = "one household per resident ID"
        case .cadres: what = "one cadre per resident ID"
        default: what = "each \(validator.kind.rawValue.dropLast()) once"
        }
        return validator.problem(row.line, row.column(for: field), field, "\(validator.keyText(row)) is already on line \(first)",
                                 "\(what); keep one of the rows")
    }

    /// What the register holds for a row: found row by row (``write(_:validator:db:update:report:)``)
    /// or for a whole file at once (``ImportStaging``).
    struct Existing {
        /// The register's row with the row's key.
        let id: Int64?
        /// That row's columns, read when a check needs them.
        let current: () throws -> [String: SQLValue]?
        /// The row's other unique columns that another row of the register has.
        let conflicts: (PreparedRow) throws -> [ImportProblem]
        /// For a new open link, the register's open link of the same linker and target.
        let openLink: () throws -> (id: Int64, since: String)?
    }

    /// The checks of a row against the register before it is written: its key there (a problem
    /// without `update`), an `id` that names no row, a village's kind, the rules across fields of
    /// a file with only some columns (on the register's row with the file's changes), unique
    /// columns and an open link. Adds to the row's problems.
    static func checkAgainstRegister(_ row: inout PreparedRow, validator: ImportValidator, db: Database, update: Bool, existing: Existing) throws {
        let table = validator.kind.table
        let existingID = existing.id
        if let id = existingID, !update {
            let field = row.key.first { !$0.hasSuffix("_id") || $0 == "resident_id" } ?? row.key[0]
            row.problems.append(validator.problem(row.line, row.column(for: field), field,
                "\(validator.keyText(row)) is already in the register (\(table) \(id))",
                validator.file == checkedRow ? "check with { update = true } to change that \(table) to this row"
                                             : "run the import with --update to change that \(table) to this row, or remove the row"))
        }
        if existingID == nil, case .integer(let id)? = row.values["id"] {
            row.problems.append(validator.problem(row.line, row.column(for: "id"), "id", "there is no \(table) with id \(id) in the register",
                "id names a row of the register the file was exported from; leave it empty to add the row as new"))
            return
        }
        var current: [String: SQLValue]??
        func currentRow() throws -> [String: SQLValue]? {
            if let current { return current }
            let read = try existing.current()
            current = .some(read)
            return read
        }
        if existingID != nil, validator.kind == .villages || validator.kind == .communities, row.columns["kind"] == nil,
           case .text(let current)? = try currentRow()?["kind"],
           case .text(let implied)? = row.values["kind"], implied != current {
            // A village's row in a file of communities (or the reverse) would change its kind unasked.
            let field = row.values["id"] != nil ? "id" : "code"
            row.problems.append(validator.problem(row.line, row.column(for: field), field,
                "\(validator.keyText(row)) is a \(current) in the register, not a \(implied)",
                "import it with linkage import \(current == "community" ? "communities" : "villages"), or give a 类型 (kind) column to change its kind"))
        }
        if !validator.absent.isEmpty {
            // A file with only some columns: the rules across fields see the row as it will be.
            if existingID != nil {
                row.values = validator.merged(try currentRow(), with: row.values)
            } else if !validator.absentRequired.isEmpty {
                let lacking = validator.absentRequired.map { $0.map(validator.label).joined(separator: " or ") }.joined(separator: ", ")
                row.problems.append(validator.problem(row.line, nil, nil, "\(validator.keyText(row)) is not in the register, and a new \(validator.kind.rawValue.dropLast()) needs columns the file lacks: \(lacking)",
                    "a file with only some columns changes rows already in the register (found by \(validator.kind == .households ? "resident_id or id" : "their key or id")); add the columns, or check the key"))
            }
            let located = row
            validator.checkRules(row.values, columns: row.columns) { field, message, hint in
                row.problems.append(validator.problem(located.line, located.column(for: field), field, message, hint))
            }
        }
        row.problems += try existing.conflicts(row)
        if validator.kind == .links, existingID == nil, row.values["end_date"] == nil, let open = try existing.openLink() {
            row.problems.append(validator.problem(row.line, row.column(for: "start_date"), "start_date",
                "already linked since \(open.since) (link \(open.id))",
                "a link is set once; end that link before linking again, or drop this row"))
        }
    }

    /// Inserts the row, or updates the register's row with its key, in a savepoint: a refusal of
    /// the register (a CHECK or a trigger) becomes a problem of this row and the import goes on
    /// checking the rest.
    static func write(_ prepared: PreparedRow, validator: ImportValidator, db: Database, update: Bool, report: inout ImportReport) throws {
        var row = prepared
        let table = validator.kind.table
        let existingID = try validator.existing(row)
        try checkAgainstRegister(&row, validator: validator, db: db, update: update, existing: Existing(
            id: existingID, current: { try existingID.flatMap(validator.current) },
            conflicts: { try validator.uniqueConflicts($0, except: existingID) },
            openLink: { try validator.openLink(row) }))
        guard row.problems.isEmpty else { report.problems += row.problems; return }
        try db.cachedStatement(sql: "SAVEPOINT import_row").execute()
        do {
            if let id = existingID {
                let current = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(table) WHERE id = ?"), arguments: [id])!
                let changed = row.values.keys.sorted().filter { SQLValue(current[$0] as DatabaseValue) != row.values[$0] }
                if changed.isEmpty {
                    report.unchanged += 1
                } else {
                    try RecordEditor.update(db, table: table, id: id, changed.map { ($0, row.values[$0]!) })
                    report.updated += 1
                }
            } else {
                _ = try RecordEditor.insert(db, table: table, validator.info.columnNames.compactMap { c in row.values[c].map { (c, $0) } })
                report.inserted += 1
            }
            try db.cachedStatement(sql: "RELEASE import_row").execute()
        } catch let error as DatabaseError {
            try db.cachedStatement(sql: "ROLLBACK TO import_row").execute()
            try db.cachedStatement(sql: "RELEASE import_row").execute()
            report.problems.append(refusal(error, row: row, validator: validator))
        }
    }

    /// The register's refusal of a row, with the column it is about when that can be told.
    static func refusal(_ error: DatabaseError, row: PreparedRow, validator: ImportValidator) -> ImportProblem {
        let message = error.message ?? "\(error)"
        var field: String?
        if let range = message.range(of: "constraint failed: ") {
            let what = String(message[range.upperBound...])
            // "members > 0", "household.resident_id", a named CHECK: the first column of the row it names.
            field = row.values.keys.sorted { $0.count > $1.count }.first { what.contains($0) }
        }
        return validator.problem(row.line, field.flatMap { row.column(for: $0) }, field,
                                 "the register refuses the row: \(message)", "fix the row so that it meets the rule (docs/schema.md lists them)")
    }

    // MARK: one row, for scripts

    /// The file name of a row checked on its own.
    static let checkedRow = "(row)"

    /// Checks one row (fields by English or Chinese name) against the schema and the register,
    /// as `import.check` does in Lua: the problems as (field, message) pairs; none when the row
    /// would import. A row whose key is already in the register is a problem unless `update`.
    public static func check(kind: ImportKind, fields: [(String, CellValue)], db: Database, schema: SchemaCatalog,
                             update: Bool = false) throws -> [(field: String?, message: String)] {
        let validator = try ImportValidator(kind: kind, db: db, schema: schema, file: checkedRow)
        var input = ImportRowInput(line: nil, fields: [:])
        var problems: [(String?, String)] = []
        for (name, value) in fields {
            guard let field = validator.field(forHeader: name) else {
                if ImportHeaders.ignored.contains(ImportHeaders.normalize(name)) { continue }
                problems.append((name, "unknown field '\(name)' for \(kind.rawValue) — the fields are \(validator.fields.joined(separator: ", "))"))
                continue
            }
            input.fields[field] = .init(label: name, column: nil, value: value)
        }
        for group in validator.requiredGroups where group.allSatisfy({ input.fields[$0]?.value.isEmpty ?? true }) {
            if group.count > 1 { problems.append((group[0], "missing \(group.map(validator.label).joined(separator: " or ")) — give one of them")) }
        }
        let row = validator.prepare(input)
        problems += row.problems.map { ($0.field, $0.text) }
        guard problems.isEmpty else { return problems }
        // A read-only session cannot try the write: the checks above are all there is.
        if db.sqliteConnection.flatMap(StatementGuard.on)?.readOnlySession == true { return [] }
        // The register's own rules: write the row in a savepoint and roll it back.
        var report = ImportReport(kind: kind, file: checkedRow, source: "")
        // Linkage's own savepoints (this one and the row's in `write`), which scripts may not write.
        try StatementGuard.trusted(on: db) {
            try db.execute(sql: "SAVEPOINT import_check")
            defer {
                try? db.execute(sql: "ROLLBACK TO import_check")
                try? db.execute(sql: "RELEASE import_check")
            }
            try write(row, validator: validator, db: db, update: update, report: &report)
        }
        return report.problems.map { ($0.field, $0.text) }
    }
}
