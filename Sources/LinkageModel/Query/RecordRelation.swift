/// A relation from one record to many rows of a collection, offered as a record method
/// (`c:households(date)`, `v:households()`). Each is declared once, in `Catalog.recordRelations`,
/// and `predicate` is the one place its SQL is made.
public struct RecordRelation: Sendable, Equatable {
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

    /// Whether the relation asks about a date (linkage.as_of() when none is given).
    public var isDated: Bool { route == .link }

    public var target: Entity {
        guard let e = Catalog.collection(collection) else { preconditionFailure("no collection \(collection)") }
        return e
    }

    /// The rows related to the record `id`: a query that may be chained like any other.
    public func query(id: Int64, asOf: String) -> Query {
        var query = Query(target.withoutScope())
        if let scope = target.scope {
            // The collection's scope (communities: kind = 'community') as a condition SQLite does
            // not start from (the unary +): without statistics it would rather read every village
            // of the kind through idx_village_kind than the few the relation's index gives.
            query = query.filtered(.domain("+{T}.\(scope.column) = ?", [.text(scope.value)]))
        }
        return query.filtered(predicate(id: id, asOf: asOf))
    }

    public func predicate(id: Int64, asOf: String) -> Predicate {
        switch route {
        case .foreignKey(let path):
            return .compare(path: path, .eq, .integer(id))
        case .link:
            // link's own belongs-to relations name its column for each table (cadre → cadre_id).
            let link = Catalog.table("link").relations
            guard let from = link[table]?.column, let to = link[target.table]?.column else {
                preconditionFailure("link has no column for \(table) or \(target.table)")
            }
            return DomainFilter.linked(from: from, id: id, to: to, asOf: asOf)
        }
    }
}
