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
    public private(set) var absent: Set<String> = []
    /// Normalised header → field.
    private var lookup: [String: String] = [:]
    /// Schema defaults (`DEFAULT 'visit'`), for the keys of rows that leave them out.
    private var defaults: [String: SQLValue] = [:]
    /// The unique column sets of the table, from its indexes.
    private(set) var uniqueSets: [[String]] = []

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

    // MARK: header

    /// Maps each column of a header to its field; the problems name unknown, repeated and missing columns.
    /// With `update`, a missing column is no problem: rows already in the register keep what the
    /// file leaves out (``absent``), and a new row is told what it lacks.
    public func mapHeader(_ header: [String], line: Int, columnLabel: (Int) -> String, update: Bool = false,
                          columnIsEmpty: (Int) -> Bool) -> (fields: [Int: String], problems: [ImportProblem]) {
        var mapped: [Int: String] = [:]
        var problems: [ImportProblem] = []
        var firstColumn: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            if name.isEmpty {
                if !columnIsEmpty(i) {
                    problems.append(problem(line, columnLabel(i), nil, "column \(columnLabel(i)) has values but no header",
                                            "name it in the header row (\(fields.joined(separator: ", "))) or delete the column"))
                }
                continue
            }
            if ImportHeaders.ignored.contains(ImportHeaders.normalize(name)) { continue }
            guard let f = field(forHeader: name) else {
                problems.append(problem(line, columnLabel(i), nil, "unknown column '\(name)' for \(kind.rawValue)",
                                        "the columns are \(fields.map(label).joined(separator: ", ")); see docs/import-export.md for every accepted name"))
                continue
            }
            if let first = firstColumn[f] {
                problems.append(problem(line, columnLabel(i), f, "columns \(columnLabel(first)) ('\(header[first])') and \(columnLabel(i)) ('\(name)') both give \(f)",
                                        "keep one of them"))
                continue
            }
            firstColumn[f] = i
            mapped[i] = f
        }
        let given = Set(mapped.values)
        if update {
            absent = Set(fields).subtracting(given)
            return (mapped, problems)
        }
        for group in requiredGroups where given.isDisjoint(with: group) {
            let what = group.map(label).joined(separator: " or ")
            problems.append(problem(line, nil, group[0], "missing column \(what)",
                                    "add a column headed \(ImportHeaders.names(for: group[0], kind: kind).prefix(2).joined(separator: " or ")); \(kind.rawValue) need it"))
        }
        return (mapped, problems)
    }

    /// Every problem of a row or header is made here, so the file's text it quotes is escaped here.
    func problem(_ line: Int?, _ column: String?, _ field: String?, _ message: String, _ hint: String?) -> ImportProblem {
        ImportProblem(file: file, line: line, column: column, field: field,
                      message: MessageText.quoted(message), hint: hint.map(MessageText.quoted))
    }

    // MARK: one row

    /// Checks one row: values, references and the rules that look at other rows of the register.
    func prepare(_ input: ImportRowInput) -> PreparedRow {
        var row = PreparedRow(line: input.line)
        row.columns = input.fields.compactMapValues(\.column)
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
        for (field, given) in input.fields where !given.value.isEmpty {
            if case .text(let text) = given.value, Privacy.containsMasked(text) {
                fail(field, "\(given.label) '\(text)' is masked: linkage export hides resident IDs and phone numbers unless --show-pii, and a masked value is never written into the register",
                     "export again with --show-pii (a file to import back needs it), or type the whole value")
                continue
            }
            if field == "id" {
                switch given.value {
                case .integer(let i) where i > 0: row.values["id"] = .integer(i)
                case .number(let d) where d == d.rounded() && d > 0 && d < 9e15: row.values["id"] = .integer(Int64(d))
                default:
                    if let i = Int64(ImportValidator.clean(given.value.text)), i > 0 { row.values["id"] = .integer(i) }
                    else { fail(field, "id '\(given.value.text)' is not the number of a row", "leave id as linkage export wrote it, or empty for a new row") }
                }
                continue
            }
            if let column = info[field], fields.contains(field) {
                switch convert(given.value, column: column, label: given.label) {
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
        if absent.isEmpty { checkRules(row.values, columns: row.columns, fail: fail) }
        setKey(&row)
        // In the order of the file's columns, else of the fields.
        let position = { (p: ImportProblem) -> Int in self.fields.firstIndex(of: p.field ?? "") ?? self.fields.count }
        row.problems = problems.enumerated().sorted { a, b in
            (Importer.columnOrder(a.element.column), position(a.element), a.offset) < (Importer.columnOrder(b.element.column), position(b.element), b.offset)
        }.map(\.element)
        return row
    }

    /// Trimmed, with full-width spaces too.
    static func clean(_ s: String) -> String {
        s.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}")))
    }

    struct ValueProblem: Error { let message: String; let hint: String? }

    /// A cell as the value of a column: its type, enumeration, and the rules of resident IDs,
    /// dates, phones and codes; FieldCheck (the query API's own check) has the last word.
    func convert(_ cell: CellValue, column: LinkageModel.Column, label: String) -> Result<SQLValue, ValueProblem> {
        let table = kind.table
        let name = column.name
        var value: SQLValue
        switch column.kind {
        case .text:
            var text: String
            switch cell {
            case .number(let d):
                if name.contains("resident_id") && d >= 1e15 {
                    return .failure(.init(message: "\(label) \(cell.text) is stored as a number, and a spreadsheet keeps only 15 of its digits",
                                          hint: "format the column as text and type the 18 characters again"))
                }
                if d == d.rounded(), abs(d) < 1e15 {
                    text = String(Int64(d))
                    if name == "date" || name.hasSuffix("_date") || name.hasSuffix("_on"), let date = XLSXReader.date(fromSerial: d) { text = date }
                } else { text = cell.text }
            default: text = ImportValidator.clean(cell.text)
            }
            if column.allowed != nil { text = ImportValues.code(for: text, table: table, column: name) }
            if name.contains("resident_id") {
                if text.range(of: #"^[0-9.]+[Ee]\+?[0-9]+$"#, options: .regularExpression) != nil {
                    return .failure(.init(message: "\(label) '\(text)' is a number Excel shortened",
                                          hint: "format the column as text in Excel and type the 18 characters again before saving"))
                }
                do { text = try ResidentID(text).value } catch {
                    return .failure(.init(message: "\(label) '\(text)': \(error)", hint: residentIDHint(text, error)))
                }
            } else if name == "date" || name.hasSuffix("_date") || name.hasSuffix("_on") {
                guard let date = ImportValidator.normalizeDate(text), (try? DateText.check(date, field: name)) != nil else {
                    return .failure(.init(message: "\(label) '\(text)' is not a date", hint: "write YYYY-MM-DD, such as 2012-03-01, with a day that exists"))
                }
                text = date
            } else if name == "phone" {
                if text.count < 5 || text.count > 20 || text.contains(where: { !($0.isASCII && ($0.isNumber || "+ -".contains($0))) }) {
                    return .failure(.init(message: "\(label) '\(text)' is not a phone number", hint: "write 5 to 20 digits (spaces, + and - allowed), such as 13800001234"))
                }
            } else if name == "code", let length = ["area": 9, "village": 12][table] {
                if text.count != length || !text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                    let what = table == "area" ? "a township or subdistrict code has 9 digits (county 6 + 3), such as 620502100"
                                               : "a village or community code has 12 digits (its area's 9 + 3), such as 620502100001"
                    return .failure(.init(message: "\(label) '\(text)' is not a code", hint: what))
                }
            }
            value = .text(text)
        case .integer:
            if column.isBoolean {
                switch cell {
                case .boolean(let b): value = .integer(b ? 1 : 0)
                case .integer(let i) where i == 0 || i == 1: value = .integer(i)
                case .number(let d) where d == 0 || d == 1: value = .integer(Int64(d))
                default:
                    let t = ImportValidator.clean(cell.text).lowercased()
                    if ImportValues.yes.contains(t) { value = .integer(1) }
                    else if ImportValues.no.contains(t) { value = .integer(0) }
                    else { return .failure(.init(message: "\(label) '\(cell.text)' is not yes or no", hint: "write 是 or 否 (or 1/0, yes/no, true/false)")) }
                }
            } else {
                switch cell {
                case .integer(let i): value = .integer(i)
                case .number(let d) where d == d.rounded() && abs(d) < 9e15: value = .integer(Int64(d))
                default:
                    let t = ImportValidator.clean(cell.text).replacingOccurrences(of: ",", with: "")
                    if let i = Int64(t) { value = .integer(i) }
                    else if let d = Double(t), d == d.rounded(), abs(d) < 9e15 { value = .integer(Int64(d)) }
                    else { return .failure(.init(message: "\(label) '\(cell.text)' is not a whole number", hint: "write digits only, such as 4")) }
                }
                if name.hasSuffix("year"), case .integer(let y) = value, !(1980...2100).contains(y) {
                    return .failure(.init(message: "\(label) \(y) is not a year from 1980 to 2100", hint: "write the four-digit year, such as 2015"))
                }
            }
        case .real:
            switch cell {
            case .integer(let i): value = .real(Double(i))
            case .number(let d): value = .real(d)
            default:
                let t = ImportValidator.clean(cell.text).replacingOccurrences(of: ",", with: "")
                guard let d = Double(t), d.isFinite else {
                    return .failure(.init(message: "\(label) '\(cell.text)' is not a number", hint: "write digits with a decimal point if needed, such as 2300.5"))
                }
                value = .real(d)
            }
        case .blob, .any:
            value = .text(cell.text)
        }
        if let allowed = column.allowed, !allowed.contains(value), !column.isBoolean {
            let list = allowed.map { if case .text(let s) = $0 { return s } else { return $0.description } }
            let words = ImportValues.byColumn["\(table).\(name)"].map { dict in
                Dictionary(grouping: dict.keys.sorted(), by: { dict[$0]! }).sorted { $0.key < $1.key }
                    .map { "\($0.key) (\($0.value.joined(separator: "/")))" }
            }
            return .failure(.init(message: "\(label) '\(cell.text)' is not one of the values the register allows",
                                  hint: "write one of \((words ?? list).joined(separator: ", "))"))
        }
        do {
            return .success(try FieldCheck.check(value, for: column, table: table, path: label))
        } catch {
            return .failure(.init(message: "\(error)", hint: nil))
        }
    }

    func residentIDHint(_ text: String, _ error: ResidentID.Problem) -> String {
        switch error {
        case .length: return "a resident ID has 18 characters: 17 digits and a digit or X, such as 34052419800101001X"
        case .characters: return "only digits, and X as the last character"
        case .birthDate: return "characters 7–14 are the birth date YYYYMMDD; check them against the person's papers"
        case .checkCharacter: return "check the 17 digits against the person's papers (the last character follows from them)"
        }
    }

    /// 2012-03-01, 2012-3-1, 2012/3/1, 2012.3.1, 2012年3月1日 and 20120301 as YYYY-MM-DD.
    static func normalizeDate(_ s: String) -> String? {
        var t = s.trimmingCharacters(in: .whitespaces)
        if let space = t.firstIndex(of: " ") { // "2012/3/1 0:00:00", as Excel writes a date with a time
            let rest = t[t.index(after: space)...]
            if rest.allSatisfy({ $0.isNumber || $0 == ":" }) { t = String(t[..<space]) }
        }
        if t.count == 8, t.allSatisfy({ $0.isASCII && $0.isNumber }) {
            t = "\(t.prefix(4))-\(t.dropFirst(4).prefix(2))-\(t.suffix(2))"
        }
        t = t.replacingOccurrences(of: "年", with: "-").replacingOccurrences(of: "月", with: "-").replacingOccurrences(of: "日", with: "")
        let parts = t.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    // MARK: references

    struct AreaRef { let id: Int64; let code: String; let name: String; let kind: String }
    struct VillageRef { let id: Int64; let code: String; let name: String; let kind: String; let areaID: Int64 }
    struct CadreRef { let id: Int64; let name: String; let unitID: Int64; let residentID: String?; let excluded: String?; let leftOn: String? }

    static func looksLikeResidentID(_ s: String) -> Bool {
        s.count >= 15 && s.count <= 18 && s.dropLast().allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The register's rows that a file's references name, found for the whole file at once
    /// (``ReferenceSet``): a reference found here asks the register nothing more; one not found
    /// is looked up on its own, for its message and the names it may have meant.
    var found = ReferenceSet.Found()

    func area(_ text: String) -> Result<AreaRef, ValueProblem> {
        if let r = found.areas[text] { return .success(r) }
        let byCode = text.count == 9 && text.allSatisfy { $0.isASCII && $0.isNumber }
        let rows = (try? Row.fetchAll(db.cachedStatement(sql: "SELECT id, code, name, kind FROM area WHERE \(byCode ? "code" : "name") = ?"), arguments: [text])) ?? []
        if let r = rows.first { return .success(AreaRef(id: r["id"], code: r["code"], name: r["name"], kind: r["kind"])) }
        let similar = nearest(text, in: "area", column: byCode ? "code" : "name",
                              containing: "SELECT name FROM area WHERE instr(name, ?1) > 0 OR instr(?1, substr(name, 1, 2)) > 0 ORDER BY code LIMIT 3")
        return .failure(.init(message: "there is no township or subdistrict \(byCode ? "with code" : "named") '\(text)' in the register",
                              hint: similar.isEmpty ? "import the areas first (linkage import areas), or write the name or 9-digit code of one"
                                                    : "did you mean \(similar.joined(separator: " or "))?"))
    }

    /// The names a mistyped one may have meant: the nearest by edit distance (PlaceNameCheck's, as
    /// queries suggest them: 太金镇 → 太京镇), then those that contain it or that it contains.
    func nearest(_ text: String, in table: String, column: String, containing sql: String) -> [String] {
        var names = (try? PlaceNameCheck.nearest(db, to: text, in: table, column: column)) ?? []
        for n in (try? String.fetchAll(db.cachedStatement(sql: sql), arguments: [text])) ?? [] where !names.contains(n) { names.append(n) }
        return Array(names.prefix(3))
    }

    func village(_ text: String, area areaText: String?) -> Result<VillageRef, ValueProblem> {
        func make(_ r: Row) -> VillageRef { VillageRef(id: r["id"], code: r["code"], name: r["name"], kind: r["kind"], areaID: r["area_id"]) }
        if text.count == 12, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if let r = found.villages[text] { return .success(r) }
            if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM village WHERE code = ?"), arguments: [text]) { return .success(make(r)) }
            return .failure(.init(message: "there is no village or community with code \(text) in the register",
                                  hint: "import the villages first, or check the code (12 digits: the area's 9 and 3)"))
        }
        var areaRef: AreaRef?
        if let areaText {
            switch area(areaText) {
            case .success(let a): areaRef = a
            case .failure(let p):
                return .failure(.init(message: "the village '\(text)' cannot be found: its area '\(areaText)' is not in the register",
                                      hint: "fix the area column" + (p.hint.map { "; \($0)" } ?? "")))
            }
        }
        if let named = found.villagesByName[text]?.filter({ areaRef == nil || $0.areaID == areaRef!.id }), named.count == 1 { return .success(named[0]) }
        let rows = (try? Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM village WHERE name = ? AND (?2 IS NULL OR area_id = ?2)"), arguments: [text, areaRef?.id])) ?? []
        if rows.count == 1 { return .success(make(rows[0])) }
        if rows.count > 1 {
            let areas = (try? String.fetchAll(db.cachedStatement(sql: "SELECT a.name FROM village v JOIN area a ON a.id = v.area_id WHERE v.name = ? ORDER BY a.code"), arguments: [text])) ?? []
            return .failure(.init(message: "\(rows.count) villages are named '\(text)' (in \(areas.joined(separator: ", ")))",
                                  hint: "add a column 乡镇 (area) naming the township or subdistrict, or give the 12-digit code"))
        }
        return .failure(.init(message: "there is no village or community named '\(text)'\(areaRef.map { " in \($0.name)" } ?? "") in the register",
                              hint: "check the name, or give the 12-digit code; import the villages first if they are new"))
    }

    func unit(_ text: String) -> Result<(id: Int64, kind: String, areaID: Int64?), ValueProblem> {
        if let r = found.units[text] { return .success(r) }
        if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT id, kind, area_id FROM unit WHERE name = ?"), arguments: [text]) {
            return .success((r["id"], r["kind"], r["area_id"]))
        }
        let similar = nearest(text, in: "unit", column: "name",
                              containing: "SELECT name FROM unit WHERE instr(name, ?1) > 0 OR instr(?1, name) > 0 ORDER BY name LIMIT 3")
        return .failure(.init(message: "there is no unit named '\(text)' in the register",
                              hint: similar.isEmpty ? "write the unit's full name as the register has it, or import the units first"
                                                    : "did you mean \(similar.joined(separator: " or "))?"))
    }

    func cadre(_ text: String, unit unitText: String?, what: String) -> Result<CadreRef, ValueProblem> {
        func make(_ r: Row) -> CadreRef {
            CadreRef(id: r["id"], name: r["name"], unitID: r["unit_id"], residentID: r["resident_id"], excluded: r["excluded"], leftOn: r["left_on"])
        }
        if ImportValidator.looksLikeResidentID(text) {
            let id: String
            do { id = try ResidentID(text).value } catch {
                return .failure(.init(message: "\(what) '\(text)': \(error)", hint: residentIDHint(text, error)))
            }
            if let r = found.cadres[id] { return .success(r) }
            if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM cadre WHERE resident_id = ?"), arguments: [id]) { return .success(make(r)) }
            return .failure(.init(message: "there is no cadre with resident ID \(id) in the register", hint: "check the number, or import the cadres first"))
        }
        var unitID: Int64?
        if let unitText {
            switch unit(unitText) {
            case .success(let u): unitID = u.id
            case .failure(let p): return .failure(p)
            }
        }
        if let named = found.cadresByName[text]?.filter({ unitID == nil || $0.unitID == unitID! }), named.count == 1 { return .success(named[0]) }
        let rows = (try? Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM cadre WHERE name = ? AND (?2 IS NULL OR unit_id = ?2)"), arguments: [text, unitID])) ?? []
        if rows.count == 1 { return .success(make(rows[0])) }
        if rows.count > 1 {
            return .failure(.init(message: "\(rows.count) cadres are named '\(text)'\(unitText.map { " in \($0)" } ?? "")",
                                  hint: unitText == nil ? "add a column 单位 (unit) naming the cadre's unit, or give the cadre's resident ID" : "give the cadre's resident ID"))
        }
        return .failure(.init(message: "there is no cadre named '\(text)'\(unitText.map { " in \($0)" } ?? "") in the register",
                              hint: "check the name and unit, give the resident ID, or import the cadres first"))
    }

    func household(_ text: String) -> Result<(id: Int64, headName: String, kind: String), ValueProblem> {
        let id: String
        do { id = try ResidentID(text).value } catch {
            return .failure(.init(message: "household '\(text)': \(error)", hint: "a household is named by its head's resident ID; " + residentIDHint(text, error)))
        }
        if let r = found.households[id] { return .success(r) }
        if let r = try? Row.fetchOne(db.cachedStatement(sql: "SELECT id, head_name, kind FROM household WHERE resident_id = ?"), arguments: [id]) {
            return .success((r["id"], r["head_name"], r["kind"]))
        }
        return .failure(.init(message: "there is no household with resident ID \(id) in the register", hint: "check the number, or import the households first"))
    }

    private func resolveReferences(_ refs: [String: String], into row: inout PreparedRow, fail: (String, String, String?) -> Void) {
        switch kind {
        case .areas: break
        case .villages, .communities:
            var areaRef: AreaRef?
            if let a = refs["area"] {
                switch area(a) {
                case .success(let r): areaRef = r
                case .failure(let p): fail("area", p.message, p.hint)
                }
            } else if case .text(let code)? = row.values["code"] {
                // The area follows from the code: its first 9 digits.
                switch area(String(code.prefix(9))) {
                case .success(let r): areaRef = r
                case .failure:
                    fail("code", "no township or subdistrict has code \(code.prefix(9)), the first 9 digits of \(code)",
                         "import the areas first, or check the code")
                }
            } else if refs["area"] == nil && row.values["code"] == nil {
                return
            }
            guard let a = areaRef else { return }
            row.values["area_id"] = .integer(a.id)
            if case .text(let code)? = row.values["code"], !code.hasPrefix(a.code) {
                fail("code", "code \(code) does not begin with \(a.code), the code of \(a.name)", "a village's code is its area's 9 digits and 3 more, such as \(a.code)001")
            }
            let villageKind: String? = { if case .text(let k)? = row.values["kind"] { return k }; return kind == .communities ? "community" : "village" }()
            if let vk = villageKind {
                if vk == "village" && a.kind != "township" { fail("area", "\(a.name) is a subdistrict; a poor village lies in a township", "import it as a community (linkage import communities), or give its township") }
                if vk == "community" && a.kind != "subdistrict" { fail("area", "\(a.name) is a township; a community lies in a subdistrict", "import it as a village, or give its subdistrict") }
            }
        case .units:
            if let a = refs["area"] {
                switch area(a) {
                case .success(let r):
                    row.values["area_id"] = .integer(r.id)
                    if case .text(let k)? = row.values["kind"], k != r.kind {
                        fail("area", "a \(k) unit has no area; only township and subdistrict units do, each in an area of its own kind",
                             k == "township" || k == "subdistrict" ? "give a \(k)" : "leave \(label("area")) empty for this unit")
                    }
                case .failure(let p): fail("area", p.message, p.hint)
                }
            }
        case .cadres:
            if let u = refs["unit"] {
                switch unit(u) {
                case .success(let r): row.values["unit_id"] = .integer(r.id)
                case .failure(let p): fail("unit", p.message, p.hint)
                }
            } else { fail("unit", "\(label("unit")) is empty", "every cadre belongs to a unit; write its name") }
        case .households:
            if let v = refs["village"] {
                switch village(v, area: refs["area"]) {
                case .success(let r):
                    row.values["village_id"] = .integer(r.id)
                    let implied = r.kind == "community" ? "urban" : "rural"
                    if case .text(let k)? = row.values["kind"] {
                        if k != implied {
                            fail("kind", "a \(k) household cannot belong to \(r.name), which is a \(r.kind)",
                                 "a rural household lives in a village, an urban one in a community; write \(implied) or fix the village")
                        }
                    } else { row.values["kind"] = .text(implied) }
                case .failure(let p): fail("village", p.message, p.hint)
                }
            } else { fail("village", "\(label("village")) is empty", "write the village's 12-digit code, or its name with the 乡镇 (area) column") }
        case .links, .visits, .activities:
            let cadreText = refs["cadre_resident_id"] ?? refs["cadre"]
            if let c = cadreText {
                if refs["cadre_resident_id"] != nil, let name = refs["cadre"], case .success(let r) = cadre(refs["cadre_resident_id"]!, unit: nil, what: "cadre"), r.name != name {
                    fail("cadre", "the cadre with resident ID \(refs["cadre_resident_id"]!) is \(r.name), not \(name)", "check which of the two is right")
                }
                switch cadre(c, unit: refs["unit"], what: "cadre") {
                case .success(let r):
                    row.values["cadre_id"] = .integer(r.id)
                    if let u = refs["unit"], case .success(let unitRow) = unit(u), unitRow.id != r.unitID, refs["cadre_resident_id"] != nil || ImportValidator.looksLikeResidentID(c) {
                        fail("unit", "\(r.name) is not a cadre of \(u)", "fix the unit, or leave it empty when the cadre is given by resident ID")
                    }
                case .failure(let p): fail(refs["cadre_resident_id"] != nil ? "cadre_resident_id" : "cadre", p.message, p.hint)
                }
            } else if let u = refs["unit"] {
                switch unit(u) {
                case .success(let r): row.values["unit_id"] = .integer(r.id)
                case .failure(let p): fail("unit", p.message, p.hint)
                }
            } else {
                fail("cadre", "the row names no cadre and no unit", "give the cadre (干部身份证号, or 干部姓名 with 单位) or, for a unit's \(kind == .links ? "link" : "visit"), the unit")
            }
            if let h = refs["household"] {
                if refs["village"] != nil {
                    fail("village", "the row names both a household and a village", "a row is about one household or one village; leave the other empty")
                }
                switch household(h) {
                case .success(let r):
                    row.values["household_id"] = .integer(r.id)
                    if let name = refs["household_name"], name != r.headName {
                        fail("household_name", "the household with resident ID \(h) is headed by \(r.headName), not \(name)", "check which of the two is right")
                    }
                case .failure(let p): fail("household", p.message, p.hint)
                }
            } else if let v = refs["village"] {
                switch village(v, area: refs["area"]) {
                case .success(let r): row.values["village_id"] = .integer(r.id)
                case .failure(let p): fail("village", p.message, p.hint)
                }
            } else {
                fail("household", "the row names no household and no village", "give the household (户主身份证号) or the village (its 12-digit code, or its name with 乡镇)")
            }
            if kind == .links, let s = refs["successor"] {
                let unitName: String? = {
                    guard case .integer(let c)? = row.values["cadre_id"] else { return nil }
                    return try? String.fetchOne(db.cachedStatement(sql: "SELECT u.name FROM cadre c JOIN unit u ON u.id = c.unit_id WHERE c.id = ?"), arguments: [c])
                }()
                switch cadre(s, unit: ImportValidator.looksLikeResidentID(s) ? nil : unitName, what: "successor") {
                case .success(let r): row.values["successor_cadre_id"] = .integer(r.id)
                case .failure(let p): fail("successor", p.message, p.hint)
                }
            }
        }
    }

    // MARK: rules across fields

    /// The rules that look across fields, on a row's values (the file's, or the register's row
    /// with the file's changes).
    func checkRules(_ v: [String: SQLValue], columns: [String: String], fail: (String, String, String?) -> Void) {
        switch kind {
        case .households:
            let causes = ["main_cause", "other_cause_1", "other_cause_2"].compactMap { c -> (String, String)? in
                if case .text(let s)? = v[c] { return (c, s) }; return nil
            }
            var seen: [String: String] = [:]
            for (c, s) in causes {
                if let first = seen[s] { fail(c, "\(label(c)) '\(s)' repeats \(label(first))", "give each cause once, or leave it empty") }
                else { seen[s] = c }
            }
            if v["other_cause_2"] != nil && v["other_cause_1"] == nil {
                fail("other_cause_2", "\(label("other_cause_2")) is given but \(label("other_cause_1")) is empty", "fill other_cause_1 first")
            }
            if case .integer(let m)? = v["members"], m <= 0 { fail("members", "\(label("members")) is \(m)", "a household has at least one member") }
            if case .real(let i)? = v["income"], i < 0 { fail("income", "\(label("income")) is negative", "write the per-capita income in yuan, 0 or more") }
        case .cadres:
            if (v["role"] == nil) == (v["excluded"] == nil) {
                fail(v["role"] == nil ? "role" : "excluded",
                     v["role"] == nil ? "the cadre has neither a role nor an excluded category" : "the cadre has both a role and an excluded category",
                     "give exactly one: a role (principal_leader … department_other) for a cadre who links, or 不联户类别 (teacher, medical, enterprise_staff, logistics) for one who does not")
            }
        case .links:
            if case .text(let start)? = v["start_date"], case .text(let end)? = v["end_date"], end < start {
                fail("end_date", "the link ends on \(end), before it starts on \(start)", "an end date is on or after the start date")
            }
            if (v["end_date"] == nil) != (v["end_reason"] == nil) {
                fail(v["end_date"] == nil ? "end_date" : "end_reason",
                     v["end_date"] == nil ? "an end reason is given but no end date" : "the link ends but no end reason is given",
                     "an ended link has both 结束日期 and 结束原因 (调离, 疾病, 退休, 脱贫, 其他); an active link has neither")
            }
            if v["successor_cadre_id"] != nil && v["end_date"] == nil {
                fail("successor", "a successor is named for a link that has not ended", "give the end date and reason, or leave the successor empty")
            }
            if v["unit_id"] != nil && v["household_id"] != nil {
                fail("household", "a unit links villages and communities; households are linked by cadres", "name the cadre who links the household")
            }
            if case .integer(let c)? = v["cadre_id"], v["end_date"] == nil {
                do { try Linking.checkMayLink(db, cadre: c, on: { if case .text(let s)? = v["start_date"] { return s }; return nil }()) }
                catch { fail(v["cadre_id"] != nil && columns["cadre"] == nil ? "cadre_resident_id" : "cadre", "\(error)", "name another cadre") }
            }
        case .visits:
            if case .real(let d)? = v["days"], d <= 0 { fail("days", "\(label("days")) is \(d)", "a visit lasts more than 0 days, such as 1 or 0.5") }
        default: break
        }
    }

    // MARK: keys and duplicates

    /// The columns that say "the same record": a resident ID, a code, a name, or for links and
    /// visits who, what and when.
    func keyColumns(_ values: [String: SQLValue]) -> [String] {
        let linker = values["unit_id"] != nil ? "unit_id" : "cadre_id"
        let target = values["village_id"] != nil ? "village_id" : "household_id"
        if values["id"] != nil { return ["id"] }
        switch kind {
        case .areas, .villages, .communities: return ["code"]
        case .units: return ["name"]
        case .households: return ["resident_id"]
        case .cadres: return values["resident_id"] != nil ? ["resident_id"] : ["unit_id", "name"]
        case .links: return [linker, target, "start_date"]
        case .visits: return [linker, target, "date", "kind"]
        case .activities: return [linker, target, "date", "action", "title"]
        }
    }

    func keyValue(_ values: [String: SQLValue], _ columns: [String]) -> [SQLValue] {
        columns.map { values[$0] ?? defaults[$0] ?? .null }
    }

    private func setKey(_ row: inout PreparedRow) {
        row.key = keyColumns(row.values)
    }

    /// The row's key as a person reads it, for a message (a reference names its row, a query).
    func keyText(_ row: PreparedRow) -> String { describe(row.key, keyValue(row.values, row.key)) }

    /// "resident ID 34052419800101001X", "code 620502100001" …
    func describe(_ columns: [String], _ values: [SQLValue]) -> String {
        zip(columns, values).map { c, v in
            let shown: String
            switch v { case .text(let s): shown = s; case .null: shown = "(none)"; default: shown = v.description }
            let name = ["resident_id": "resident ID", "unit_id": "unit", "cadre_id": "cadre", "village_id": "village",
                        "household_id": "household", "start_date": "start date", "area_id": "area"][c] ?? c
            if c.hasSuffix("_id"), c != "resident_id", case .integer(let id) = v { return "\(name) \(referenceName(c, id))" }
            return "\(name) \(shown)"
        }.joined(separator: ", ")
    }

    func referenceName(_ column: String, _ id: Int64) -> String {
        let sql: String
        switch column {
        case "unit_id": sql = "SELECT name FROM unit WHERE id = ?"
        case "cadre_id", "successor_cadre_id": sql = "SELECT name FROM cadre WHERE id = ?"
        case "village_id": sql = "SELECT name FROM village WHERE id = ?"
        case "household_id": sql = "SELECT head_name || ' (' || resident_id || ')' FROM household WHERE id = ?"
        case "area_id": sql = "SELECT name FROM area WHERE id = ?"
        default: return String(id)
        }
        return (try? String.fetchOne(db.cachedStatement(sql: sql), arguments: [id])) ?? String(id)
    }

    /// The register's row `id` with the row's values over it: what the row would be after the
    /// update, for the rules that look across fields when the file gives only some of them.
    func merged(_ current: [String: SQLValue]?, with values: [String: SQLValue]) -> [String: SQLValue] {
        guard let current else { return values }
        return current.merging(values) { _, new in new }.filter { $0.value != .null }
    }

    /// The register's row `id` as column → value.
    func current(_ id: Int64) throws -> [String: SQLValue]? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM \(kind.table) WHERE id = ?"), arguments: [id]) else { return nil }
        var result: [String: SQLValue] = [:]
        for c in info.columnNames { result[c] = SQLValue(row[c] as DatabaseValue) }
        return result
    }

    /// The groups of required fields a file without those columns cannot give a new row.
    var absentRequired: [[String]] { requiredGroups.filter { $0.allSatisfy(absent.contains) } }

    /// The id of the register's row with the same key, if any.
    func existing(_ row: PreparedRow) throws -> Int64? {
        let values = keyValue(row.values, row.key)
        guard !values.contains(.null) || kind == .cadres else { return nil }
        let conditions = row.key.map { "\($0) IS ?" }.joined(separator: " AND ")
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM \(kind.table) WHERE \(conditions) ORDER BY id LIMIT 1"),
                                  arguments: StatementArguments(values.map(\.databaseValue)))
    }

    /// Other unique columns of the row that another register row already has.
    func uniqueConflicts(_ row: PreparedRow, except id: Int64?) throws -> [ImportProblem] {
        var problems: [ImportProblem] = []
        for set in uniqueSets where set != row.key {
            let values = set.map { row.values[$0] ?? .null }
            if values.contains(.null) { continue }
            let conditions = set.map { "\($0) = ?" }.joined(separator: " AND ")
            if let other = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM \(kind.table) WHERE \(conditions) AND id IS NOT ? LIMIT 1"),
                                              arguments: StatementArguments(values.map(\.databaseValue) + [id.databaseValue])) {
                problems.append(try conflict(row, set: set, other: other))
            }
        }
        return problems
    }

    /// The row's values of a unique `set` belong to the register's row `other`.
    func conflict(_ row: PreparedRow, set: [String], other: Int64) throws -> ImportProblem {
        let values = set.map { row.values[$0] ?? .null }
        let field = set.first { !$0.hasSuffix("_id") } ?? set[0]
        let otherRow = try current(other) ?? [:]
        let otherKey = row.key.map { otherRow[$0] ?? .null }
        return problem(row.line, row.column(for: field), field, "\(describe(set, values)) already belongs to another row of the register (\(describe(row.key, otherKey)))",
                       "each \(set.joined(separator: " + ")) is unique; fix the value or that row")
    }

    /// The row's values of a unique `set` are those of the file's line `first`.
    func duplicate(_ row: PreparedRow, set: [String], first: Int) -> ImportProblem {
        let values = set.map { row.values[$0] ?? .null }
        let field = set.first { !$0.hasSuffix("_id") } ?? set[0]
        return problem(row.line, row.column(for: field), field,
            "\(describe(set, values)) is already on line \(first)", "each \(set.joined(separator: " + ")) is unique; keep one of the rows")
    }
}

extension ImportValidator {
    /// The accepted headers of every kind as Markdown tables, from the same tables the importer
    /// reads (docs/import-export.md carries this text; a test keeps them equal).
    public static func headerReference(_ db: Database) throws -> String {
        let schema = try SchemaCatalog(db)
        var out: [String] = []
        for kind in ImportKind.allCases {
            let v = try ImportValidator(kind: kind, db: db, schema: schema, file: "")
            let required = Set(v.requiredGroups.flatMap { $0 })
            out.append("### \(kind.rawValue) (`\(kind.table)`)")
            out.append("")
            out.append("| field | also accepted | required |")
            out.append("| --- | --- | --- |")
            for f in v.fields {
                let names = ImportHeaders.names(for: f, kind: kind).dropFirst().filter { v.field(forHeader: $0) == f }
                let group = v.requiredGroups.first { $0.contains(f) }
                let need = required.contains(f) ? (group!.count > 1 ? "one of \(group!.joined(separator: ", "))" : "yes") : ""
                out.append("| `\(f)` | \(names.joined(separator: ", ")) | \(need) |")
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
