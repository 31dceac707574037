/// A query of one collection: a value, so chaining makes a new query and never changes this one.
/// `SQLGenerator` turns it into one SQL statement.
public struct Query: Sendable {
    public let entity: Entity
    public private(set) var predicates: [Predicate] = []
    public private(set) var ordering: [(path: String, descending: Bool)] = []
    public private(set) var limit: Int?
    public private(set) var offset: Int?
    /// The fields rows carry; nil for all of them.
    public private(set) var fields: [String]?
    /// The fields `aggregate` groups by (`group_by`); empty: one group of every row.
    public private(set) var groups: [String] = []
    /// Conditions on the aggregated values, by their names in `aggregate` (`having`).
    public private(set) var having: [(name: String, Comparison, SQLValue)] = []

    public init(_ entity: Entity) {
        self.entity = entity
    }

    public func filtered(_ p: Predicate) -> Query {
        var q = self
        q.predicates.append(p)
        return q
    }

    public func ordered(by path: String, descending: Bool = false) -> Query {
        var q = self
        q.ordering.append((path, descending))
        return q
    }

    public func limited(_ n: Int) -> Query {
        var q = self
        q.limit = n
        return q
    }

    /// Rows carry only these fields (and the id): less to read when a loop needs two fields.
    public func selecting(_ fields: [String]) -> Query {
        var q = self
        q.fields = fields
        return q
    }

    /// Rows are aggregated per distinct value of these fields (see `SQLGenerator.aggregate`).
    public func grouped(by paths: [String]) -> Query {
        var q = self
        q.groups = paths
        return q
    }

    /// Keeps the groups whose aggregate `name` compares so.
    public func having(_ name: String, _ op: Comparison, _ value: SQLValue) -> Query {
        var q = self
        q.having.append((name, op, value))
        return q
    }

    /// Whether the query is grouped: its rows come from `aggregate`, not `select`.
    public var isGrouped: Bool { !groups.isEmpty }

    public func offset(by n: Int) -> Query {
        var q = self
        q.offset = n
        return q
    }
}

/// The filters of DOMAIN.md, with the date they are asked about; the conditions themselves are in
/// DomainRules.swift.
public enum DomainFilter {
    /// A link active on the day bound twice as `?` (``activeLink(_:on:)``).
    static func activeLink(_ l: String) -> String { activeLink(l, on: "?") }

    /// Households with (or without) an active link to a cadre on `asOf`.
    public static func households(linked: Bool, asOf: String) -> Predicate {
        .domain("\(linked ? "" : "NOT ")EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = {T}.id AND \(activeLink("l")))",
                [.text(asOf), .text(asOf)])
    }

    /// Cadres who may link households: not of an excluded category in force and still serving on `asOf`.
    public static func eligibleCadres(asOf: String) -> Predicate {
        let sql = eligibleCadre("{T}", on: "?")
        return .domain(sql, Array(repeating: .text(asOf), count: sql.filter { $0 == "?" }.count))
    }

    /// The rows linked with a record on a date: the ids in link column `to` of the active links
    /// whose column `from` is the record. Written as `id IN (SELECT …)` so that SQLite starts from
    /// the link index on `from` (idx_link_cadre_id …) and reads only the linked rows by id; an
    /// EXISTS per row would scan the whole root table (a province's million households). The SQL
    /// is made once; the function gives the predicate for a record and a date.
    static func linked(from: String, to: String) -> @Sendable (_ id: Int64, _ asOf: String) -> Predicate {
        let sql = "{T}.id IN (SELECT l.\(to) FROM link AS l WHERE l.\(from) = ? AND \(activeLink("l")))"
        return { id, asOf in .domain(sql, [.integer(id), .text(asOf), .text(asOf)]) }
    }

    /// Links active on `asOf`.
    public static func activeLinks(asOf: String) -> Predicate {
        .domain(activeLink("{T}"), [.text(asOf), .text(asOf)])
    }
}
