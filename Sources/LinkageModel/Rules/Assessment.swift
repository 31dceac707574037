import GRDB

/// The assessment (考核) of units and cadres, defined once: each is scored on five parts, each a
/// fraction from 0 to 1 read from the same definitions the checks use, weighted by the
/// assessment_rule rows in force on the day.
///
/// - coverage: the share of its quota it holds (Σ min(held, quota) / Σ quota over the four
///   categories of quota_rule; for a unit its own poor villages and its cadres' quotas together);
/// - quota: how exactly it keeps its quota (Σ min(held, quota) / Σ max(held, quota)), so
///   linking more than the quota costs as much as linking fewer;
/// - visits: the share of its links that meet the pro-rated visit standard (``Checks/visitMeasures``);
/// - outcomes: the share of its linked households whose two-no-worries and three guarantees are
///   all met;
/// - satisfaction: the mean survey score of its linked households in the year, over 100.
///
/// A part with nothing to measure (no quota rule, no links, no survey) is left out and the
/// weights of the others count in its place. The score is 100 × Σ weight × part / Σ weight.
/// Those below `pass_score`, or with satisfaction below `satisfaction_floor`, are criticised with
/// a deadline `deadline_days` after the day; the best `commend_share` of each kind (units, cadres)
/// that are not criticised are commended.
public enum Assessment {
    /// The columns of ``sql``, in order.
    public static let columns = ["kind", "id", "name", "unit", "coverage", "quota", "visits", "outcomes", "satisfaction",
                                 "score", "rank", "ranked", "verdict", "deadline"]

    public static let parts = ["coverage", "quota", "visits", "outcomes", "satisfaction"]

    /// One row per eligible cadre with a role and per unit with something to score, best first
    /// within each kind (units first). Parameters are a check's (``CheckPeriod``).
    public static var sql: String {
        let load = Quota.cadreLoad(on: "?1")
        let letters = Quota.Category.allCases.map(\.letter)
        let held = letters.map { "min(h\($0), q\($0))" }.joined(separator: " + ")
        let most = letters.map { "max(h\($0), q\($0))" }.joined(separator: " + ")
        let quota = letters.map { "q\($0)" }.joined(separator: " + ")
        let secure = DomainFilter.securityItems.map { "h.\($0.column) = 1" }.joined(separator: " AND ")
        func weight(_ item: String) -> String { "max(CASE r.item WHEN '\(item)' THEN r.value END)" }
        let weighted = parts.map { "CASE WHEN ratios.\($0) IS NOT NULL THEN w.w_\($0) END" }
        return """
            WITH w AS MATERIALIZED (
                SELECT \(parts.map { "\(weight("weight_" + $0)) AS w_\($0)" }.joined(separator: ", ")),
                       \(weight("pass_score")) AS pass, \(weight("satisfaction_floor")) AS floor,
                       \(weight("commend_share")) AS share, \(weight("deadline_days")) AS days
                FROM assessment_rule AS r WHERE \(RuleBook.inForce("r", on: "?1"))),
            load AS MATERIALIZED (\(load)),
            m AS (\(Checks.visitMeasures)),
            vis AS (SELECT actor, actor_id, count(*) AS n, sum(met) AS met FROM m GROUP BY actor, actor_id),
            hh AS (SELECT l.cadre_id AS id, count(*) AS n, count(CASE WHEN \(secure) THEN 1 END) AS secure,
                          sum(s.score) AS sat, count(s.score) AS surveyed
                   FROM link AS l JOIN household AS h ON h.id = l.household_id
                   LEFT JOIN survey AS s ON s.household_id = h.id AND s.year = CAST(substr(?2, 1, 4) AS INTEGER)
                   WHERE l.cadre_id IS NOT NULL AND \(DomainFilter.activeLink("l", on: "?1"))
                   GROUP BY l.cadre_id),
            -- numerators and denominators, so a unit adds up its cadres' and its own
            cadres AS (
                SELECT load.id, load.name, load.unit_id,
                       CASE WHEN load.rule IS NOT NULL THEN \(held) END AS cov_n, CASE WHEN load.rule IS NOT NULL THEN \(quota) END AS cov_d,
                       CASE WHEN load.rule IS NOT NULL THEN \(most) END AS quo_d,
                       vis.met AS vis_n, vis.n AS vis_d, hh.secure AS out_n, hh.n AS out_d, hh.sat AS sat_n, hh.surveyed AS sat_d
                FROM load
                LEFT JOIN vis ON vis.actor = 'cadre' AND vis.actor_id = load.id
                LEFT JOIN hh ON hh.id = load.id),
            units AS (
                SELECT u.id, u.name,
                       coalesce(sum(c.cov_n), 0) + CASE WHEN \(Quota.unitFixed("ul")) THEN min(ul.held, ul.quota) ELSE 0 END AS cov_n,
                       coalesce(sum(c.cov_d), 0) + CASE WHEN \(Quota.unitFixed("ul")) THEN ul.quota ELSE 0 END AS cov_d,
                       coalesce(sum(c.quo_d), 0) + CASE WHEN \(Quota.unitFixed("ul")) THEN max(ul.held, ul.quota) ELSE 0 END AS quo_d,
                       coalesce(sum(c.vis_n), 0) + coalesce(uv.met, 0) AS vis_n, coalesce(sum(c.vis_d), 0) + coalesce(uv.n, 0) AS vis_d,
                       sum(c.out_n) AS out_n, sum(c.out_d) AS out_d, sum(c.sat_n) AS sat_n, sum(c.sat_d) AS sat_d
                FROM unit AS u
                JOIN (\(Quota.unitLoad(on: "?1"))) AS ul ON ul.id = u.id
                LEFT JOIN cadres AS c ON c.unit_id = u.id
                LEFT JOIN vis AS uv ON uv.actor = 'unit' AND uv.actor_id = u.id
                GROUP BY u.id),
            ratios AS (
                SELECT 'unit' AS kind, id, name, name AS unit,
                       cov_n * 1.0 / nullif(cov_d, 0) AS coverage, cov_n * 1.0 / nullif(quo_d, 0) AS quota,
                       vis_n * 1.0 / nullif(vis_d, 0) AS visits, out_n * 1.0 / nullif(out_d, 0) AS outcomes,
                       sat_n * 1.0 / nullif(sat_d, 0) AS satisfaction
                FROM units
                UNION ALL
                SELECT 'cadre', c.id, c.name, (SELECT name FROM unit WHERE id = c.unit_id),
                       cov_n * 1.0 / nullif(cov_d, 0), cov_n * 1.0 / nullif(quo_d, 0),
                       vis_n * 1.0 / nullif(vis_d, 0), out_n * 1.0 / nullif(out_d, 0), sat_n * 1.0 / nullif(sat_d, 0)
                FROM cadres AS c),
            scored AS (
                SELECT ratios.*,
                       round(100.0 * (\(parts.map { "coalesce(w.w_\($0) * ratios.\($0)\($0 == "satisfaction" ? " / 100.0" : ""), 0)" }.joined(separator: " + ")))
                             / nullif(\(weighted.map { "coalesce(\($0), 0)" }.joined(separator: " + ")), 0), 1) AS score
                FROM ratios, w),
            ranked AS (
                SELECT scored.*, rank() OVER (PARTITION BY kind ORDER BY score DESC) AS rank,
                       count(score) OVER (PARTITION BY kind) AS ranked
                FROM scored)
            SELECT kind, id, name, unit, coverage, quota, visits, outcomes, satisfaction, score, rank, ranked,
                   CASE WHEN score < w.pass OR satisfaction < w.floor THEN 'criticise'
                        WHEN score IS NOT NULL AND rank <= CAST(round(w.share * ranked) AS INTEGER) THEN 'commend'
                        ELSE '' END AS verdict,
                   CASE WHEN score < w.pass OR satisfaction < w.floor THEN date(?1, '+' || CAST(w.days AS INTEGER) || ' days') END AS deadline
            FROM ranked, w
            WHERE score IS NOT NULL
            ORDER BY kind DESC, score DESC, id
            """
    }

    /// Refuses a day with no assessment rules in force.
    public static func requireRules(_ db: Database, _ period: CheckPeriod) throws {
        try RuleBook.requireRules(db, try RuleBook.kind("assessment"), on: period.asOf)
        try Checks.visits.requireRules(db, period)
        try Checks.quotas.requireRules(db, period)
    }

    /// The weights and thresholds in force on the period's day, by item.
    public static func rules(_ db: Database, _ period: CheckPeriod) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for row in try RuleBook.rows(db, try RuleBook.kind("assessment"), on: period.asOf) { out[row["item"]] = row["value"] }
        return out
    }
}
