/// A relation from one record to many rows of a collection, offered as a record method
/// (`c:households(date)`, `v:households()`). Each is declared once, in `Catalog.recordRelations`,
/// and `query` is the one place its SQL is made.
public struct RecordRelation: Sendable {
    public enum Route: Sendable, Equatable {
        /// Through `link`: the rows linked with the record by a link active on a date.
        case link
        /// The rows whose `path` (a relation of the collection, or an alias through relations)
        /// is the record: its foreign key.
        case foreignKey(path: String)
    }

    /// The method's name (`households`).
    public let name: String
    /// The table of the record that has the method (`cadre`).
    public let table: String
    /// The collection the method returns a query of (`households`).
    public let collection: String
    public let route: Route
    public let target: Entity
    /// What the queries start from, worked out once: a loop calls the method per record.
    private let root: Entity
    private let scopeFilter: Predicate?
    private let linked: (@Sendable (Int64, String) -> Predicate)?

    init(name: String, table: String, collection: String, route: Route) {
        self.name = name
        self.table = table
        self.collection = collection
        self.route = route
        guard let target = Catalog.collection(collection) else { preconditionFailure("no collection \(collection)") }
        self.target = target
        root = target.withoutScope()
        // The collection's scope (communities: kind = 'community') as a condition SQLite does not
        // start from (the unary +): without statistics it would rather read every village of the
        // kind through idx_village_kind than the few rows the relation's index gives.
        scopeFilter = target.scope.map { .domain("+{T}.\($0.column) = ?", [.text($0.value)]) }
        if route == .link {
            // link's own belongs-to relations name its column for each table (cadre → cadre_id).
            let link = Catalog.table("link").relations
            guard let from = link[table]?.column, let to = link[target.table]?.column else {
                preconditionFailure("link has no column for \(table) or \(target.table)")
            }
            linked = DomainFilter.linked(from: from, to: to)
        } else {
            linked = nil
        }
    }

    /// Whether the relation asks about a date (linkage.as_of() when none is given).
    public var isDated: Bool { route == .link }

    /// The rows related to the record `id` (on `asOf`, through link): a query that may be
    /// chained like any other.
    public func query(id: Int64, asOf: String) -> Query {
        var query = Query(root)
        if let scopeFilter { query = query.filtered(scopeFilter) }
        switch route {
        case .foreignKey(let path): return query.filtered(.compare(path: path, .eq, .integer(id)))
        case .link: return query.filtered(linked!(id, asOf))
        }
    }
}
