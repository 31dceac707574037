import GRDB
import LinkageModel

/// The rows of an import that passed their own checks, in a TEMP table of the connection, where
/// keys, duplicates and the register's rows are found with one statement each for the whole file,
/// and from where one INSERT and one UPDATE write them.
///
/// A row is its line, its key (the columns ``ImportValidator/keyColumns(_:)`` names, as `keyset`,
/// and their values `k0` … `k4`), whether its rules are checked again on the register's row
/// (`recheck`), for each other unique column set of the table whether it is compared (`u0` … 1,
/// NULL when the set is the row's key or a value is missing), and its values by the table's
/// columns (`c0` …, NULL for an empty cell). ``resolve()`` fills in the register's row
/// with the same key (`existing_id`), the first line with the same key (`dup_first`) or the same
/// other unique values (`udup0` …), and the register's row with those (`conflict0` …).
final class ImportStaging {
    static let table = "linkage_import_row"
    let validator: ImportValidator
    let db: Database
    /// The table's columns, staged as c0, c1 …
    let columns: [String]
    /// The unique column sets of the table.
    let sets: [[String]]
    /// Field → the file's column it stands in (the same for every row).
    let fileColumns: [String: String]
    private let insert: RawWrite

    init(validator: ImportValidator, db: Database, columns fileColumns: [String: String]) throws {
        self.validator = validator
        self.db = db
        self.columns = validator.info.columnNames
        self.sets = validator.uniqueSets
        self.fileColumns = fileColumns
        let t = Self.table
        var definitions = ["line INTEGER NOT NULL", "keyset TEXT NOT NULL", "keyfull INTEGER NOT NULL", "k0", "k1", "k2", "k3", "k4",
                           "recheck INTEGER NOT NULL", "existing_id INTEGER", "dup_first INTEGER", "open_id INTEGER", "open_since TEXT"]
        definitions += sets.indices.flatMap { ["u\($0) INTEGER", "udup\($0) INTEGER", "conflict\($0) INTEGER"] }
        definitions += columns.indices.map { "c\($0)" }
        try db.execute(sql: "DROP TABLE IF EXISTS temp.\(t)")
        try db.execute(sql: "CREATE TEMP TABLE \(t) (\(definitions.joined(separator: ", ")))")
        let names = ["line", "keyset", "keyfull", "k0", "k1", "k2", "k3", "k4", "recheck"] + sets.indices.map { "u\($0)" } + columns.indices.map { "c\($0)" }
        insert = try RawWrite(db, sql: "INSERT INTO temp.\(t) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))")
    }

    func drop() {
        try? db.execute(sql: "DROP TABLE IF EXISTS temp.\(Self.table)")
    }

    /// Stages a row that passed its own checks.
    func add(_ row: PreparedRow) throws {
        let key = validator.keyValue(row.values, row.key)
        var values: [SQLValue] = [.integer(Int64(row.line ?? 0)), .text(row.key.joined(separator: ",")), .integer(key.contains(.null) ? 0 : 1)]
        values.reserveCapacity(9 + sets.count + columns.count)
        for k in 0..<5 { values.append(k < key.count ? key[k] : .null) }
        values.append(.integer(row.recheck ? 1 : 0))
        for set in sets {
            // Compared by its columns' values (as ``Importer/RowByRow`` compares them), unless
            // the set is the row's key or a value is missing.
            values.append(set == row.key || set.contains { row.values[$0] == nil } ? .null : .integer(1))
        }
        for c in columns { values.append(row.values[c] ?? .null) }
        try insert.run(values)
    }

    /// Fills in, for every staged row at once: the first line of the file with the same key (or the
    /// same values of another unique set), the register's row with the same key, and the register's
    /// other row with the same values of a unique set.
    func resolve() throws {
        let t = Self.table
        let target = validator.kind.table
        // Duplicates within the file: the first line of each key and of each other unique set.
        try db.execute(sql: """
            UPDATE temp.\(t) AS r SET dup_first = f.first
            FROM (SELECT rowid AS rid, min(line) OVER (PARTITION BY k0, k1, k2, k3, k4) AS first FROM temp.\(t) WHERE keyfull = 1) AS f
            WHERE f.rid = r.rowid AND f.first < r.line
            """)
        for (i, set) in sets.enumerated() {
            let values = set.map { "c\(columns.firstIndex(of: $0)!)" }.joined(separator: ", ")
            try db.execute(sql: """
                UPDATE temp.\(t) AS r SET udup\(i) = f.first
                FROM (SELECT rowid AS rid, min(line) OVER (PARTITION BY \(values)) AS first FROM temp.\(t) WHERE u\(i) IS NOT NULL) AS f
                WHERE f.rid = r.rowid AND f.first < r.line
                """)
        }
        // The register's row with each row's key (the keys a file gives are few: id, resident ID …).
        for keyset in try String.fetchAll(db, sql: "SELECT DISTINCT keyset FROM temp.\(t) WHERE keyfull = 1") {
            let key = keyset.split(separator: ",").map(String.init)
            let conditions = key.enumerated().map { "x.\($0.element) = r.k\($0.offset)" }.joined(separator: " AND ")
            try db.execute(sql: """
                UPDATE temp.\(t) AS r SET existing_id = (SELECT min(x.id) FROM main.\(target) AS x WHERE \(conditions))
                WHERE r.keyset = ? AND r.keyfull = 1
                """, arguments: [keyset])
        }
        if validator.kind == .links {
            // The register's open link of the same linker and target, for each new open link.
            let c = { (name: String) in "r.c\(self.columns.firstIndex(of: name)!)" }
            for (linker, target) in [("unit_id", "village_id"), ("unit_id", "household_id"), ("cadre_id", "village_id"), ("cadre_id", "household_id")] {
                try db.execute(sql: """
                    UPDATE temp.\(t) AS r SET (open_id, open_since) = (SELECT l.id, l.start_date FROM main.link AS l
                        WHERE l.\(linker) = \(c(linker)) AND l.\(target) = \(c(target)) AND l.end_date IS NULL ORDER BY l.id LIMIT 1)
                    WHERE r.existing_id IS NULL AND \(c("end_date")) IS NULL
                      AND \(c("unit_id")) IS \(linker == "unit_id" ? "NOT " : "")NULL AND \(c("village_id")) IS \(target == "village_id" ? "NOT " : "")NULL
                    """)
            }
        }
        // Another row of the register with the values of a unique set.
        for (i, set) in sets.enumerated() {
            let conditions = set.map { "x.\($0) = r.c\(columns.firstIndex(of: $0)!)" }.joined(separator: " AND ")
            try db.execute(sql: """
                UPDATE temp.\(t) AS r SET conflict\(i) = (SELECT x.id FROM main.\(target) AS x WHERE \(conditions) AND x.id IS NOT r.existing_id LIMIT 1)
                WHERE r.u\(i) IS NOT NULL
                """)
        }
    }

    /// Each staged row that a check against the register may find fault with, in file order, with
    /// its duplicates in the file as problems, and what the register holds for it (nil for a
    /// duplicate, which is not checked further).
    func eachRow(update: Bool, _ body: (PreparedRow, Importer.Existing?) throws -> Void) throws {
        let t = Self.table
        let target = validator.kind.table
        // The rows the checks may refuse: a duplicate, a conflict, a key in the register without
        // --update, an id that names no row; with some columns absent, every row (its rules are
        // checked on the register's row with the file's changes); villages and links, every row
        // (a village's kind, an open link).
        var conditions = ["dup_first IS NOT NULL", "existing_id IS NULL AND c\(columns.firstIndex(of: "id")!) IS NOT NULL"]
        conditions += sets.indices.flatMap { ["udup\($0) IS NOT NULL", "conflict\($0) IS NOT NULL"] }
        if !update { conditions.append("existing_id IS NOT NULL") }
        let all = Self.checksEveryRow(validator.kind)
        if !validator.absent.isEmpty {
            // A file with only some columns (or without an optional reference such as 乡镇): the
            // rules across fields see the register's row with the file's changes. They can find
            // what they did not on the row's own values (``PreparedRow/recheck``) only where the
            // register fills in a value the row leaves empty; a new row lacks what the file lacks.
            conditions.append("r.recheck = 1")
            if !validator.absentRequired.isEmpty { conditions.append("existing_id IS NULL") }
            conditions += columns.enumerated().filter { $0.element != "id" }.map { "(r.c\($0.offset) IS NULL AND x.\($0.element) IS NOT NULL)" }
        }
        // By position, not name: this reads every row of a file with absent columns.
        let n = sets.count
        let select = ["r.line", "r.keyset", "r.existing_id", "r.dup_first"] + (0..<n).map { "r.udup\($0)" } + (0..<n).map { "r.conflict\($0)" }
            + columns.indices.map { "r.c\($0)" } + columns.map { "x.\($0)" } + ["r.open_id", "r.open_since"]
        let (udup, conflict, staged, register) = (4, 4 + n, 4 + 2 * n, 4 + 2 * n + columns.count)
        let open = register + columns.count
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(select.joined(separator: ", ")) FROM temp.\(t) AS r LEFT JOIN main.\(target) AS x ON x.id = r.existing_id
            \(all ? "" : "WHERE " + conditions.joined(separator: " OR ")) ORDER BY r.rowid
            """)
        let validator = self.validator, sets = self.sets, columns = self.columns
        while let r = try rows.next() {
            var row = PreparedRow(line: r[0])
            row.columns = fileColumns
            for (i, c) in columns.enumerated() {
                let v = SQLValue(r[staged + i] as DatabaseValue)
                if v != .null { row.values[c] = v }
            }
            row.key = (r[1] as String).split(separator: ",").map(String.init)
            if let first: Int = r[3] { row.problems.append(Importer.duplicate(row, validator: validator, first: first)) }
            for (i, set) in sets.enumerated() where set != row.key {
                if let first: Int = r[udup + i] { row.problems.append(validator.duplicate(row, set: set, first: first)) }
            }
            guard row.problems.isEmpty else { try body(row, nil); continue }
            let existingID: Int64? = r[2]
            let conflicts: [(Int, Int64)] = (0..<n).compactMap { i in (r[conflict + i] as Int64?).map { (i, $0) } }
            // The register's row, read from this row of the cursor while the body runs.
            try body(row, .init(id: existingID,
                                current: { existingID == nil ? nil : Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element, SQLValue(r[register + $0.offset] as DatabaseValue)) }) },
                                conflicts: { row in try conflicts.map { try validator.conflict(row, set: sets[$0.0], other: $0.1) } },
                                openLink: { (r[open] as Int64?).map { ($0, r[open + 1] as String) } }))
        }
    }

    /// The staged open links whose cadre may not link on their start date (an excluded category in
    /// force, a departure: ``Linking/mayNotLink(_:rowsOf:key:cadre:day:)``), as the problems
    /// ``ImportValidator/checkMayLink(_:columns:fail:)`` words, in file order; those rows leave the
    /// staging table, as a row with a problem is never staged.
    func refuseCadresWhoMayNotLink() throws -> [ImportProblem] {
        guard validator.mayLinkInSet else { return [] }
        let c = { (name: String) in "r.c\(self.columns.firstIndex(of: name)!)" }
        let refusals = try Linking.mayNotLink(db, rowsOf: """
            (SELECT r.line, \(c("cadre_id")) AS cadre, \(c("start_date")) AS day
             FROM temp.\(Self.table) AS r WHERE \(c("end_date")) IS NULL AND \(c("cadre_id")) IS NOT NULL)
            """, key: "r.line", cadre: "r.cadre", day: "r.day")
        guard !refusals.isEmpty else { return [] }
        let field = validator.mayLinkField(fileColumns)
        var problems: [ImportProblem] = []
        let delete = try db.makeStatement(sql: "DELETE FROM temp.\(Self.table) WHERE line = ?")
        for refusal in refusals {
            try delete.execute(arguments: [refusal.key])
            problems.append(validator.problem(Int(refusal.key), fileColumns[field], field, "\(QueryError(refusal.refusal))", ImportValidator.mayLinkHint))
        }
        return problems.sorted { $0.line ?? 0 < $1.line ?? 0 }
    }

    /// Kinds whose every row is checked against the register (a village's kind, a link already
    /// open), whatever the other checks found.
    static func checksEveryRow(_ kind: ImportKind) -> Bool { [.villages, .communities, .links].contains(kind) }

    /// The new links of the file that are open (no end date), each with its line and start date.
    func openLinks() throws -> [(line: Int, link: Linking.NewLink, since: String)] {
        let c = { (name: String) in "c\(self.columns.firstIndex(of: name)!)" }
        let rows = try Row.fetchAll(db, sql: """
            SELECT line, \(c("cadre_id")) AS cadre, \(c("unit_id")) AS unit, \(c("household_id")) AS household,
                   \(c("village_id")) AS village, \(c("start_date")) AS since, \(c("note")) AS note
            FROM temp.\(Self.table) WHERE existing_id IS NULL AND \(c("end_date")) IS NULL ORDER BY line
            """)
        return rows.compactMap { r in
            let linker: Linking.Linker? = (r["cadre"] as Int64?).map { .cadre($0) } ?? (r["unit"] as Int64?).map { .unit($0) }
            let target: Linking.Target? = (r["household"] as Int64?).map { .household($0) } ?? (r["village"] as Int64?).map { .village($0) }
            guard let linker, let target, let since: String = r["since"] else { return nil }
            return (r["line"], Linking.NewLink(linker, target, note: r["note"]), since)
        }
    }

    /// Writes every staged row through the register's writer in its batch form
    /// (``RecordEditor/writeStaged(_:table:staged:columns:existing:order:)``): one UPDATE of the
    /// rows whose values differ (a cell left empty keeps the register's value), one INSERT of the
    /// new rows in file order (the staging table's own: rows are staged as the file gives them, so
    /// no sort is needed).
    func write() throws -> (inserted: Int, updated: Int, unchanged: Int) {
        let existing = try Int.fetchOne(db, sql: "SELECT count(*) FROM temp.\(Self.table) WHERE existing_id IS NOT NULL") ?? 0
        let written = try RecordEditor.writeStaged(db, table: validator.kind.table, staged: "temp.\(Self.table)",
                                                   columns: columns.enumerated().map { ($0.element, "c\($0.offset)") },
                                                   existing: "existing_id", order: "rowid")
        return (written.inserted, written.updated, existing - written.updated)
    }
}
