import Foundation
import GRDB
import LinkageModel

/// Header mapping: which field each column of a file gives (Chinese or English names,
/// ImportHeaders), and the problems of a header: unknown, repeated and missing columns.
extension ImportValidator {
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
