/// The conditions of DOMAIN.md as SQL, each written once, over a day given as an SQL expression
/// (`?1`, `'2012-06-30'`, a column): the query API's filters, the checks, the assignment and the
/// exports all call these.
extension DomainFilter {
    /// A link is active on a day when it started on or before it and has not ended by it (an end
    /// date is the first day off).
    public static func activeLink(_ l: String, on day: String) -> String {
        "\(l).start_date <= \(day) AND (\(l).end_date IS NULL OR \(l).end_date > \(day))"
    }

    /// A cadre may hold links on a day: not of an excluded category in force that day (教师、医务人员、
    /// 企业职工、机关工勤人员 and whatever excluded_category adds) and not departed by then.
    public static func eligibleCadre(_ c: String, on day: String) -> String {
        "(\(c).excluded IS NULL OR NOT \(excludedCategory(c, on: day))) AND (\(c).left_on IS NULL OR \(c).left_on > \(day))"
    }

    /// The cadre's excluded category (`excluded`, a category of excluded_category) is in force on
    /// the day: the cadre does not link that day. A category that begins later, or has ended,
    /// excludes no one on the day.
    public static func excludedCategory(_ c: String, on day: String) -> String {
        "EXISTS (SELECT 1 FROM excluded_category AS xc WHERE \(excludedCategoryRow("xc", of: c, on: day)))"
    }

    /// The row `x` of excluded_category is cadre `c`'s category, in force on the day (at most one
    /// row is: the overlap triggers): to join for its labels.
    public static func excludedCategoryRow(_ x: String, of c: String, on day: String) -> String {
        "\(x).category = \(c).excluded AND \(RuleBook.inForce(x, on: day))"
    }

    /// 不脱钩: a household has met the target, and may be unhooked, once it has exited poverty (脱贫)
    /// in or before the day's year and its two-no-worries and three guarantees (两不愁三保障) are
    /// all met. Until then it must stay linked, exited or not.
    public static func householdTargetMet(_ h: String, on day: String) -> String {
        "(\(h).exit_year IS NOT NULL AND \(h).exit_year <= CAST(substr(\(day), 1, 4) AS INTEGER)"
            + " AND \(h).food_secure = 1 AND \(h).clothing_secure = 1 AND \(h).education_secured = 1"
            + " AND \(h).medical_secured = 1 AND \(h).housing_secured = 1)"
    }

    /// 全面覆盖 for a household: it has a cadre linked on the day, or has met the target.
    public static func householdCovered(_ h: String, on day: String) -> String {
        "(\(householdTargetMet(h, on: day)) OR EXISTS (SELECT 1 FROM link AS cl WHERE cl.household_id = \(h).id AND cl.cadre_id IS NOT NULL AND \(activeLink("cl", on: day))))"
    }

    /// A poor village (贫困村): what village quotas count and what needs linking; communities are
    /// the other kind of `village` row.
    public static func poorVillage(_ v: String) -> String {
        "(\(v).kind = 'village' AND \(v).poor = 1)"
    }

    /// 全面覆盖 for a village or community: a unit or a leader is linked on the day. Villages that
    /// are not poor need none.
    public static func villageCovered(_ v: String, on day: String) -> String {
        "(\(v).kind = 'village' AND NOT \(poorVillage(v)) OR EXISTS (SELECT 1 FROM link AS cl WHERE cl.village_id = \(v).id AND \(activeLink("cl", on: day))))"
    }

    /// Households or villages (by `table`) not covered on `asOf`, as the coverage check finds them.
    public static func uncovered(_ table: String, asOf: String) -> Predicate {
        let covered = table == "household" ? householdCovered("{T}", on: "?") : villageCovered("{T}", on: "?")
        return .domain("NOT \(covered)", Array(repeating: .text(asOf), count: covered.filter { $0 == "?" }.count))
    }

    /// The two-no-worries and three-guarantees items (两不愁三保障) of a household, as
    /// (column, name): the outcome a household's exit is judged by.
    public static let securityItems: [(column: String, name: String)] = [
        ("food_secure", "不愁吃"), ("clothing_secure", "不愁穿"), ("education_secured", "义务教育有保障"),
        ("medical_secured", "基本医疗有保障"), ("housing_secured", "住房安全有保障"),
    ]

    /// The share of a year a link is active in the period [`from`, `to`] (inclusive days, SQL
    /// expressions), as a fraction of the year's `daysInYear`: the factor a yearly standard is
    /// pro-rated by for a link that began or ended during the year.
    public static func activeShare(_ l: String, from: String, to: String, daysInYear: String) -> String {
        "max(0, julianday(min(coalesce(\(l).end_date, '9999-12-31'), date(\(to), '+1 day'))) - julianday(max(\(l).start_date, \(from)))) / \(daysInYear)"
    }
}
