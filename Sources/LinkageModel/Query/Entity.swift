/// A belongs-to relation: `column` of this table holds the id of a row of `table`.
public struct Relation: Sendable, Equatable {
    public let name: String
    public let table: String
    public let column: String
}

/// One collection of the query API: a table, optionally narrowed by a scope (communities are the
/// rows of `village` whose kind is 'community'), with its relations and convenient aliases.
///
/// Relations are declared once here and used alike by filters, joins and records.
public struct Entity: Sendable {
    /// The collection's name in Lua (`households`).
    public let name: String
    public let table: String
    /// A fixed condition, column = value, that every query of this collection carries.
    public let scope: (column: String, value: String)?
    public let relations: [String: Relation]
    /// Short names for paths through relations (`township` = `village.area.name`).
    public let aliases: [String: String]
    /// The column that names a row for people, used when a relation is compared with a string.
    public let nameColumn: String?
    public let codeColumn: String?

    init(_ name: String, table: String, scope: (String, String)? = nil, relations: [Relation] = [],
         aliases: [String: String] = [:], nameColumn: String? = "name", codeColumn: String? = nil) {
        self.name = name
        self.table = table
        self.scope = scope.map { (column: $0.0, value: $0.1) }
        self.relations = Dictionary(uniqueKeysWithValues: relations.map { ($0.name, $0) })
        self.aliases = aliases
        self.nameColumn = nameColumn
        self.codeColumn = codeColumn
    }

    /// The same collection without its scope condition.
    func withoutScope(named name: String? = nil) -> Entity {
        Entity(name ?? self.name, table: table, relations: Array(relations.values), aliases: aliases,
               nameColumn: nameColumn, codeColumn: codeColumn)
    }
}

/// Every collection, and the relations of every table.
public enum Catalog {
    private static func rel(_ name: String, _ table: String? = nil, column: String? = nil) -> Relation {
        Relation(name: name, table: table ?? name, column: column ?? name + "_id")
    }

    /// The relations a linker or a target has (links, visits, activities, problems).
    private static let actorAndTarget = [rel("unit"), rel("cadre"), rel("village"), rel("household")]

    public static let collections: [Entity] = [
        Entity("areas", table: "area", codeColumn: "code"),
        Entity("villages", table: "village", scope: ("kind", "village"), relations: [rel("area")],
               aliases: ["township": "area.name"], codeColumn: "code"),
        Entity("communities", table: "village", scope: ("kind", "community"), relations: [rel("area")],
               aliases: ["subdistrict": "area.name"], codeColumn: "code"),
        Entity("households", table: "household", relations: [rel("village")],
               aliases: ["area": "village.area", "township": "village.area.name", "subdistrict": "village.area.name"],
               nameColumn: "head_name", codeColumn: "resident_id"),
        Entity("units", table: "unit", relations: [rel("area")]),
        Entity("cadres", table: "cadre", relations: [rel("unit")], aliases: ["unit_kind": "unit.kind"],
               codeColumn: "resident_id"),
        Entity("links", table: "link", relations: actorAndTarget + [rel("successor", "cadre", column: "successor_cadre_id")],
               nameColumn: nil),
        Entity("visits", table: "visit", relations: actorAndTarget, nameColumn: nil),
        Entity("activities", table: "activity", relations: actorAndTarget, nameColumn: "title"),
        Entity("problems", table: "problem",
               relations: [rel("reporter_cadre", "cadre", column: "reported_by_cadre_id"),
                           rel("reporter_unit", "unit", column: "reported_by_unit_id"), rel("village"), rel("household")],
               nameColumn: nil),
        Entity("surveys", table: "survey", relations: [rel("household")], nameColumn: nil),
    ]

    public static func collection(_ name: String) -> Entity? { collections.first { $0.name == name } }

    /// Relations to many rows through `link`, on a date: `from` links with rows of `to`.
    private static func linked(_ from: String, _ collections: [String]) -> [RecordRelation] {
        collections.map { RecordRelation(name: $0, table: from, collection: $0, route: .link) }
    }

    /// Relations to many rows by foreign key: the rows of each collection whose relation (or
    /// alias) named after `from`'s table is the record.
    private static func hasMany(_ from: String, _ collections: [String]) -> [RecordRelation] {
        collections.map { RecordRelation(name: $0, table: from, collection: $0, route: .foreignKey(path: from)) }
    }

    /// Every record method that returns related rows, by the record's table. Communities are rows
    /// of `village`, so a community record has the village's methods.
    public static let recordRelations: [RecordRelation] = Array([
        linked("household", ["cadres"]), hasMany("household", ["links", "visits", "activities", "problems", "surveys"]),
        linked("village", ["cadres", "units"]), hasMany("village", ["households", "links", "visits", "activities", "problems"]),
        hasMany("area", ["villages", "communities", "units", "households"]),
        linked("unit", ["villages", "communities"]), hasMany("unit", ["cadres", "links", "visits", "activities"]),
        linked("cadre", ["households", "villages", "communities"]), hasMany("cadre", ["links", "visits", "activities"]),
    ].joined())

    public static func recordRelations(of table: String) -> [RecordRelation] { recordRelations.filter { $0.table == table } }

    private static let recordRelationByKey = Dictionary(uniqueKeysWithValues: recordRelations.map { ("\($0.table).\($0.name)", $0) })

    /// The relation `name` of a record of `table`, found without a search: it is asked per call.
    public static func recordRelation(_ table: String, _ name: String) -> RecordRelation? { recordRelationByKey["\(table).\(name)"] }

    /// The unscoped entity of a table: what a relation leads to.
    public static func table(_ table: String) -> Entity {
        if let e = collections.first(where: { $0.table == table && $0.scope == nil }) { return e }
        if let e = collections.first(where: { $0.table == table }) { return e.withoutScope(named: e.table) }
        return Entity(table, table: table, nameColumn: nil)
    }
}
