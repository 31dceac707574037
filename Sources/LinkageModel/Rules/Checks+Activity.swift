/// The checks of what linking does: contact (三到), the six actions (六项行动), outcomes (三大成效)
/// and problems followed until closed.
extension Checks {
    static let linkers = [("cadre", "name"), ("unit", "name")]
    static let targets = [("household", "head_name"), ("village", "name")]

    /// 三到, pro-rated: a link active for part of the period owes the yearly standard times the
    /// share of the year it was active (rounded to whole visits, and days to a tenth), counting
    /// the contact of its own linker with its own target while it was active. The period is the
    /// year up to the check's day, so a mid-year check expects the visits due by then.
    public static var visits: Check {
        let share = D.activeShare("l", from: "?2", to: "?3", daysInYear: "?4")
        let perLink = linkers.flatMap { linker in targets.map { target in
            let (a, t) = (linker.0, target.0)
            return """
                SELECT l.id AS link_id, '\(a)' AS actor, '\(t)' AS target, \(share) AS share,
                       '\(a) ' || x_a.id || ' ' || x_a.\(linker.1) || ' → \(t) ' || x_t.id || ' ' || x_t.\(target.1) AS subject,
                       \(t == "household" ? "(SELECT a.name || ' ' || v.name FROM village AS v JOIN area AS a ON a.id = v.area_id WHERE v.id = x_t.village_id)" : "(SELECT a.name FROM area AS a WHERE a.id = x_t.area_id)") AS area,
                       count(CASE WHEN x.kind = 'visit' THEN 1 END) AS visits,
                       coalesce(sum(CASE WHEN x.kind = 'visit' THEN x.days END), 0) AS days,
                       count(CASE WHEN x.kind = 'talk' THEN 1 END) AS talks,
                       count(CASE WHEN x.kind = 'publicity' THEN 1 END) AS publicity
                FROM link AS l
                JOIN \(a) AS x_a ON x_a.id = l.\(a)_id
                JOIN \(t) AS x_t ON x_t.id = l.\(t)_id
                LEFT JOIN visit AS x ON x.\(a)_id = l.\(a)_id AND x.\(t)_id = l.\(t)_id
                     AND x.date >= max(l.start_date, ?2) AND x.date <= ?3 AND (l.end_date IS NULL OR x.date < l.end_date)
                WHERE l.\(a)_id IS NOT NULL AND l.\(t)_id IS NOT NULL AND l.start_date <= ?3 AND (l.end_date IS NULL OR l.end_date > ?2)
                  AND EXISTS (SELECT 1 FROM need WHERE need.actor = '\(a)' AND need.target = '\(t)')
                GROUP BY l.id
                """
        } }
        return Check(name: "visits", title: "each link's visits, days, talks and publicity sessions against the standard, pro-rated (三到)",
                     rules: ["visit_standard"], sql: """
            WITH need AS (
                SELECT actor, target,
                       max(CASE WHEN kind = 'visit' THEN min_count END) AS v, max(CASE WHEN kind = 'visit' THEN min_days END) AS d,
                       max(CASE WHEN kind = 'talk' THEN min_count END) AS t, max(CASE WHEN kind = 'publicity' THEN min_count END) AS p
                FROM visit_standard AS s WHERE \(RuleBook.inForce("s", on: "?3")) GROUP BY actor, target),
            done AS (\(perLink.joined(separator: "\nUNION ALL\n"))),
            due AS (
                SELECT done.*, CAST(round(need.v * share) AS INTEGER) AS nv, round(need.d * share, 1) AS nd,
                       CAST(round(need.t * share) AS INTEGER) AS nt, CAST(round(need.p * share) AS INTEGER) AS np
                FROM done JOIN need USING (actor, target))
            SELECT 'visits' AS "check", 'warning' AS severity, subject, area,
                   rtrim(coalesce(nv || ' visits, ', '') || coalesce(nd || ' days, ', '') || coalesce(nt || ' talks, ', '') || coalesce(np || ' publicity, ', ''), ', ') AS expected,
                   rtrim(CASE WHEN nv IS NULL THEN '' ELSE visits || ' visits, ' END || CASE WHEN nd IS NULL THEN '' ELSE round(days, 1) || ' days, ' END
                         || CASE WHEN nt IS NULL THEN '' ELSE talks || ' talks, ' END || CASE WHEN np IS NULL THEN '' ELSE publicity || ' publicity, ' END, ', ') AS actual,
                   'short of the ' || actor || '-' || target || ' standard (三到) from ' || ?2 || ' to ' || ?3
                       || CASE WHEN share < 0.999 AND ?3 = ?5 THEN ', pro-rated for ' || CAST(round(share * ?4) AS INTEGER) || ' of ' || ?4 || ' days linked' ELSE '' END AS message,
                   'link' AS subject_table, link_id AS subject_id
            FROM due
            WHERE visits < nv OR days < nd OR talks < nt OR publicity < np
            ORDER BY link_id
            """)
    }

    /// The targets of action_minimum rows: households linked on the day (with their causes of
    /// poverty), villages, poor villages and communities linked on the day.
    static let actionTargets = """
        SELECT 'household' AS target, h.id, 'household ' || h.id || ' ' || h.head_name AS subject, \(householdArea) AS area,
               h.main_cause, h.other_cause_1, h.other_cause_2
        FROM household AS h
        WHERE EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = h.id AND \(D.activeLink("l", on: "?3")))
        UNION ALL
        SELECT CASE WHEN v.kind = 'community' THEN 'community' ELSE 'village' END, v.id, \(villageSubject), \(villageArea), NULL, NULL, NULL
        FROM village AS v
        WHERE EXISTS (SELECT 1 FROM link AS l WHERE l.village_id = v.id AND \(D.activeLink("l", on: "?3")))
        UNION ALL
        SELECT 'poor_village', v.id, \(villageSubject), \(villageArea), NULL, NULL, NULL
        FROM village AS v
        WHERE v.kind = 'village' AND v.poor = 1
          AND EXISTS (SELECT 1 FROM link AS l WHERE l.village_id = v.id AND \(D.activeLink("l", on: "?3")))
        """

    /// 六项行动: each linked target against the minimums of action_minimum in force, counting the
    /// activities recorded against it in the period (by anyone). One finding per target, naming
    /// every item it lacks.
    public static let actions = Check(name: "actions", title: "the six actions' minimums per linked village, community and household (六项行动)",
                                      rules: ["action_minimum"], sql: """
        WITH r AS (SELECT * FROM action_minimum AS m WHERE m.min_count > 0 AND \(RuleBook.inForce("m", on: "?3"))),
        t AS (\(actionTargets)),
        -- households by id, villages by minus id: one key, so the join below can use an index
        done AS MATERIALIZED (
            SELECT coalesce(a.household_id, -a.village_id) AS key, r.id AS rule, count(*) AS n
            FROM activity AS a JOIN r ON (r.action IS NULL OR r.action = a.action) AND a.title LIKE r.title_like
                 AND (r.target = 'household') = (a.household_id IS NOT NULL)
            WHERE a.date BETWEEN ?2 AND ?3
            GROUP BY 1, 2),
        short AS (
            SELECT t.target, t.id, t.subject, t.area, r.item, r.min_count, coalesce(done.n, 0) AS n
            FROM t JOIN r ON r.target = t.target
                 AND (r.cause IS NULL OR r.cause IN (t.main_cause, t.other_cause_1, t.other_cause_2))
            LEFT JOIN done ON done.key = CASE WHEN t.target = 'household' THEN t.id ELSE -t.id END AND done.rule = r.id
            WHERE coalesce(done.n, 0) < r.min_count)
        SELECT 'actions' AS "check", 'warning' AS severity, subject, area,
               group_concat(item || ' ≥ ' || min_count, ', ') AS expected,
               group_concat(item || ' ' || n, ', ') AS actual,
               'lacks ' || group_concat(item, ', ') || ' between ' || ?2 || ' and ' || ?3 || ' (六项行动, action_minimum)' AS message,
               CASE WHEN target = 'household' THEN 'household' ELSE 'village' END AS subject_table, id AS subject_id
        FROM short
        GROUP BY target, id
        ORDER BY subject_table, subject_id
        """)

    /// 三大成效: exited households whose two-no-worries and three guarantees are not all met; poor
    /// villages where no industry project has landed by the day; linked households with none of
    /// the prosperity lead in the period.
    public static var outcomes: Check {
        let missing = D.securityItems.map { "CASE WHEN h.\($0.column) = 1 THEN '' ELSE '\($0.name), ' END" }.joined(separator: " || ")
        let allMet = D.securityItems.map { "h.\($0.column) = 1" }.joined(separator: " AND ")
        return Check(name: "outcomes", title: "two-no-worries and three guarantees, industry projects, prosperity lead (三大成效)",
                     rules: [], sql: """
            SELECT 'outcomes' AS "check", CASE WHEN h.exit_year IS NOT NULL THEN 'warning' ELSE 'info' END AS severity,
                   'household ' || h.id || ' ' || h.head_name AS subject, \(householdArea) AS area,
                   '两不愁三保障' AS expected, 'lacks ' || rtrim(\(missing), ', ') AS actual,
                   CASE WHEN h.exit_year IS NOT NULL THEN 'exited (脱贫) in ' || h.exit_year || ' but lacks ' ELSE 'still lacks ' END || rtrim(\(missing), ', ') AS message,
                   'household' AS subject_table, h.id AS subject_id
            FROM household AS h
            WHERE NOT (\(allMet))
              AND EXISTS (SELECT 1 FROM link AS l WHERE l.household_id = h.id AND \(D.activeLink("l", on: "?1")))
            UNION ALL
            SELECT 'outcomes', 'warning', \(villageSubject), \(villageArea), '≥ 1 industry project', '0',
                   'no industry project (产业扶贫) has landed in this poor village by ' || ?3, 'village', v.id
            FROM village AS v
            WHERE v.kind = 'village' AND v.poor = 1
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
        p AS (
            SELECT p.id, p.status, p.reported_on, p.description,
                   CAST(julianday(?1) - julianday(p.reported_on) AS INTEGER) AS age,
                   max(p.reported_on, coalesce(p.escalated_on, ''), coalesce((SELECT max(f.date) FROM problem_followup AS f WHERE f.problem_id = p.id AND f.date <= ?1), '')) AS last,
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
