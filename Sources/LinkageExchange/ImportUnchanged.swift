import GRDB
import LinkageModel

/// The rows of an `--update` that change nothing, found a batch at a time without checking them
/// one by one: the usual round trip (export, edit a few cells, import back) gives a file whose
/// rows are nearly all the register's rows as they are.
///
/// Each cell of a batch is converted as a row's check converts it (``ImportValidator/CellMemo``,
/// the `id` as ``ImportValidator/rowID(_:)`` reads it; a reference as its text), without the rest
/// of the row's checks, and the batch's values go into a TEMP table. One statement then finds the
/// rows whose key names a register row and whose every value is that row's (`IS`, as the write
/// compares them; a reference names that row's village). Such a row is valid by construction: its
/// values are the register row's, which its CHECK constraints and triggers hold to the rules
/// across fields, the required columns and the village's kind; its cells converted without a
/// problem and none is masked. Nothing would be written for it, so it is counted as unchanged
/// and only the other rows go through the row's checks and the staging.
///
/// What looks across rows is kept exact by giving up: two unchanged rows of the same register
/// row, or a checked row that shares a key or a unique value with an unchanged one (a duplicate
/// the set-wise checks would report), and the import starts again without this (``Abandon``).
/// Households only (a village by its 12-digit code): the kind a province re-imports.
final class UnchangedRows {
    struct Abandon: Error {}

    static let batchTable = "linkage_import_same_batch"
    static let table = "linkage_import_same"
    let validator: ImportValidator
    let db: Database
    /// The file's columns compared, in the batch table's order (v0, v1 …): index and field.
    private let compared: [Compared]
    /// A column of the file and how its cells are read.
    private struct Compared {
        enum Read { case id, village, column(ImportValidator.CellMemo) }
        let index: Int
        let field: String
        let label: String
        let read: Read
    }
    private let insert: RawWrite
    private let find: Statement
    /// Unchanged rows found so far.
    private(set) var count = 0
    /// Their register rows.
    private var ids = IDRanges()
    /// Batches not tried: a batch with few unchanged rows (a file of new or changed rows) stops the
    /// trying for the next `stride` batches, twice as many after each such batch tried again.
    private var skipping = 0
    private var stride = 16

    /// Nil when the import is not one this applies to: households with `--update`, a file whose
    /// columns are the table's own, `id` or `resident_id` for the key, and the village by code.
    init?(validator: ImportValidator, db: Database, mapping: [Int: String], header: [String], update: Bool) throws {
        guard update, validator.kind == .households else { return nil }
        let direct = Set(validator.info.columnNames).subtracting(validator.kind.referenceColumns)
        guard mapping.values.allSatisfy({ direct.contains($0) || $0 == "village" }) else { return nil }
        let fields = Set(mapping.values)
        let key = fields.contains("id") ? "id" : fields.contains("resident_id") ? "resident_id" : nil
        guard let key else { return nil }
        self.validator = validator
        self.db = db
        let compared = try mapping.sorted { $0.key < $1.key }.map { index, field in
            let read: Compared.Read
            switch field {
            case "id": read = .id
            case "village": read = .village
            default:
                guard let memo = validator.memo(field) else { throw ExchangeError("no conversion for \(field)") }
                read = .column(memo)
            }
            return Compared(index: index, field: field, label: header[index], read: read)
        }
        self.compared = compared
        let column = { (field: String) in "r.v\(compared.firstIndex { $0.field == field }!)" }
        let b = Self.batchTable
        try db.execute(sql: "DROP TABLE IF EXISTS temp.\(b)")
        try db.execute(sql: "CREATE TEMP TABLE \(b) (line INTEGER NOT NULL, ok INTEGER NOT NULL\(compared.indices.map { ", v\($0)" }.joined()))")
        insert = try RawWrite(db, sql: "INSERT INTO temp.\(b) VALUES (\(Array(repeating: "?", count: compared.count + 2).joined(separator: ", ")))")
        var conditions = ["r.ok = 1"]
        var joins = ["JOIN main.household AS x ON x.\(key) = \(column(key))"]
        for field in compared.map(\.field) where field != key {
            if field == "village" {
                joins.append("JOIN main.village AS v ON v.id = x.village_id")
                conditions.append("v.code = \(column(field))")
            } else {
                conditions.append("x.\(field) IS \(column(field))")
            }
        }
        find = try db.makeStatement(sql: """
            SELECT x.id, r.line FROM temp.\(b) AS r \(joins.joined(separator: " "))
            WHERE \(conditions.joined(separator: " AND "))
            """)
    }

    func drop() {
        try? db.execute(sql: "DROP TABLE IF EXISTS temp.\(Self.batchTable)")
        try? db.execute(sql: "DROP TABLE IF EXISTS temp.\(Self.table)")
    }

    /// The rows of `batch` that change nothing (their lines); the others are checked as usual.
    /// Throws ``Abandon`` when two rows of the file are the same register row.
    func unchanged(in batch: [InputTable.Row]) throws -> Set<Int> {
        if skipping > 0 {
            skipping -= 1
            return []
        }
        try db.execute(sql: "DELETE FROM temp.\(Self.batchTable)")
        var values: [SQLValue] = []
        values.reserveCapacity(compared.count + 2)
        for r in batch {
            values.removeAll(keepingCapacity: true)
            values.append(.integer(Int64(r.line)))
            values.append(.integer(1))
            for k in compared.indices {
                let index = compared[k].index
                guard let value = index < r.cells.count ? value(r.cells[index], k) : .null else {
                    values[1] = .integer(0)
                    break
                }
                values.append(value)
            }
            while values.count < compared.count + 2 { values.append(.null) }
            try insert.run(values)
        }
        var lines = Set<Int>()
        let rows = try Row.fetchCursor(find)
        while let row = try rows.next() {
            // A second row of the same register row is a duplicate in the file.
            guard ids.insert(row[0]) else { throw Abandon() }
            lines.insert(row[1])
        }
        count += lines.count
        if lines.count * 4 < batch.count {
            skipping = stride
            stride = min(2 * stride, 1024)
        } else {
            stride = 16
        }
        return lines
    }

    /// A cell as the value a row's check gives it, or nil when the row must be checked.
    private func value(_ cell: CellValue, _ k: Int) -> SQLValue? {
        if ImportValidator.isBlank(cell) { return .null }
        if case .text(let text) = cell, Privacy.containsMasked(text) { return nil }
        switch compared[k].read {
        case .id: return ImportValidator.rowID(cell).map { .integer($0) }
        case .village:
            // By code, as ``ImportValidator/village(_:area:)`` looks a 12-digit text up.
            let text = ImportValidator.clean(cell.text)
            return text.utf8.count == 12 && text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) ? .text(text) : nil
        case .column(let memo):
            guard case .success(let v) = memo.convert(cell, label: compared[k].label, by: validator) else { return nil }
            return v
        }
    }

    /// Whether a row the checks staged shares its key, or the values of a unique set, with an
    /// unchanged row (which the set-wise checks would report as a duplicate in the file).
    func collides(with staging: ImportStaging) throws -> Bool {
        guard count > 0, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM temp.\(ImportStaging.table))") == true else { return false }
        let s = ImportStaging.table, t = Self.table
        // The unchanged rows' register rows, in a TEMP table for the joins.
        try db.execute(sql: "DROP TABLE IF EXISTS temp.\(t)")
        try db.execute(sql: "CREATE TEMP TABLE \(t) (id INTEGER PRIMARY KEY)")
        let insert = try db.makeStatement(sql: "INSERT INTO temp.\(t) (id) VALUES (?)")
        for (start, end) in zip(ids.starts, ids.ends) {
            for id in start...end { try insert.execute(arguments: [id]) }
        }
        let c = { (name: String) in "r.c\(staging.columns.firstIndex(of: name)!)" }
        var checks: [String] = []
        for keyset in try String.fetchAll(db, sql: "SELECT DISTINCT keyset FROM temp.\(s) WHERE keyfull = 1") {
            let key = keyset.split(separator: ",").map(String.init)
            let conditions = key.enumerated().map { "x.\($0.element) = r.k\($0.offset)" }.joined(separator: " AND ")
            checks.append("""
                SELECT 1 FROM temp.\(s) AS r JOIN main.household AS x ON \(conditions) JOIN temp.\(t) AS u ON u.id = x.id
                WHERE r.keyset = '\(keyset)' AND r.keyfull = 1
                """)
        }
        for (i, set) in staging.sets.enumerated() {
            let conditions = set.map { "x.\($0) = \(c($0))" }.joined(separator: " AND ")
            checks.append("""
                SELECT 1 FROM temp.\(s) AS r JOIN main.household AS x ON \(conditions) JOIN temp.\(t) AS u ON u.id = x.id
                WHERE r.u\(i) IS NOT NULL
                """)
        }
        for check in checks where try Bool.fetchOne(db, sql: "SELECT EXISTS (\(check))") == true { return true }
        return false
    }
}

/// A set of row ids as ranges of consecutive ids: an exported file lists its rows in id order, so a
/// million ids are a few ranges, not a million entries (memory stays flat at nation scale).
struct IDRanges {
    /// The first and last id of each range, in order; ranges neither overlap nor touch.
    private(set) var starts: [Int64] = []
    private(set) var ends: [Int64] = []

    /// Adds `id`; false when it is already in.
    mutating func insert(_ id: Int64) -> Bool {
        // The usual case: after every id so far.
        if let last = ends.last, id > last {
            if id == last + 1 { ends[ends.count - 1] = id } else { starts.append(id); ends.append(id) }
            return true
        }
        if ends.isEmpty { starts.append(id); ends.append(id); return true }
        // The first range that ends at or after id.
        var low = 0, high = ends.count
        while low < high {
            let mid = (low + high) / 2
            if ends[mid] < id { low = mid + 1 } else { high = mid }
        }
        if starts[low] <= id { return false }
        let joinsPrevious = low > 0 && ends[low - 1] == id - 1
        let joinsNext = starts[low] == id + 1
        switch (joinsPrevious, joinsNext) {
        case (true, true):
            ends[low - 1] = ends[low]
            starts.remove(at: low)
            ends.remove(at: low)
        case (true, false): ends[low - 1] = id
        case (false, true): starts[low] = id
        case (false, false):
            starts.insert(id, at: low)
            ends.insert(id, at: low)
        }
        return true
    }
}
