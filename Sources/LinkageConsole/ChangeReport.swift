import LinkageModel

/// What a dry run would have changed: per table, rows inserted, updated and deleted, with a few
/// examples of before → after.
public enum ChangeReport {
    /// `heading` introduces the list; `mask` hides personal data in the examples.
    public static func text(_ changes: [AuditEntry], heading: String = "dry run: nothing was written; the script would change:",
                            empty: String = "dry run: the script would change nothing",
                            mask: (String) -> String = { $0 }, samples: Int = 3) -> String {
        guard !changes.isEmpty else { return empty }
        var lines = [heading]
        var tables: [String] = []
        var byTable: [String: [AuditEntry]] = [:]
        for c in changes {
            if byTable[c.table] == nil { tables.append(c.table) }
            byTable[c.table, default: []].append(c)
        }
        for table in tables {
            let entries = byTable[table]!
            let count = { (action: String) in entries.filter { $0.action == action }.count }
            lines.append("  \(table): \(count("insert")) inserted, \(count("update")) updated, \(count("delete")) deleted")
            for e in entries.prefix(samples) {
                let fields = e.changes.prefix(6).map { change -> String in
                    switch e.action {
                    case "insert": return "\(change.field)=\(show(change.new))"
                    case "delete": return "\(change.field)=\(show(change.old))"
                    default: return "\(change.field): \(show(change.old)) → \(show(change.new))"
                    }
                }.joined(separator: ", ")
                lines.append(mask("    \(e.action) \(table) \(e.rowID): \(fields)\(e.changes.count > 6 ? ", …" : "")"))
            }
            if entries.count > samples { lines.append("    … and \(entries.count - samples) more") }
        }
        return lines.joined(separator: "\n")
    }

    public static func show(_ v: SQLValue?) -> String {
        switch v {
        case nil, .null?: return "nil"
        case .text(let s)?: return s
        case .integer(let i)?: return String(i)
        case .real(let d)?: return String(d)
        case .blob?: return "<blob>"
        }
    }
}
