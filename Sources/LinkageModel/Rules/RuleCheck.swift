/// One rule of DOMAIN.md as a query whose rows are its violations: every household and village
/// covered (全面覆盖), who links how many (联系方式), and the visit standards (三到). The numbers come
/// from the rule tables (quota_rule, visit_standard), never from code.
///
/// Parameters: ?1 is the day asked about (links active then), ?2 and ?3 the first and last day of
/// the year whose visits count.
public struct RuleCheck: Sendable {
    public let name: String
    public let title: String
    public let sql: String

    /// The statement and its values for a day and a year.
    public func statement(asOf: String, year: Int) -> BoundSQL {
        let values: [SQLValue] = [.text(asOf), .text(String(format: "%04d-01-01", year)), .text(String(format: "%04d-12-31", year))]
        let used = (1...3).last { sql.contains("?\($0)") } ?? 0 // a statement takes as many as it names
        return BoundSQL(text: sql, arguments: Array(values.prefix(used)))
    }
}

import Foundation

public enum RuleChecks {
    static let active = "l.start_date <= ?1 AND (l.end_date IS NULL OR l.end_date > ?1)"

    public static let all: [RuleCheck] = [
        RuleCheck(name: "coverage", title: "households with no linked cadre (全面覆盖)", sql: """
            SELECT h.id AS household_id, a.name AS township, v.name AS village, h.kind, h.head_name, h.resident_id
            FROM household AS h JOIN village AS v ON v.id = h.village_id JOIN area AS a ON a.id = v.area_id
            WHERE NOT EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = h.id AND \(active))
            ORDER BY a.code, v.code, h.id
            """),
        RuleCheck(name: "village_coverage", title: "villages and communities with no linked unit or leader (全面覆盖)", sql: """
            SELECT v.id AS village_id, a.name AS township, v.name AS village, v.kind, v.code
            FROM village AS v JOIN area AS a ON a.id = v.area_id
            WHERE NOT EXISTS (SELECT 1 FROM link AS l WHERE l.village_id = v.id AND \(active))
            ORDER BY a.code, v.code
            """),
        RuleCheck(name: "quotas", title: "cadres who link more or fewer than their role's quota (联系方式)", sql: """
            WITH held AS (
                SELECT c.id, c.name, c.role, c.unit_id,
                       count(CASE WHEN h.kind = 'rural' THEN 1 END) AS rural,
                       count(CASE WHEN h.kind = 'urban' THEN 1 END) AS urban,
                       count(CASE WHEN v.kind = 'village' THEN 1 END) AS villages,
                       count(CASE WHEN v.kind = 'community' THEN 1 END) AS communities
                FROM cadre AS c
                LEFT JOIN link AS l ON l.cadre_id = c.id AND \(active)
                LEFT JOIN household AS h ON h.id = l.household_id
                LEFT JOIN village AS v ON v.id = l.village_id
                WHERE c.excluded IS NULL AND (c.left_on IS NULL OR c.left_on > ?1)
                GROUP BY c.id)
            SELECT held.id AS cadre_id, held.name AS cadre, u.name AS unit, held.role,
                   CASE WHEN held.rural > q.rural_households OR held.urban > q.urban_households
                          OR held.villages > q.villages OR held.communities > q.communities THEN 'over' ELSE 'under' END AS status,
                   held.rural, q.rural_households AS rural_quota, held.urban, q.urban_households AS urban_quota,
                   held.villages, q.villages AS village_quota, held.communities, q.communities AS community_quota
            FROM held JOIN quota_rule AS q ON q.role = held.role JOIN unit AS u ON u.id = held.unit_id
            WHERE held.rural <> q.rural_households OR held.urban <> q.urban_households
               OR held.villages <> q.villages OR held.communities <> q.communities
            ORDER BY status, held.id
            """),
        visitCheck(name: "household_visits", title: "linked households a cadre visited or talked with less than the standard in the year (三到)",
                   linker: ("cadre", "cadre", "name"), target: ("household", "household", "head_name"), other: ("talk", "talks")),
        visitCheck(name: "village_visits", title: "linked villages a unit visited or held publicity sessions in less than the standard in the year (三到)",
                   linker: ("unit", "unit", "name"), target: ("village", "village", "name"), other: ("publicity", "publicity")),
    ]

    public static func named(_ name: String) -> RuleCheck? { all.first { $0.name == name } }

    /// Active links of `linker` to `target` with fewer visits (or days, or sessions of the `other`
    /// kind) in the year than visit_standard asks of that actor and target.
    static func visitCheck(name: String, title: String, linker: (actor: String, table: String, label: String),
                           target: (kind: String, table: String, label: String), other: (kind: String, column: String)) -> RuleCheck {
        let l = linker.actor + "_id", t = target.table + "_id"
        func standard(_ kind: String, _ column: String) -> String {
            "(SELECT \(column) FROM visit_standard WHERE actor = '\(linker.actor)' AND target = '\(target.kind)' AND kind = '\(kind)')"
        }
        return RuleCheck(name: name, title: title, sql: """
            WITH need AS (
                SELECT \(standard("visit", "min_count")) AS visits, coalesce(\(standard("visit", "min_days")), 0) AS days,
                       \(standard(other.kind, "min_count")) AS \(other.column)),
            done AS (
                SELECT l.\(l), l.\(t),
                       count(CASE WHEN x.kind = 'visit' THEN 1 END) AS visits,
                       coalesce(sum(CASE WHEN x.kind = 'visit' THEN x.days END), 0) AS days,
                       count(CASE WHEN x.kind = '\(other.kind)' THEN 1 END) AS \(other.column)
                FROM link AS l
                LEFT JOIN visit AS x ON x.\(l) = l.\(l) AND x.\(t) = l.\(t) AND x.date BETWEEN ?2 AND ?3
                WHERE l.\(l) IS NOT NULL AND l.\(t) IS NOT NULL AND \(active)
                GROUP BY l.id)
            SELECT done.\(l), a.\(linker.label) AS \(linker.actor), done.\(t), b.\(target.label),
                   done.visits, need.visits AS need_visits, done.days, need.days AS need_days,
                   done.\(other.column), need.\(other.column) AS need_\(other.column)
            FROM done, need JOIN \(linker.table) AS a ON a.id = done.\(l) JOIN \(target.table) AS b ON b.id = done.\(t)
            WHERE done.visits < need.visits OR done.days < need.days OR done.\(other.column) < need.\(other.column)
            ORDER BY done.\(l), done.\(t)
            """)
    }
}
