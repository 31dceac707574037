import GRDB

/// The linkage log (联村联户日志): the dated record of a year's contact — visits, heart-to-heart
/// talks, publicity sessions — the activities of the six actions and the problems reported, in
/// date order, followed by the totals of each kind (合计).
///
/// Whose: a cadre's own; a unit's (its cadres' and what the unit did as a unit); or a township's
/// or subdistrict's (everything done in its villages, communities and households, by anyone).
public enum LinkageLog {
    public static let columns = ["日期", "干部", "单位", "类别", "对象", "村", "乡镇", "天数", "内容"]

    static let visitKinds: [(code: String, label: String)] = [
        ("household_visit", "入户走访"), ("village_visit", "进村走访"), ("talk", "谈心交流"), ("publicity", "集中宣讲"),
    ]
    static let statusLabels = ["open": "待办", "escalated": "已上报协调", "closed": "已办结"]

    public static func make(_ db: Database, for subject: MaterialSubject, year: Int) throws -> Material {
        guard (1980...2100).contains(year) else { throw QueryError("year must be between 1980 and 2100; got \(year)") }
        let arguments: [SQLValue] = [.integer(subjectID(subject)),
                                     .text(String(format: "%04d-01-01", year)), .text(String(format: "%04d-12-31", year))]
        // Each source is read through its own index (actor and date, or place), then the three are
        // merged; ?1 is the subject, ?2 and ?3 the year's first and last day.
        let sql = """
            SELECT e.date, c.name AS cadre, coalesce(cu.name, eu.name) AS unit, e.category,
                   coalesce(h.head_name, tv.name) AS target, tv.name AS village, a.name AS township,
                   e.days, e.content, e.status
            FROM (
                SELECT x.id, x.date, 1 AS part,
                       CASE WHEN x.kind <> 'visit' THEN x.kind WHEN x.household_id IS NULL THEN 'village_visit' ELSE 'household_visit' END AS category,
                       x.cadre_id, x.unit_id, x.household_id, x.village_id, x.days, x.note AS content, NULL AS status
                FROM visit AS x WHERE \(scope(subject, cadre: "cadre_id", unit: "unit_id")) AND x.date BETWEEN ?2 AND ?3
                UNION ALL
                SELECT x.id, x.date, 2, 'action:' || x.action, x.cadre_id, x.unit_id, x.household_id, x.village_id, NULL,
                       x.title || coalesce('：' || x.detail, ''), NULL
                FROM activity AS x WHERE \(scope(subject, cadre: "cadre_id", unit: "unit_id")) AND x.date BETWEEN ?2 AND ?3
                UNION ALL
                SELECT x.id, x.reported_on, 3, 'problem', x.reported_by_cadre_id, x.reported_by_unit_id, x.household_id,
                       x.village_id, NULL, x.description, x.status
                FROM problem AS x WHERE \(scope(subject, cadre: "reported_by_cadre_id", unit: "reported_by_unit_id"))
                    AND x.reported_on BETWEEN ?2 AND ?3
            ) AS e
            LEFT JOIN cadre AS c ON c.id = e.cadre_id
            LEFT JOIN unit AS cu ON cu.id = c.unit_id
            LEFT JOIN unit AS eu ON eu.id = e.unit_id
            LEFT JOIN household AS h ON h.id = e.household_id
            JOIN village AS tv ON tv.id = coalesce(h.village_id, e.village_id)
            JOIN area AS a ON a.id = tv.area_id
            ORDER BY e.date, e.cadre_id, e.part, e.id
            """
        let (order, labels) = try categoryLabels(db)
        var rows: [[SQLValue]] = []
        var totals: [String: (count: Int, days: Double)] = [:]
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments.map(\.databaseValue)))
        while let row = try cursor.next() {
            let category: String = row["category"]
            var content: String? = row["content"]
            if let status: String = row["status"] {
                content = (content ?? "") + "（\(statusLabels[status] ?? status)）"
            }
            let days: Double? = row["days"]
            rows.append([.text(row["date"]), text(row["cadre"]), text(row["unit"]), .text(labels[category] ?? category),
                         text(row["target"]), text(row["village"]), text(row["township"]), days.map { .real($0) } ?? .null, text(content)])
            let sum = totals[category] ?? (0, 0)
            totals[category] = (sum.count + 1, sum.days + (days ?? 0))
        }
        // Totals in the order of the kinds: contact first, then the six actions, then problems.
        for (code, label) in order where totals[code] != nil {
            let t = totals[code]!
            let isContact = visitKinds.contains { $0.code == code }
            rows.append([.text("合计"), .null, .null, .text(label), .null, .null, .null,
                         isContact ? .real(t.days) : .null, .text("共 \(t.count) \(code == "problem" ? "件" : "次")")])
        }
        return Material(title: "联村联户日志 · \(try subject.label(db)) · \(year)年", table: ExportTable(columns: columns, rows: rows))
    }

    private static func subjectID(_ s: MaterialSubject) -> Int64 {
        switch s { case .cadre(let id), .unit(let id), .area(let id): return id }
    }

    /// Which rows of one source belong to the subject; `cadre` and `unit` name the source's actor columns.
    private static func scope(_ s: MaterialSubject, cadre: String, unit: String) -> String {
        switch s {
        case .cadre: return "x.\(cadre) = ?1"
        case .unit: return "(x.\(cadre) IN (SELECT id FROM cadre WHERE unit_id = ?1) OR x.\(unit) = ?1)"
        case .area:
            return """
                (x.household_id IN (SELECT h.id FROM village AS hv JOIN household AS h ON h.village_id = hv.id WHERE hv.area_id = ?1) \
                OR x.village_id IN (SELECT id FROM village WHERE area_id = ?1))
                """
        }
    }

    /// The words of each category, in the order totals are listed. The six actions come in the
    /// order of the schema's CHECK, with the words `linkage import` reads for them.
    private static func categoryLabels(_ db: Database) throws -> (order: [(String, String)], labels: [String: String]) {
        let words = Dictionary(ImportValues.byColumn["activity.action", default: [:]].map { ($0.value, $0.key) }, uniquingKeysWith: min)
        let actions = (try SchemaCatalog(db)["activity"]?["action"]?.allowed ?? []).compactMap { v -> (String, String)? in
            guard case .text(let code) = v else { return nil }
            return ("action:" + code, "六项行动·" + (words[code] ?? code))
        }
        let order = visitKinds.map { ($0.code, $0.label) } + actions + [("problem", "问题上报")]
        return (order, Dictionary(order, uniquingKeysWith: { a, _ in a }))
    }

    private static func text(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
}
