import GRDB

/// The contact card (联系卡) posted in a linked household so it knows whom to call: per household
/// linked on a day, its head and place, the linking cadre's name, unit, title and phone, and the
/// units that link its village or community. One row per active link of a cadre to a household
/// (a household linked by two cadres has two rows).
public enum ContactCard {
    public static let columns = ["乡镇", "村", "组", "户主", "联系干部", "干部单位", "职务", "联系电话", "联系起始", "联系单位"]

    /// The cards of the households `subject` links on `asOf`: a cadre's own, those its unit's
    /// cadres link, or those in a township or subdistrict. Rows in the order of the division codes.
    public static func make(_ db: Database, for subject: MaterialSubject, asOf: String) throws -> Material {
        _ = try DateText.check(asOf, field: "as_of")
        let (scope, id): (String, Int64)
        switch subject {
        case .cadre(let c): (scope, id) = ("l.cadre_id = ?2", c)
        case .unit(let u): (scope, id) = ("c.unit_id = ?2", u)
        case .area(let a): (scope, id) = ("v.area_id = ?2", a)
        }
        // The village's units are looked up per row through the link index on village_id, so a
        // township's cards read only its own households' links, never the whole register.
        let sql = """
            SELECT a.name, v.name, h.address, h.head_name, c.name, u.name, c.title, c.phone, l.start_date,
                   (SELECT group_concat(name, '、') FROM (
                        SELECT DISTINCT vu.name FROM link AS vl JOIN unit AS vu ON vu.id = vl.unit_id
                        WHERE vl.village_id = v.id AND vl.unit_id IS NOT NULL AND \(active("vl"))
                        ORDER BY vu.name))
            FROM link AS l
            JOIN household AS h ON h.id = l.household_id
            JOIN village AS v ON v.id = h.village_id
            JOIN area AS a ON a.id = v.area_id
            JOIN cadre AS c ON c.id = l.cadre_id
            JOIN unit AS u ON u.id = c.unit_id
            WHERE \(scope) AND l.household_id IS NOT NULL AND \(active("l"))
            ORDER BY a.code, v.code, h.id, c.id
            """
        var table = try ExportTable.query(db, sql: sql, arguments: [.text(asOf), .integer(id)])
        table.columns = columns
        return Material(title: "联系卡 · \(try subject.label(db)) · \(asOf)", table: table)
    }

    /// A link of `alias` open on ?1: started on or before it and not ended by it.
    static func active(_ alias: String) -> String {
        "\(alias).start_date <= ?1 AND (\(alias).end_date IS NULL OR \(alias).end_date > ?1)"
    }
}
