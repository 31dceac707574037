/// The checks of who is linked: 全面覆盖 and 不脱钩, 联系方式 (quotas of cadres and units), and
/// staff who may not hold links. Every condition comes from DomainFilter and every number from
/// the rule tables in force on the day (RuleBook).
extension Checks {
    typealias D = DomainFilter

    /// `household 12 王五`: how a finding names its record.
    static func subject(_ label: String, _ alias: String, _ name: String) -> String {
        "'\(label) ' || \(alias).id || ' ' || \(alias).\(name)"
    }

    static let householdArea = "(SELECT a.name || ' ' || v.name FROM village AS v JOIN area AS a ON a.id = v.area_id WHERE v.id = h.village_id)"
    static let villageArea = "(SELECT a.name FROM area AS a WHERE a.id = v.area_id)"
    static let villageSubject = "CASE v.kind WHEN 'village' THEN 'village ' ELSE 'community ' END || v.id || ' ' || v.name"

    public static let coverage = Check(name: "coverage", title: "every poor village, community and household linked (全面覆盖), until the target is met (不脱钩)",
                                       rules: ["setting"], sql: """
        SELECT 'coverage' AS "check", 'error' AS severity, \(subject("household", "h", "head_name")) AS subject,
               \(householdArea) AS area, '≥ 1 cadre' AS expected, '0' AS actual,
               CASE WHEN last.end_reason = '脱贫'
                    THEN 'unhooked on ' || last.end_date || ' (脱贫) before the target was met: a household stays linked until it has exited and 两不愁三保障 are all met (不脱钩); link a cadre again'
                    ELSE 'no cadre linked on ' || ?1 || ' (全面覆盖); link one (cadre:link) or propose links with assign.households' END AS message,
               'household' AS subject_table, h.id AS subject_id
        FROM household AS h
        LEFT JOIN link AS last ON last.id = (SELECT max(x.id) FROM link AS x WHERE x.household_id = h.id AND x.cadre_id IS NOT NULL AND x.end_date <= ?1)
        WHERE NOT \(D.householdCovered("h", on: "?1"))
        UNION ALL
        SELECT 'coverage', 'error', \(villageSubject), \(villageArea), '≥ 1 unit or leader', '0',
               'no unit or leader linked on ' || ?1 || ' (全面覆盖); link one (unit:link) or propose links with assign.villages',
               'village', v.id
        FROM village AS v
        WHERE NOT \(D.villageCovered("v", on: "?1"))
        UNION ALL
        SELECT 'coverage', 'error', \(subject("household", "h", "head_name")), \(householdArea),
               '≤ ' || CAST(most.value AS INTEGER) || ' cadres', held.n,
               'linked to ' || held.n || ' cadres on ' || ?1 || '; a household is linked by one or two (household_cadres_max = ' || CAST(most.value AS INTEGER) || '): end the extra links',
               'household', h.id
        FROM (SELECT l.household_id, count(*) AS n FROM link AS l
              WHERE l.household_id IS NOT NULL AND l.cadre_id IS NOT NULL AND \(D.activeLink("l", on: "?1"))
              GROUP BY l.household_id) AS held
        JOIN rule_setting AS most ON most.name = 'household_cadres_max' AND \(RuleBook.inForce("most", on: "?1"))
        JOIN household AS h ON h.id = held.household_id
        WHERE held.n > most.value
        """)

    /// The four counts of a cadre's links and of a quota row, as text.
    static func counts(_ t: String) -> String {
        "'villages ' || \(t)v || ', rural ' || \(t)r || ', communities ' || \(t)c || ', urban ' || \(t)u"
    }

    static func offBy(_ label: String, _ held: String, _ quota: String) -> String {
        "CASE WHEN \(held) > \(quota) THEN '\(label) ' || \(held) || ' > ' || \(quota) || ' (over); ' WHEN \(held) < \(quota) THEN '\(label) ' || \(held) || ' < ' || \(quota) || ' (under); ' ELSE '' END"
    }

    public static let quotas = Check(name: "quotas", title: "cadres and units link what their quota says (联系方式)",
                                     rules: ["quota", "unit_quota"], sql: """
        WITH cmp AS (\(Quota.cadreLoad(on: "?1"))),
        ul AS (\(Quota.unitLoad(on: "?1")))
        SELECT 'quotas' AS "check",
               CASE WHEN rule IS NULL OR hv > qv OR hr > qr OR hc > qc OR hu > qu THEN 'error' ELSE 'warning' END AS severity,
               'cadre ' || cmp.id || ' ' || cmp.name AS subject, (SELECT name FROM unit WHERE id = cmp.unit_id) AS area,
               CASE WHEN rule IS NULL THEN 'a quota rule for ' || role ELSE \(counts("q")) END AS expected,
               \(counts("h")) AS actual,
               CASE WHEN rule IS NULL THEN 'no quota rule for role ' || role || ' is in force on ' || ?1 || '; add one (rules.set)'
                    ELSE role || ': ' || rtrim(\(offBy("villages", "hv", "qv")) || \(offBy("rural households", "hr", "qr")) || \(offBy("communities", "hc", "qc")) || \(offBy("urban households", "hu", "qu")), '; ') END AS message,
               'cadre' AS subject_table, cmp.id AS subject_id
        FROM cmp
        WHERE rule IS NULL OR hv <> qv OR hr <> qr OR hc <> qc OR hu <> qu
        UNION ALL
        SELECT 'quotas', CASE WHEN ul.held < ul.quota THEN 'error' ELSE 'warning' END,
               'unit ' || ul.id || ' ' || ul.name, coalesce((SELECT name FROM area WHERE id = ul.area_id), ul.kind),
               ul.quota || ' poor village' || CASE WHEN ul.quota = 1 THEN '' ELSE 's' END, ul.held,
               ul.kind || ' units link ' || ul.quota || ' poor village' || CASE WHEN ul.quota = 1 THEN '' ELSE 's' END || ' each (unit_quota_rule); this one links ' || ul.held || ' on ' || ?1,
               'unit', ul.id
        FROM ul
        WHERE \(Quota.unitFixed("ul")) AND ul.held <> ul.quota
        """)

    /// Only the cadres who may not hold links on the day are looked at (few), each counted by its
    /// link index: those of an excluded category in force that day, and those who have left.
    public static let staff = Check(name: "staff", title: "excluded or departed cadres who still hold links", rules: [], sql: """
        SELECT 'staff' AS "check", 'error' AS severity, 'cadre ' || c.id || ' ' || c.name AS subject,
               (SELECT name FROM unit WHERE id = c.unit_id) AS area, '0 links' AS expected, held.n || ' links' AS actual,
               CASE WHEN xc.category IS NOT NULL
                    THEN 'excluded staff (' || xc.label || ', ' || xc.category || ': an excluded category since ' || xc.valid_from || ', linkage rules excluded) yet holds ' || held.n || ' links on ' || ?1 || '; end them (link:close) and link eligible cadres'
                    ELSE 'left on ' || c.left_on || ' yet holds ' || held.n || ' links on ' || ?1 || '; hand them over (cadre:handover)' END AS message,
               'cadre' AS subject_table, c.id AS subject_id
        FROM cadre AS c
        JOIN (SELECT c.id, (SELECT count(*) FROM link AS l WHERE l.cadre_id = c.id AND \(D.activeLink("l", on: "?1"))) AS n
              FROM cadre AS c WHERE NOT (\(D.eligibleCadre("c", on: "?1")))) AS held ON held.id = c.id
        LEFT JOIN excluded_category AS xc ON \(D.excludedCategoryRow("xc", of: "c", on: "?1"))
        WHERE held.n > 0
        ORDER BY c.id
        """)
}
