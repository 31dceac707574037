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
    public static let parts = ["coverage", "quota", "visits", "outcomes", "satisfaction"]

    /// The score of a unit or a cadre. The parts are fractions from 0 to 1 (satisfaction a mean
    /// score out of 100), nil when there is nothing to measure.
    public struct Line: Sendable, Equatable {
        public let kind: String // "unit" or "cadre"
        public let id: Int64
        public let name: String
        /// The unit's name (for a unit, its own) and its area.
        public let unit: String
        public let unitArea: Int64?
        public let coverage, quota, visits, outcomes, satisfaction: Double?
        public let score: Double
        /// 1 for the best of its kind; equal scores share a rank.
        public let rank: Int
        /// How many of its kind are scored.
        public let ranked: Int
        /// "commend", "criticise" or "".
        public let verdict: String
        /// For the criticised: the day by which to put it right.
        public let deadline: String?
    }

    /// One line per eligible cadre with a role and per unit with something to score, units
    /// first, each kind best first (then by id).
    public static func lines(_ db: Database, _ period: CheckPeriod, visits: (() throws -> VisitTally)? = nil, parallel: ParallelReads? = nil) throws -> [Line] {
        var out: [Line] = []
        try score(db, period, visits: visits, parallel: parallel) { out.append($0) }
        return out
    }

    /// ``lines(_:_:visits:parallel:)`` handed to `each` one by one, so a province's are not all
    /// kept. `visits` gives the visits measure summed over the whole register (``VisitTally``),
    /// asked for after the other scans (another report may still be reading it); without it, the
    /// measure is read here. The other inputs are three scans that `parallel` runs at once.
    public static func score(_ db: Database, _ period: CheckPeriod, visits: (() throws -> VisitTally)? = nil, parallel: ParallelReads? = nil,
                             each: (Line) throws -> Void) throws {
        let w = try rules(db, period)
        /// Numerators and denominators, so that a unit adds up its cadres' and its own.
        struct Counts {
            var covN: Double?, covD: Double?, quoD: Double?, visN: Double?, visD: Double?
            var outN: Double?, outD: Double?, satN: Double?, satD: Double?
        }
        struct Cadre { let id: Int64, name: String, unit: Int64; var counts: Counts }
        struct Unit { let id: Int64, name: String, area: Int64?, fixed: Bool, held: Double, quota: Double }
        struct Households { let n: Double, secure: Double, sat: Double?, surveyed: Double }
        enum Part { case cadres([Cadre]), households([Int64: Households]), units([Unit]), visits(VisitTally) }
        // Read by column number: a province has hundreds of thousands of cadres. The visits
        // measure's slices, when it is not given, run beside the other scans.
        let slices = visits == nil ? try VisitTally.sliceJobs(db, period, area: nil, width: parallel?.width ?? 1) : []
        let jobs: [(Database) throws -> Part] = [
            { db in
                // id, name, role, unit_id, eligible, rule, hv, hr, hc, hu, qv, qr, qc, qu
                var out: [Cadre] = []
                let rows = try period.cursor(db, Quota.cadreLoad(on: "?1"))
                while let r = try rows.next() {
                    var k = Counts()
                    if !r.hasNull(atIndex: 5), !(10...13).contains(where: { r.hasNull(atIndex: $0) }) {
                        let held = (6...9).map { (r[$0] as Double?) ?? 0 }, quota = (10...13).map { r[$0] as Double }
                        k.covN = zip(held, quota).map { min($0, $1) }.reduce(0, +)
                        k.covD = quota.reduce(0, +)
                        k.quoD = zip(held, quota).map { max($0, $1) }.reduce(0, +)
                    }
                    out.append(Cadre(id: r[0], name: r[1], unit: r[3], counts: k))
                }
                return .cadres(out)
            },
            { db in
                var out: [Int64: Households] = [:]
                let rows = try period.cursor(db, linkedHouseholds)
                while let r = try rows.next() { out[r[0]] = Households(n: r[1], secure: r[2], sat: r[3], surveyed: r[4]) }
                return .households(out)
            },
            { db in
                // id, name, kind, area_id, rule, quota, held
                var out: [Unit] = []
                let rows = try period.cursor(db, Quota.unitLoad(on: "?1"))
                while let r = try rows.next() {
                    let quota = (r[5] as Double?) ?? 0
                    out.append(Unit(id: r[0], name: r[1], area: r[3], fixed: !r.hasNull(atIndex: 4) && quota > 0, held: (r[6] as Double?) ?? 0, quota: quota))
                }
                return .units(out)
            },
        ] + slices.map { job in { .visits(try job($0)) } }
        var cadres: [Cadre] = [], households: [Int64: Households] = [:], units: [Unit] = [], tallies: [VisitTally] = []
        for part in try parallel.map({ try $0.run(db, jobs) }) ?? jobs.map({ try $0(db) }) {
            switch part {
            case .cadres(let c): cadres = c
            case .households(let h): households = h
            case .units(let u): units = u
            case .visits(let t): tallies.append(t)
            }
        }
        let tally = try visits?() ?? VisitTally.merged(tallies)
        func add(_ a: Double?, _ b: Double?) -> Double? { b.map { (a ?? 0) + $0 } ?? a }
        var unitCounts: [Int64: Counts] = [:]
        for i in cadres.indices {
            var k = cadres[i].counts
            if let v = tally.byCadre[cadres[i].id] { k.visN = v.met; k.visD = v.links }
            if let h = households[cadres[i].id] { k.outN = h.secure; k.outD = h.n; k.satN = h.sat; k.satD = h.surveyed }
            cadres[i].counts = k
            var u = unitCounts[cadres[i].unit] ?? Counts()
            u.covN = add(u.covN, k.covN); u.covD = add(u.covD, k.covD); u.quoD = add(u.quoD, k.quoD)
            u.visN = add(u.visN, k.visN); u.visD = add(u.visD, k.visD)
            u.outN = add(u.outN, k.outN); u.outD = add(u.outD, k.outD); u.satN = add(u.satN, k.satN); u.satD = add(u.satD, k.satD)
            unitCounts[cadres[i].unit] = u
        }
        func ratio(_ n: Double?, _ d: Double?) -> Double? {
            guard let n, let d, d != 0 else { return nil }
            return n / d
        }
        /// A unit (`who` < 0: units[-1 - who]) or a cadre (cadres[who]) with its parts and score:
        /// a province has hundreds of thousands, so no more than this is kept of each.
        struct Scored { let who: Int32; let coverage, quota, visits, outcomes, satisfaction: Double?; let score: Double }
        let weights = parts.map { w["weight_" + $0] }
        func scored(_ who: Int, _ k: Counts) -> Scored? {
            let p = [ratio(k.covN, k.covD), ratio(k.covN, k.quoD), ratio(k.visN, k.visD), ratio(k.outN, k.outD), ratio(k.satN, k.satD)]
            // 100 × Σ weight × part / Σ weight over the parts present; satisfaction is out of 100
            var sum = 0.0, weight = 0.0
            for (i, part) in p.enumerated() {
                guard let part else { continue }
                if let wi = weights[i] { sum += wi * (i == 4 ? part / 100 : part); weight += wi }
            }
            guard weight != 0 else { return nil }
            return Scored(who: Int32(who), coverage: p[0], quota: p[1], visits: p[2], outcomes: p[3], satisfaction: p[4],
                          score: ((100 * sum / weight) * 10).rounded(.toNearestOrAwayFromZero) / 10)
        }
        var unitIndex: [Int64: Int] = [:]
        var scoredUnits: [Scored] = [], scoredCadres: [Scored] = []
        for (i, u) in units.enumerated() {
            unitIndex[u.id] = i
            var k = unitCounts[u.id] ?? Counts()
            // a unit with a fixed number of poor villages counts them as a cadre counts its quota
            k.covN = (k.covN ?? 0) + (u.fixed ? min(u.held, u.quota) : 0)
            k.covD = (k.covD ?? 0) + (u.fixed ? u.quota : 0)
            k.quoD = (k.quoD ?? 0) + (u.fixed ? max(u.held, u.quota) : 0)
            let own = tally.byUnitOwn[u.id]
            k.visN = (k.visN ?? 0) + (own?.met ?? 0)
            k.visD = (k.visD ?? 0) + (own?.links ?? 0)
            if let s = scored(-1 - i, k) { scoredUnits.append(s) }
        }
        for (i, c) in cadres.enumerated() {
            if let s = scored(i, c.counts) { scoredCadres.append(s) }
        }
        func id(_ s: Scored) -> Int64 { s.who < 0 ? units[Int(-1 - s.who)].id : cadres[Int(s.who)].id }
        let deadline = try String.fetchOne(db, sql: "SELECT date(?, '+' || CAST(? AS INTEGER) || ' days')", arguments: [period.asOf, w["deadline_days"]])
        for kind in [scoredUnits, scoredCadres] {
            let ranked = kind.sorted { ($1.score, id($0)) < ($0.score, id($1)) }
            let commended = w["commend_share"].map { Int(($0 * Double(ranked.count)).rounded(.toNearestOrAwayFromZero)) }
            var rank = 0
            for (i, s) in ranked.enumerated() {
                if i == 0 || s.score < ranked[i - 1].score { rank = i + 1 }
                let criticised = w["pass_score"].map { s.score < $0 } == true
                    || (s.satisfaction.flatMap { sat in w["satisfaction_floor"].map { sat < $0 } } ?? false)
                let verdict = criticised ? "criticise" : commended.map { rank <= $0 } == true ? "commend" : ""
                let unit: Unit?, name: String
                if s.who < 0 { unit = units[Int(-1 - s.who)]; name = unit!.name } else {
                    let c = cadres[Int(s.who)]
                    unit = unitIndex[c.unit].map { units[$0] }
                    name = c.name
                }
                try each(Line(kind: s.who < 0 ? "unit" : "cadre", id: id(s), name: name, unit: unit?.name ?? "", unitArea: unit?.area,
                              coverage: s.coverage, quota: s.quota, visits: s.visits, outcomes: s.outcomes, satisfaction: s.satisfaction,
                              score: s.score, rank: rank, ranked: ranked.count, verdict: verdict, deadline: criticised ? deadline : nil))
            }
        }
    }

    /// Per cadre, the households it links on the day: how many, how many have 两不愁三保障 all
    /// met, and their survey scores of the year (sum and count). Parameters are a check's.
    static var linkedHouseholds: String {
        let secure = DomainFilter.securityItems.map { "h.\($0.column) = 1" }.joined(separator: " AND ")
        return """
            SELECT l.cadre_id AS id, count(*) AS n, count(CASE WHEN \(secure) THEN 1 END) AS secure,
                   sum(s.score) AS sat, count(s.score) AS surveyed
            FROM link AS l JOIN household AS h ON h.id = l.household_id
            LEFT JOIN survey AS s ON s.household_id = h.id AND s.year = CAST(substr(?2, 1, 4) AS INTEGER)
            WHERE l.cadre_id IS NOT NULL AND \(DomainFilter.activeLink("l", on: "?1"))
            GROUP BY l.cadre_id
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
