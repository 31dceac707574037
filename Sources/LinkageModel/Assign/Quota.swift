import GRDB

/// 联系方式 as numbers, defined once: what a cadre's role (quota_rule) or a unit's kind
/// (unit_quota_rule) says it links on a day, what it holds that day, and the places left. The
/// `quotas` check, `cadre:spare_quota`, the refusals of link() and handover() and the assignment
/// all read these, so they cannot disagree.
public enum Quota {
    /// The four numbers of a cadre's quota, in the order of quota_rule's columns.
    public enum Category: Int, CaseIterable, Sendable {
        case villages, ruralHouseholds, communities, urbanHouseholds

        /// The column of quota_rule (and the key scripts see).
        public var column: String { ["villages", "rural_households", "communities", "urban_households"][rawValue] }
        /// One letter, for the SQL columns hv/qv … of ``cadreLoad(on:cadres:eligibleOnly:)``.
        public var letter: String { ["v", "r", "c", "u"][rawValue] }
        public var words: String { ["villages", "rural households", "communities", "urban households"][rawValue] }
        public var word: String { ["village", "rural household", "community", "urban household"][rawValue] }

        func count(_ n: Int) -> String { "\(n) \(n == 1 ? word : words)" }
    }

    /// SQL of a derived table with one row per cadre with a role: `id, name, role, unit_id,
    /// eligible` (DomainFilter.eligibleCadre on the day), `rule` (the quota_rule row in force,
    /// NULL when none), `hv, hr, hc, hu` (active links on the day: villages, rural households,
    /// communities, urban households) and `qv, qr, qc, qu` (the quota; NULL without a rule).
    ///
    /// `day` is an SQL expression (`?1`); `cadres`, when given, an SQL list of cadre ids (`?2`,
    /// `SELECT cadre_id FROM …`) that limits the counting to them, so one cadre's load reads only
    /// its own links. `eligibleOnly` keeps the cadres who may hold links on the day.
    public static func cadreLoad(on day: String, cadres: String? = nil, eligibleOnly: Bool = true) -> String {
        let onlyLinks = cadres.map { " AND l.cadre_id IN (\($0))" } ?? ""
        let onlyCadres = cadres.map { " AND c.id IN (\($0))" } ?? ""
        let eligible = DomainFilter.eligibleCadre("c", on: day)
        return """
            SELECT c.id, c.name, c.role, c.unit_id, (\(eligible)) AS eligible, q.id AS rule,
                   coalesce(held.hv, 0) AS hv, coalesce(held.hr, 0) AS hr, coalesce(held.hc, 0) AS hc, coalesce(held.hu, 0) AS hu,
                   q.villages AS qv, q.rural_households AS qr, q.communities AS qc, q.urban_households AS qu
            FROM cadre AS c
            LEFT JOIN (SELECT l.cadre_id AS id,
                              count(CASE WHEN \(DomainFilter.poorVillage("v")) THEN 1 END) AS hv, -- quota_rule.villages: poor villages
                              count(CASE WHEN h.kind = 'rural' THEN 1 END) AS hr,
                              count(CASE WHEN v.kind = 'community' THEN 1 END) AS hc,
                              count(CASE WHEN h.kind = 'urban' THEN 1 END) AS hu
                       FROM link AS l LEFT JOIN household AS h ON h.id = l.household_id LEFT JOIN village AS v ON v.id = l.village_id
                       WHERE l.cadre_id IS NOT NULL AND \(DomainFilter.activeLink("l", on: day))\(onlyLinks)
                       GROUP BY l.cadre_id) AS held ON held.id = c.id
            LEFT JOIN quota_rule AS q ON q.role = c.role AND \(RuleBook.inForce("q", on: day))
            WHERE c.role IS NOT NULL\(eligibleOnly ? " AND \(eligible)" : "")\(onlyCadres)
            """
    }

    /// The places left of category `t` in a row of ``cadreLoad(on:cadres:eligibleOnly:)``
    /// (alias `a`): none without a rule or for a cadre who may not link.
    public static func spare(_ a: String, _ t: Category) -> String {
        "(CASE WHEN \(a).rule IS NULL OR NOT \(a).eligible THEN 0 ELSE max(0, \(a).q\(t.letter) - \(a).h\(t.letter)) END)"
    }

    /// SQL of a derived table with one row per unit: `id, name, kind, area_id`, `rule` (the
    /// unit_quota_rule row in force, NULL when the kind has none), `quota` (its villages; 0 means
    /// no fixed number) and `held` (the poor villages it links on the day, which is what the quota
    /// counts). `units`: an SQL list of unit ids to limit it to.
    public static func unitLoad(on day: String, units: String? = nil) -> String {
        """
        SELECT u.id, u.name, u.kind, u.area_id, q.id AS rule, q.villages AS quota,
               (SELECT count(*) FROM link AS l JOIN village AS v ON v.id = l.village_id AND \(DomainFilter.poorVillage("v"))
                WHERE l.unit_id = u.id AND \(DomainFilter.activeLink("l", on: day))) AS held
        FROM unit AS u
        LEFT JOIN unit_quota_rule AS q ON q.unit_kind = u.kind AND \(RuleBook.inForce("q", on: day))
        \(units.map { "WHERE u.id IN (\($0))" } ?? "")
        """
    }

    /// A unit has a fixed number of poor villages when its kind's rule in force says more than 0.
    public static func unitFixed(_ a: String) -> String { "(\(a).rule IS NOT NULL AND \(a).quota > 0)" }

    // MARK: one cadre or unit

    /// A cadre's quota on a day: the rule, the numbers, what it holds and the places left.
    public struct CadreLoad: Sendable, Equatable {
        public let cadre: Int64
        public let name: String
        public let role: String?
        public let eligible: Bool
        /// The quota_rule row in force, nil when none is.
        public let rule: Int64?
        /// By ``Category``; zeros without a rule.
        public let quota: [Int]
        public let held: [Int]

        /// The places left, by ``Category``: none for a cadre who may not link or has no rule.
        public var spare: [Int] {
            guard rule != nil, eligible else { return [0, 0, 0, 0] }
            return zip(quota, held).map { max(0, $0 - $1) }
        }
    }

    public static func cadre(_ db: Database, _ id: Int64, on day: String) throws -> CadreLoad {
        _ = try DateText.check(day, field: "date")
        guard let name = try String.fetchOne(db, sql: "SELECT name FROM cadre WHERE id = ?", arguments: [id]) else {
            throw QueryError("there is no cadre with id \(id)")
        }
        guard let row = try Row.fetchOne(db, sql: cadreLoad(on: "?1", cadres: "?2", eligibleOnly: false), arguments: [day, id]) else {
            // No role: a cadre of an excluded category, who has no quota.
            return CadreLoad(cadre: id, name: name, role: nil, eligible: false, rule: nil, quota: [0, 0, 0, 0], held: [0, 0, 0, 0])
        }
        return CadreLoad(cadre: id, name: name, role: row["role"], eligible: row["eligible"], rule: row["rule"],
                         quota: Category.allCases.map { row["q" + $0.letter] ?? 0 },
                         held: Category.allCases.map { row["h" + $0.letter] })
    }

    /// A unit's quota on a day.
    public struct UnitLoad: Sendable, Equatable {
        public let unit: Int64
        public let name: String
        public let kind: String
        public let rule: Int64?
        /// The poor villages the rule says; nil: no fixed number (the rule says 0, or the kind
        /// has none and its people link by role).
        public let quota: Int?
        public let held: Int

        /// Places left; nil: no fixed number, so no limit.
        public var spare: Int? { quota.map { max(0, $0 - held) } }
    }

    public static func unit(_ db: Database, _ id: Int64, on day: String) throws -> UnitLoad {
        _ = try DateText.check(day, field: "date")
        guard let row = try Row.fetchOne(db, sql: unitLoad(on: "?1", units: "?2"), arguments: [day, id]) else {
            throw QueryError("there is no unit with id \(id)")
        }
        let quota: Int? = row["quota"]
        return UnitLoad(unit: id, name: row["name"], kind: row["kind"], rule: row["rule"],
                        quota: (quota ?? 0) > 0 ? quota : nil, held: row["held"])
    }

    /// A quota_rule row in words: "quota_rule 8 for department_principal, in force from
    /// 2012-01-01: 0 villages, 1 rural household, 0 communities, 1 urban household".
    static func describeRule(_ db: Database, _ rule: Int64) throws -> String {
        guard let q = try Row.fetchOne(db, sql: "SELECT * FROM quota_rule WHERE id = ?", arguments: [rule]) else { return "quota_rule \(rule)" }
        let numbers = Category.allCases.map { $0.count(q[$0.column]) }.joined(separator: ", ")
        return "quota_rule \(rule) for \(q["role"] as String), in force from \(q["valid_from"] as String): \(numbers)"
    }
}
