import Foundation

/// Filters that read like fields but are questions about other rows or about dates:
/// `households:where{ linked = false }`, `households:where{ covered = false }` (the coverage
/// check's uncovered), `villages:where{ covered = true }`,
/// `cadres:where{ eligible = true }`, `links:where{ active = true }`, and `year = 2012` on
/// anything with a date. They are asked about `asOf` (default: today).
public enum VirtualField {
    public static func names(for entity: Entity, schema: SchemaCatalog) -> [String] {
        var names: [String] = []
        switch entity.table {
        case "household": names += ["linked", "covered"]
        case "village": names.append("covered")
        case "cadre": names.append("eligible")
        case "link": names.append("active")
        default: break
        }
        if schema[entity.table]?["date"] != nil, schema[entity.table]?["year"] == nil { names.append("year") }
        return names
    }

    public static func predicate(_ name: String, _ value: SQLValue, entity: Entity, schema: SchemaCatalog, asOf: String) throws -> Predicate? {
        guard names(for: entity, schema: schema).contains(name) else { return nil }
        if name == "year" {
            guard case .integer(let y) = value else { throw QueryError("year is a whole number such as 2012") }
            return .domain("{T}.date >= ? AND {T}.date < ?", [.text(String(format: "%04d-01-01", y)), .text(String(format: "%04d-01-01", y + 1))])
        }
        guard case .integer(let flag) = value, flag == 0 || flag == 1 else { throw QueryError("\(name) is true or false") }
        let yes = flag == 1
        switch name {
        case "linked": return DomainFilter.households(linked: yes, asOf: asOf)
        case "covered":
            // 全面覆盖 as the coverage check counts it (DomainRules): a household until its target is met
            return negated(DomainFilter.uncovered(entity.table, asOf: asOf), if: yes)
        case "eligible": return negated(DomainFilter.eligibleCadres(asOf: asOf), if: !yes)
        default: return negated(DomainFilter.activeLinks(asOf: asOf), if: !yes)
        }
    }

    /// NOT `p` when `negate`. DomainFilter's filters are all the model's own SQL (`.domain`).
    private static func negated(_ p: Predicate, if negate: Bool) -> Predicate {
        guard negate, case .domain(let sql, let args) = p else { return p }
        return .domain("NOT (\(sql))", args)
    }
}
