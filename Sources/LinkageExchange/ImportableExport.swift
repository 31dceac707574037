import GRDB
import LinkageModel

extension ImportKind {
    /// The SELECT that exports this kind in the columns `linkage import` reads, so that a file
    /// exported, edited in a spreadsheet and imported with `--update` changes just what was edited:
    /// `id` first (the register's row, the key that survives an edit of a resident ID or a code),
    /// the table's own columns by their English names, then the references as import names them —
    /// an area and a unit by name, a village or community by its 12-digit code, a cadre and a
    /// household by resident ID (with the name beside it, which import checks), in id order.
    public func exportStatement(_ db: Database) throws -> String {
        let validator = try ImportValidator(kind: self, db: db, schema: try SchemaCatalog(db), file: "")
        let direct = validator.fields.filter { !referenceFields.contains($0) }
        var columns = direct.map { "t.\($0)" }
        var joins: [String] = []
        switch self {
        case .areas:
            break
        case .villages, .communities, .units:
            columns.append("a.name AS area")
            joins.append("LEFT JOIN area AS a ON a.id = t.area_id")
        case .cadres:
            columns.append("u.name AS unit")
            joins.append("LEFT JOIN unit AS u ON u.id = t.unit_id")
        case .households:
            columns.append("v.code AS village")
            joins.append("LEFT JOIN village AS v ON v.id = t.village_id")
        case .links, .visits, .activities:
            // Who: the cadre by resident ID and name, in the unit named (the cadre's); else the unit.
            // What: the household by its head's resident ID and name, else the village by code. The
            // area is left out: a village given by code does not need it, and an edit of it would
            // change nothing.
            columns += ["c.name AS cadre", "c.resident_id AS cadre_resident_id", "coalesce(cu.name, u.name) AS unit",
                        "h.resident_id AS household", "h.head_name AS household_name", "v.code AS village"]
            joins += ["LEFT JOIN cadre AS c ON c.id = t.cadre_id", "LEFT JOIN unit AS cu ON cu.id = c.unit_id",
                      "LEFT JOIN unit AS u ON u.id = t.unit_id", "LEFT JOIN household AS h ON h.id = t.household_id",
                      "LEFT JOIN village AS v ON v.id = t.village_id"]
            if self == .links {
                // A successor by resident ID, else by name (import looks a name up in the cadre's unit).
                columns.append("coalesce(s.resident_id, s.name) AS successor")
                joins.append("LEFT JOIN cadre AS s ON s.id = t.successor_cadre_id")
            }
        }
        var sql = "SELECT \(columns.joined(separator: ", ")) FROM \(table) AS t"
        if !joins.isEmpty { sql += " " + joins.joined(separator: " ") }
        switch self {
        case .villages: sql += " WHERE t.kind = 'village'"
        case .communities: sql += " WHERE t.kind = 'community'"
        default: break
        }
        return sql + " ORDER BY t.id"
    }
}
