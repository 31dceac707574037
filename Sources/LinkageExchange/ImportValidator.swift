import Foundation
import GRDB
import LinkageModel

/// One row to check: the fields a file (or a Lua table) gives, each with the header it was given
/// under and the column it stands in.
public struct ImportRowInput: Sendable {
    public struct Field: Sendable {
        public let label: String
        public let column: String?
        public let value: CellValue
    }
    public let line: Int?
    public var fields: [String: Field]
    /// Field → column for every field, when the caller has them for all its rows (a file's row
    /// with every cell); otherwise they are read from ``fields``.
    var columns: [String: String]?

    public init(line: Int?, fields: [String: Field]) {
        self.line = line
        self.fields = fields
    }
}

/// A row checked and turned into the columns of its table.
struct PreparedRow {
    let line: Int?
    /// Column → value: what the row gives (empty cells left out), references resolved, and values
    /// derived from the kind (a community's kind, a household's kind from its village).
    var values: [String: SQLValue] = [:]
    var problems: [ImportProblem] = []
    /// The natural key (columns); ``ImportValidator/keyText(_:)`` reads it for a person.
    var key: [String] = []
    /// Field → the column of the file it stands in.
    var columns: [String: String] = [:]
    /// A row of a file without some columns whose rules across fields find fault with its own
    /// values: they are checked again on the register's row with the file's changes
    /// (``Importer/checkAgainstRegister(_:validator:db:update:existing:)``), which decides.
    var recheck = false

    /// The file's column for a table column or field (`village_id` → the village column).
    func column(for name: String) -> String? {
        if let c = columns[name] { return c }
        let field = ["area_id": "area", "village_id": "village", "household_id": "household", "unit_id": "unit",
                     "cadre_id": "cadre", "successor_cadre_id": "successor"][name]
        return field.flatMap { columns[$0] } ?? (name == "cadre_id" ? columns["cadre_resident_id"] : nil)
    }
}

/// Checks rows to import against the schema (types, enumerations, required columns, read by
/// SchemaCatalog so the schema stays the one source of truth) and the register (references,
/// duplicates), with a message per problem that says what is wrong and what would be right.
///
/// By job, one file each: header mapping (`ImportHeaderMapping.swift`), cell conversion
/// (`ImportCellConversion.swift`), reference lookup (`ImportReferenceLookup.swift`, and for a
/// whole file at once `ImportReferenceSet.swift`), row rules (`ImportRowRules.swift`), keys
/// (`ImportKeys.swift`); here, a row's checks in order (``prepare(_:)``). A file's rows are
/// staged and checked against each other and the register as a set in `ImportStaging.swift`.
public final class ImportValidator {
    public let kind: ImportKind
    let db: Database
    let schema: SchemaCatalog
    let info: TableInfo
    let file: String
    /// The fields a file may give, in order: `id`, the table's columns, then the references.
    public let fields: [String]
    /// Fields the file has no column for: with `--update` a file may give only the key and the
    /// columns to change, and the rest come from the register's row (``merged(_:with:)``).
    public internal(set) var absent: Set<String> = []
    /// Normalised header → field.
    private var lookup: [String: String] = [:]
    /// Schema defaults (`DEFAULT 'visit'`), for the keys of rows that leave them out.
    private(set) var defaults: [String: SQLValue] = [:]
    /// The unique column sets of the table, from its indexes.
    private(set) var uniqueSets: [[String]] = []
    /// The register's rows that a file's references name, found for the whole file at once
    /// (``ReferenceSet``): a reference found here asks the register nothing more; one not found
    /// is looked up on its own, for its message and the names it may have meant.
    var found = ReferenceSet.Found()
    /// Whether the cadre of an open link is checked for the whole file at once
    /// (``ImportStaging/refuseCadresWhoMayNotLink()``) rather than in ``prepare(_:)``: for a file's
    /// full rows that have no other problem, when the file has every column.
    var mayLinkInSet = false
    /// The fields that are columns of the table, each with its conversions (``CellMemo``).
    private var memos: [String: CellMemo] = [:]

    public init(kind: ImportKind, db: Database, schema: SchemaCatalog, file: String) throws {
        self.kind = kind
        self.db = db
        self.schema = schema
        self.file = file
        guard let info = schema[kind.table] else { throw ExchangeError("the register has no table \(kind.table)") }
        self.info = info
        let direct = info.columns.filter { !$0.isPrimaryKey && !kind.referenceColumns.contains($0.name) && !kind.hiddenColumns.contains($0.name) }
        // `id` names a row of this register (a file exported from it): the one key that tells
        // apart visits of the same day, and that lets a round trip correct a resident ID or a code.
        fields = ["id"] + direct.map(\.name) + kind.referenceFields
        for f in fields { if let column = info[f] { memos[f] = CellMemo(column, table: kind.table) } }
        // English names first, then the kind's own Chinese names, then the common ones.
        for f in fields { lookup[ImportHeaders.normalize(f)] = f }
        for f in fields { for n in ImportHeaders.byKind[kind]?[f] ?? [] where lookup[ImportHeaders.normalize(n)] == nil { lookup[ImportHeaders.normalize(n)] = f } }
        for f in fields { for n in ImportHeaders.common[f] ?? [] where lookup[ImportHeaders.normalize(n)] == nil { lookup[ImportHeaders.normalize(n)] = f } }
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT name, dflt_value FROM pragma_table_info(?)"), arguments: [kind.table]) {
            guard let d: String = row["dflt_value"] else { continue }
            if d.hasPrefix("'") { defaults[row["name"]] = .text(String(d.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")) }
            else if let i = Int64(d) { defaults[row["name"]] = .integer(i) }
            else if let r = Double(d) { defaults[row["name"]] = .real(r) }
        }
        for index in try Row.fetchAll(db.cachedStatement(sql: "SELECT name FROM pragma_index_list(?) WHERE \"unique\" = 1 AND partial = 0"), arguments: [kind.table]) {
            let columns = try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno"), arguments: [index["name"] as String])
            if !columns.isEmpty { uniqueSets.append(columns) }
        }
    }

    /// The field a header names, or nil.
    public func field(forHeader header: String) -> String? { lookup[ImportHeaders.normalize(header)] }

    /// Fields the header must have (some alternative of each group).
    var requiredGroups: [[String]] {
        var groups: [[String]] = []
        let derivable: Set<String> = kind == .households || kind == .villages || kind == .communities ? ["kind"] : []
        for c in info.columns where c.isRequired && fields.contains(c.name) && !derivable.contains(c.name) {
            groups.append([c.name])
        }
        switch kind {
        case .cadres: groups.append(["unit"])
        case .households: groups.append(["village"])
        case .links, .visits, .activities:
            groups.append(["cadre", "cadre_resident_id", "unit"])
            groups.append(["household", "village"])
        default: break
        }
        return groups
    }

    func label(_ field: String) -> String {
        let chinese = ImportHeaders.names(for: field, kind: kind).first { $0.unicodeScalars.contains { $0.value > 0x2E80 } }
        return chinese.map { "\($0) (\(field))" } ?? field
    }

    func problem(_ line: Int?, _ column: String?, _ field: String?, _ message: String, _ hint: String?) -> ImportProblem {
        ImportProblem(file: file, line: line, column: column, field: field,
                      message: MessageText.quoted(message), hint: hint.map(MessageText.quoted))
    }

    // MARK: one row

    /// A cell of the `id` column as the register row it names, or nil when it is not a row's number.
    static func rowID(_ cell: CellValue) -> Int64? {
        switch cell {
        case .integer(let i) where i > 0: return i
        case .number(let d) where d == d.rounded() && d > 0 && d < 9e15: return Int64(d)
        default:
            if let i = Int64(ImportValidator.clean(cell.text)), i > 0 { return i }
            return nil
        }
    }

    /// A cell of a field that is a column of the table, converted as ``prepare(_:)`` converts it
    /// (``CellMemo``); nil for a field that is not a column (`id`, a reference).
    func convert(_ cell: CellValue, field: String, label: String) -> Result<SQLValue, ValueProblem>? {
        memos[field]?.convert(cell, label: label, by: self)
    }

    /// The conversions of a field that is a column of the table; nil for `id` and a reference.
    func memo(_ field: String) -> CellMemo? { memos[field] }

    /// Checks one row: values, references and the rules that look at other rows of the register.
    func prepare(_ input: ImportRowInput) -> PreparedRow {
        var row = PreparedRow(line: input.line)
        row.columns = input.columns ?? input.fields.compactMapValues(\.column)
        let located = row
        var problems: [ImportProblem] = []
        let absent = self.absent
        func fail(_ field: String, _ message: String, _ hint: String?) {
            // A field the file has no column for is missing, not wrong: the register's row gives it
            // (or a new row is told what it lacks, Importer.write).
            if absent.contains(field) { return }
            problems.append(problem(input.line, located.column(for: field), field, message, hint))
        }
        var refs: [String: String] = [:]
        row.values.reserveCapacity(info.columns.count + 1)
        for (field, given) in input.fields where !ImportValidator.isBlank(given.value) {
            if case .text(let text) = given.value, Privacy.containsMasked(text) {
                fail(field, "\(given.label) '\(text)' is masked: linkage export hides resident IDs and phone numbers unless --show-pii, and a masked value is never written into the register",
                     "export again with --show-pii (a file to import back needs it), or type the whole value")
                continue
            }
            if field == "id" {
                if let id = ImportValidator.rowID(given.value) { row.values["id"] = .integer(id) }
                else { fail(field, "id '\(given.value.text)' is not the number of a row", "leave id as linkage export wrote it, or empty for a new row") }
                continue
            }
            if let converted = convert(given.value, field: field, label: given.label) {
                switch converted {
                case .success(let v): row.values[field] = v
                case .failure(let p): fail(field, p.message, p.hint)
                }
            } else {
                let text = ImportValidator.clean(given.value.text)
                if case .number(let d) = given.value, d >= 1e15, ["cadre", "cadre_resident_id", "household", "successor"].contains(field) {
                    fail(field, "\(given.label) \(given.value.text) is stored as a number, and a spreadsheet keeps only 15 of its digits",
                         "format the column as text and type the 18 characters again")
                    continue
                }
                refs[field] = text
            }
        }
        resolveReferences(refs, into: &row, fail: fail)
        // Values the kind fixes or the references imply.
        switch kind {
        case .villages: if row.values["kind"] == nil { row.values["kind"] = .text("village") }
        case .communities: row.values["kind"] = .text("community")
        default: break
        }
        // Required columns.
        for c in info.columns where c.isRequired && row.values[c.name] == nil {
            if kind.referenceColumns.contains(c.name) || kind.hiddenColumns.contains(c.name) { continue }
            if absent.contains(c.name) { continue }
            if problems.contains(where: { $0.field == c.name }) { continue }
            if kind == .households, c.name == "kind", problems.contains(where: { $0.field == "village" }) { continue }
            fail(c.name, "\(label(c.name)) is empty", "every row of \(kind.rawValue) needs it")
        }
        // A row of a file without some columns is checked across fields once the register's row
        // has filled them in (Importer.write).
        if absent.isEmpty {
            let later = mayLinkInSet && input.columns != nil
            checkRules(row.values, columns: row.columns, mayLink: !later, fail: fail)
            // A row with a problem is not staged: its cadre is checked here, in the same place.
            if later && !problems.isEmpty { checkMayLink(row.values, columns: row.columns, fail: fail) }
        }
        else if !ImportStaging.checksEveryRow(kind) {
            // Only a row these find fault with, or one the register's row fills in, needs that check.
            checkRules(row.values, columns: row.columns) { _, _, _ in row.recheck = true }
        }
        setKey(&row)
        // In the order of the file's columns, else of the fields.
        let position = { (p: ImportProblem) -> Int in self.fields.firstIndex(of: p.field ?? "") ?? self.fields.count }
        row.problems = problems.enumerated().sorted { a, b in
            (Importer.columnOrder(a.element.column), position(a.element), a.offset) < (Importer.columnOrder(b.element.column), position(b.element), b.offset)
        }.map(\.element)
        return row
    }

}
