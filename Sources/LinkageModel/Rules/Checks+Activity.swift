import GRDB

/// The checks of what linking does: contact (三到), the six actions (六项行动), outcomes (三大成效)
/// and problems followed until closed.
extension Checks {
    /// 三到, pro-rated: a link active for part of the period owes the yearly standard times the
    /// share of the year it was active (rounded to whole visits, and days to a tenth), counting
    /// the contact of its own linker with its own target while it was active. The period is the
    /// year up to the check's day, so a mid-year check expects the visits due by then.
    ///
    /// Links are read in id order and each link's contact through the covering index of its
    /// linker and target (idx_visit_cadre_household …), so no visit row is read; names are looked
    /// up only for the links that fall short.
    public static var visits: Check {
        Check(name: "visits", title: "each link's visits, days, talks and publicity sessions against the standard, pro-rated (三到)",
              rules: ["visit_standard"], sql: """
            WITH due AS (\(visitMeasures))
            SELECT 'visits' AS "check", 'warning' AS severity,
                   actor || ' ' || actor_id || ' ' || CASE actor WHEN 'cadre' THEN (SELECT name FROM cadre WHERE id = actor_id) ELSE (SELECT name FROM unit WHERE id = actor_id) END
                       || ' → ' || target || ' ' || target_id || ' ' || CASE target WHEN 'household' THEN (SELECT head_name FROM household WHERE id = target_id) ELSE (SELECT name FROM village WHERE id = target_id) END AS subject,
                   CASE target WHEN 'household' THEN (SELECT a.name || ' ' || v.name FROM household AS h JOIN village AS v ON v.id = h.village_id JOIN area AS a ON a.id = v.area_id WHERE h.id = target_id)
                        ELSE (SELECT a.name FROM village AS v JOIN area AS a ON a.id = v.area_id WHERE v.id = target_id) END AS area,
                   rtrim(coalesce(nv || ' visits, ', '') || coalesce(nd || ' days, ', '') || coalesce(nt || ' talks, ', '') || coalesce(np || ' publicity, ', ''), ', ') AS expected,
                   rtrim(CASE WHEN nv IS NULL THEN '' ELSE visits || ' visits, ' END || CASE WHEN nd IS NULL THEN '' ELSE round(days, 1) || ' days, ' END
                         || CASE WHEN nt IS NULL THEN '' ELSE talks || ' talks, ' END || CASE WHEN np IS NULL THEN '' ELSE publicity || ' publicity, ' END, ', ') AS actual,
                   'short of the ' || actor || '-' || target || ' standard (三到) from ' || ?2 || ' to ' || ?3
                       || CASE WHEN share < 0.999 AND ?3 = ?5 THEN ', pro-rated for ' || CAST(round(share * ?4) AS INTEGER) || ' of ' || ?4 || ' days linked' ELSE '' END AS message,
                   'link' AS subject_table, link_id AS subject_id
            FROM due
            WHERE met = 0
            ORDER BY link_id
            """)
    }

    /// The measure the visits check holds links to, one row per link active in the period with a
    /// standard in force: `link_id, actor, target, actor_id, target_id, share` (of the year),
    /// what was done (`visits, days, talks, publicity`), what is due pro-rated (`nv, nd, nt, np`,
    /// NULL where the standard sets none) and `met` (1 when nothing falls short). Reports count
    /// compliance from it, so they and the check cannot disagree. Parameters as a check's.
    public static var visitMeasures: String { visitMeasures(links: nil) }

    /// ``visitMeasures`` of the links whose id is in `links` only (all when nil): the slices a
    /// measure is read in on several connections at once (``VisitTally``).
    public static func visitMeasures(links: ClosedRange<Int64>?) -> String {
        let slice = links.map { " AND l.id BETWEEN \($0.lowerBound) AND \($0.upperBound)" } ?? ""
        let share = D.activeShare("l", from: "?2", to: "?3", daysInYear: "?4")
        // a unit never links a household (link_unit_never_links_household)
        let pairs = [("cadre", "household"), ("cadre", "village"), ("unit", "village")]
        // Each pair's standard comes in as constants (uncorrelated subqueries, run once), so the
        // three scans of link stream through without the per-link rows being stored and joined.
        let perLink = pairs.map { a, t in
            let standard = { (column: String) in "(SELECT \(column) FROM need WHERE actor = '\(a)' AND target = '\(t)')" }
            return """
                SELECT l.id AS link_id, '\(a)' AS actor, '\(t)' AS target, l.\(a)_id AS actor_id, l.\(t)_id AS target_id, \(share) AS share,
                       count(CASE WHEN x.kind = 'visit' THEN 1 END) AS visits,
                       coalesce(sum(CASE WHEN x.kind = 'visit' THEN x.days END), 0) AS days,
                       count(CASE WHEN x.kind = 'talk' THEN 1 END) AS talks,
                       count(CASE WHEN x.kind = 'publicity' THEN 1 END) AS publicity,
                       \(standard("v")) AS sv, \(standard("d")) AS sd, \(standard("t")) AS st, \(standard("p")) AS sp
                FROM link AS l
                LEFT JOIN visit AS x ON x.\(a)_id = l.\(a)_id AND x.\(t)_id = l.\(t)_id
                     AND x.date >= max(l.start_date, ?2) AND x.date <= ?3 AND (l.end_date IS NULL OR x.date < l.end_date)
                WHERE l.\(a)_id IS NOT NULL AND l.\(t)_id IS NOT NULL AND l.start_date <= ?3 AND (l.end_date IS NULL OR l.end_date > ?2)\(slice)
                  AND EXISTS (SELECT 1 FROM need WHERE need.actor = '\(a)' AND need.target = '\(t)')
                GROUP BY l.id
                """
        }
        return """
            WITH need AS MATERIALIZED (
                SELECT actor, target,
                       max(CASE WHEN kind = 'visit' THEN min_count END) AS v, max(CASE WHEN kind = 'visit' THEN min_days END) AS d,
                       max(CASE WHEN kind = 'talk' THEN min_count END) AS t, max(CASE WHEN kind = 'publicity' THEN min_count END) AS p
                FROM visit_standard AS s WHERE \(RuleBook.inForce("s", on: "?3")) GROUP BY actor, target)
            -- days are summed as REAL: 2.3 + 2.3 + 1.3 is 5.8999999999999995, which meets 5.9
            SELECT link_id, actor, target, actor_id, target_id, share, visits, days, talks, publicity, nv, nd, nt, np,
                   CASE WHEN visits < nv OR round(days, 6) < nd OR talks < nt OR publicity < np THEN 0 ELSE 1 END AS met
            FROM (SELECT done.*, CAST(round(sv * share) AS INTEGER) AS nv, round(sd * share, 1) AS nd,
                         CAST(round(st * share) AS INTEGER) AS nt, CAST(round(sp * share) AS INTEGER) AS np
                  FROM (\(perLink.joined(separator: "\nUNION ALL\n"))) AS done)
            """
    }

    /// 六项行动: each linked target against the minimums of action_minimum in force, counting the
    /// activities recorded against it in the period (by anyone). One finding per target, naming
    /// every item it lacks.
    ///
    /// The statement is written for the rows in force at the period's end: a count per row, as a
    /// column, over each target's activities read in target order through its index, so the
    /// counting streams (no sort of a province's activities) and each target is one row.
    public static let actions = Check(name: "actions", title: "the six actions' minimums per linked village, community and household (六项行动)",
                                      rules: ["action_minimum"]) { db, period in
        let rules = try Row.fetchAll(db, sql: """
            SELECT id, item, action, target, title_like, cause, min_count FROM action_minimum AS m
            WHERE m.min_count > 0 AND \(RuleBook.inForce("m", on: "?")) ORDER BY id
            """, arguments: [period.periodEnd, period.periodEnd])
        func literal(_ s: String?) -> String { s.map { SQLValue.text($0).description } ?? "NULL" }
        /// An activity `a` counts for the row.
        func counts(_ r: Row) -> String {
            var conditions: [String] = []
            if let action: String = r["action"] { conditions.append("a.action = \(literal(action))") }
            let like: String = r["title_like"]
            if like != "%" { conditions.append(titleMatches(like)) }
            return "count(CASE WHEN \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) THEN 1 END)"
        }
        /// The parts of a finding for `rows` against target `t` (alias of the counts `c`), where
        /// `applies(r)` says whether a row holds for the target.
        func finding(_ rows: [Row], applies: (Row) -> String) -> (lacks: String, expected: String, actual: String, items: String) {
            let short = rows.enumerated().map { i, r in "(\(applies(r)) AND coalesce(c.n\(i), 0) < \(r["min_count"] as Int64))" }
            func list(_ part: (Int, Row) -> String) -> String {
                "rtrim(" + rows.enumerated().map { i, r in "CASE WHEN \(short[i]) THEN \(part(i, r)) || ', ' ELSE '' END" }.joined(separator: " || ") + ", ', ')"
            }
            return (short.isEmpty ? "0" : short.joined(separator: " OR "),
                    list { _, r in literal("\(r["item"] as String) ≥ \(r["min_count"] as Int64)") },
                    list { i, r in "\(literal((r["item"] as String) + " ")) || coalesce(c.n\(i), 0)" },
                    list { _, r in literal(r["item"]) })
        }
        func columns(_ rows: [Row]) -> String {
            rows.isEmpty ? "0 AS none" : rows.enumerated().map { i, r in "\(counts(r)) AS n\(i)" }.joined(separator: ", ")
        }
        let household = rules.filter { $0["target"] == "household" }
        let village = rules.filter { $0["target"] != "household" }
        let h = finding(household) { r in
            guard let cause: String = r["cause"] else { return "1" }
            return "\(literal(cause)) IN (h.main_cause, h.other_cause_1, h.other_cause_2)"
        }
        let v = finding(village) { r in
            switch r["target"] as String {
            case "poor_village": return D.poorVillage("v")
            case "community": return "v.kind = 'community'"
            default: return "v.kind = 'village'"
            }
        }
        let source = "'六项行动, action_minimum'"
        return """
            WITH hc AS (
                SELECT a.household_id AS key, \(columns(household))
                FROM activity AS a INDEXED BY idx_activity_household_id
                WHERE a.household_id IS NOT NULL AND a.date BETWEEN ?2 AND ?3
                GROUP BY a.household_id),
            vc AS (
                SELECT a.village_id AS key, \(columns(village))
                FROM activity AS a INDEXED BY idx_activity_village_id
                WHERE a.village_id IS NOT NULL AND a.household_id IS NULL AND a.date BETWEEN ?2 AND ?3
                GROUP BY a.village_id)
            SELECT 'actions' AS "check", 'warning' AS severity, 'household ' || h.id || ' ' || h.head_name AS subject, \(householdArea) AS area,
                   \(h.expected) AS expected, \(h.actual) AS actual,
                   'lacks ' || \(h.items) || ' between ' || ?2 || ' and ' || ?3 || ' (' || \(source) || ')' AS message,
                   'household' AS subject_table, h.id AS subject_id
            FROM household AS h LEFT JOIN hc AS c ON c.key = h.id
            WHERE (\(h.lacks))
              AND EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = h.id AND \(D.activeLink("l", on: "?3")))
            UNION ALL
            SELECT 'actions', 'warning', \(villageSubject), \(villageArea), \(v.expected), \(v.actual),
                   'lacks ' || \(v.items) || ' between ' || ?2 || ' and ' || ?3 || ' (' || \(source) || ')',
                   'village', v.id
            FROM village AS v LEFT JOIN vc AS c ON c.key = v.id
            WHERE (\(v.lacks))
              AND EXISTS (SELECT 1 FROM link AS l WHERE l.village_id = v.id AND \(D.activeLink("l", on: "?3")))
            """
    }

    /// `a.title LIKE pattern`, as `instr` where that means the same (a `%text%` whose text has no
    /// wildcard and no ASCII letter, which LIKE would match in either case): a tenth faster over a
    /// province's activities.
    static func titleMatches(_ pattern: String) -> String {
        let inner = pattern.dropFirst().dropLast()
        if pattern.count > 2, pattern.hasPrefix("%"), pattern.hasSuffix("%"),
           !inner.contains(where: { $0 == "%" || $0 == "_" || ($0.isASCII && $0.isLetter) }) {
            return "instr(a.title, \(SQLValue.text(String(inner)).description)) > 0"
        }
        return "a.title LIKE \(SQLValue.text(pattern).description)"
    }

    /// 三大成效: linked households whose two-no-worries and three guarantees are not all met (a
    /// warning once they have exited by the year, else info); poor
    /// villages where no industry project has landed by the day; linked households with none of
    /// the prosperity lead in the period.
    public static var outcomes: Check {
        let missing = D.securityItems.map { "CASE WHEN h.\($0.column) = 1 THEN '' ELSE '\($0.name), ' END" }.joined(separator: " || ")
        let allMet = D.securityItems.map { "h.\($0.column) = 1" }.joined(separator: " AND ")
        return Check(name: "outcomes", title: "two-no-worries and three guarantees, industry projects, prosperity lead (三大成效)",
                     rules: [], sql: """
            SELECT 'outcomes' AS "check", CASE WHEN h.exit_year <= CAST(substr(?2, 1, 4) AS INTEGER) THEN 'warning' ELSE 'info' END AS severity,
                   'household ' || h.id || ' ' || h.head_name AS subject, \(householdArea) AS area,
                   '两不愁三保障' AS expected, 'lacks ' || rtrim(\(missing), ', ') AS actual,
                   CASE WHEN h.exit_year <= CAST(substr(?2, 1, 4) AS INTEGER) THEN 'exited (脱贫) in ' || h.exit_year || ' but lacks ' ELSE 'still lacks ' END || rtrim(\(missing), ', ') AS message,
                   'household' AS subject_table, h.id AS subject_id
            FROM household AS h
            WHERE NOT (\(allMet))
              AND EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = h.id AND \(D.activeLink("l", on: "?1")))
            UNION ALL
            SELECT 'outcomes', 'warning', \(villageSubject), \(villageArea), '≥ 1 industry project', '0',
                   'no industry project (产业扶贫) has landed in this poor village by ' || ?3, 'village', v.id
            FROM village AS v
            WHERE \(D.poorVillage("v"))
              AND NOT EXISTS (SELECT 1 FROM activity AS a WHERE a.village_id = v.id AND a.action = 'industry' AND a.date <= ?3)
            UNION ALL
            SELECT 'outcomes', 'warning', 'household ' || h.id || ' ' || h.head_name, \(householdArea), '≥ 1 prosperity lead item', '0',
                   'none of the prosperity lead (富民引领: plan, income idea, technique, industry) between ' || ?2 || ' and ' || ?3,
                   'household', h.id
            FROM household AS h
            WHERE EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = h.id AND \(D.activeLink("l", on: "?3")))
              AND NOT EXISTS (SELECT 1 FROM activity AS a WHERE a.household_id = h.id AND a.action = 'prosperity' AND a.date BETWEEN ?2 AND ?3)
            """)
    }

    /// Problems open past the deadline, or with no follow-up for longer than the follow-up
    /// interval (rule_setting), as of the day.
    public static let problems = Check(name: "problems", title: "problems open past their deadline or without follow-up", rules: ["setting"], sql: """
        WITH s AS (
            SELECT (SELECT value FROM rule_setting AS r WHERE name = 'problem_deadline_days' AND \(RuleBook.inForce("r", on: "?1"))) AS deadline,
                   (SELECT value FROM rule_setting AS r WHERE name = 'problem_followup_days' AND \(RuleBook.inForce("r", on: "?1"))) AS every),
        p AS MATERIALIZED (
            SELECT p.id, CASE WHEN p.escalated_on <= ?1 THEN 'escalated' ELSE 'open' END AS status, p.reported_on, p.description,
                   CAST(julianday(?1) - julianday(p.reported_on) AS INTEGER) AS age,
                   max(p.reported_on, coalesce(CASE WHEN p.escalated_on <= ?1 THEN p.escalated_on END, ''),
                       coalesce((SELECT max(f.date) FROM problem_followup AS f WHERE f.problem_id = p.id AND f.date <= ?1), '')) AS last,
                   coalesce((SELECT a.name || ' ' || v.name FROM village AS v JOIN area AS a ON a.id = v.area_id
                             WHERE v.id = coalesce(p.village_id, (SELECT village_id FROM household WHERE id = p.household_id))), '') AS area
            FROM problem AS p
            WHERE p.reported_on <= ?1 AND (p.closed_on IS NULL OR p.closed_on > ?1))
        SELECT 'problems' AS "check", 'warning' AS severity, 'problem ' || p.id || ' ' || substr(p.description, 1, 20) AS subject, p.area,
               'closed within ' || CAST(s.deadline AS INTEGER) || ' days' AS expected, p.status || ' for ' || p.age || ' days' AS actual,
               p.status || ' since ' || p.reported_on || ', ' || p.age || ' days, past the deadline of ' || CAST(s.deadline AS INTEGER) || ' days (problem_deadline_days)' AS message,
               'problem' AS subject_table, p.id AS subject_id
        FROM p, s WHERE p.age > s.deadline
        UNION ALL
        SELECT 'problems', 'warning', 'problem ' || p.id || ' ' || substr(p.description, 1, 20), p.area,
               'a follow-up every ' || CAST(s.every AS INTEGER) || ' days', 'last on ' || p.last,
               'no follow-up since ' || p.last || ' (' || CAST(julianday(?1) - julianday(p.last) AS INTEGER) || ' days; problem_followup_days = ' || CAST(s.every AS INTEGER) || '); follow it up or close it',
               'problem', p.id
        FROM p, s WHERE julianday(?1) - julianday(p.last) > s.every
        """)
}
