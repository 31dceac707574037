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
        RuleCheck(name: "household_visits", title: "linked households a cadre visited or talked with less than the standard in the year (三到)", sql: """
            WITH need AS (
                SELECT (SELECT min_count FROM visit_standard WHERE actor = 'cadre' AND target = 'household' AND kind = 'visit') AS visits,
                       (SELECT coalesce(min_days, 0) FROM visit_standard WHERE actor = 'cadre' AND target = 'household' AND kind = 'visit') AS days,
                       (SELECT min_count FROM visit_standard WHERE actor = 'cadre' AND target = 'household' AND kind = 'talk') AS talks),
            done AS (
                SELECT l.cadre_id, l.household_id,
                       count(CASE WHEN x.kind = 'visit' THEN 1 END) AS visits,
                       coalesce(sum(CASE WHEN x.kind = 'visit' THEN x.days END), 0) AS days,
                       count(CASE WHEN x.kind = 'talk' THEN 1 END) AS talks
                FROM link AS l
                LEFT JOIN visit AS x ON x.cadre_id = l.cadre_id AND x.household_id = l.household_id AND x.date BETWEEN ?2 AND ?3
                WHERE l.cadre_id IS NOT NULL AND l.household_id IS NOT NULL AND \(active)
                GROUP BY l.id)
            SELECT done.cadre_id, c.name AS cadre, done.household_id, h.head_name,
                   done.visits, need.visits AS need_visits, done.days, need.days AS need_days, done.talks, need.talks AS need_talks
            FROM done, need JOIN cadre AS c ON c.id = done.cadre_id JOIN household AS h ON h.id = done.household_id
            WHERE done.visits < need.visits OR done.days < need.days OR done.talks < need.talks
            ORDER BY done.cadre_id, done.household_id
            """),
        RuleCheck(name: "village_visits", title: "linked villages a unit visited or held publicity sessions in less than the standard in the year (三到)", sql: """
            WITH need AS (
                SELECT (SELECT min_count FROM visit_standard WHERE actor = 'unit' AND target = 'village' AND kind = 'visit') AS visits,
                       (SELECT coalesce(min_days, 0) FROM visit_standard WHERE actor = 'unit' AND target = 'village' AND kind = 'visit') AS days,
                       (SELECT min_count FROM visit_standard WHERE actor = 'unit' AND target = 'village' AND kind = 'publicity') AS publicity),
            done AS (
                SELECT l.unit_id, l.village_id,
                       count(CASE WHEN x.kind = 'visit' THEN 1 END) AS visits,
                       coalesce(sum(CASE WHEN x.kind = 'visit' THEN x.days END), 0) AS days,
                       count(CASE WHEN x.kind = 'publicity' THEN 1 END) AS publicity
                FROM link AS l
                LEFT JOIN visit AS x ON x.unit_id = l.unit_id AND x.village_id = l.village_id AND x.date BETWEEN ?2 AND ?3
                WHERE l.unit_id IS NOT NULL AND \(active)
                GROUP BY l.id)
            SELECT done.unit_id, u.name AS unit, done.village_id, v.name AS village,
                   done.visits, need.visits AS need_visits, done.days, need.days AS need_days,
                   done.publicity, need.publicity AS need_publicity
            FROM done, need JOIN unit AS u ON u.id = done.unit_id JOIN village AS v ON v.id = done.village_id
            WHERE done.visits < need.visits OR done.days < need.days OR done.publicity < need.publicity
            ORDER BY done.unit_id, done.village_id
            """),
    ]

    public static func named(_ name: String) -> RuleCheck? { all.first { $0.name == name } }
}
