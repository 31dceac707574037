import GRDB
import GRDBSQLite

/// What the links of a cadre, a unit, an area or the whole register did against the visit
/// standard: sums of ``Checks/visitMeasures`` rows.
public struct VisitSums: Sendable, Equatable {
    // links, met, visits, nv, days, nd, talks, nt | publicity, np: inline, so a province's
    // cadres cost no allocation each. Whole numbers (days in millionths), so the sums are exact
    // and the same in whatever order the slices add up: the same bytes on any number of cores.
    var v = SIMD8<Int64>(), w = SIMD2<Int64>()
    static let dayUnit = 1_000_000.0

    public init() {}

    /// Links measured, and those that meet the standard.
    public var links: Double { Double(v[0]) }
    public var met: Double { Double(v[1]) }
    /// Done, and due pro-rated (NULL dues count 0).
    public var visits: Double { Double(v[2]) }
    public var visitsDue: Double { Double(v[3]) }
    /// To the millionth of a day.
    public var days: Double { Double(v[4]) / Self.dayUnit }
    public var daysDue: Double { Double(v[5]) / Self.dayUnit }
    public var talks: Double { Double(v[6]) }
    public var talksDue: Double { Double(v[7]) }
    public var publicity: Double { Double(w[0]) }
    public var publicityDue: Double { Double(w[1]) }

    public static func += (a: inout VisitSums, b: VisitSums) { a.v &+= b.v; a.w &+= b.w }
}

/// The visits measure summed as it streams, by cadre, by unit, by area and in all: what the
/// visits report and the assessment count compliance from, so they and the visits check cannot
/// disagree. A province's million links are never stored or sorted, and the links are read in
/// slices on as many connections as ``ParallelReads`` gives.
public struct VisitTally: Sendable {
    public var all = VisitSums()
    /// The links a cadre holds.
    public var byCadre: [Int64: VisitSums] = [:]
    /// The links a unit holds itself (its poor villages), without its cadres'.
    public var byUnitOwn: [Int64: VisitSums] = [:]
    /// The links of a unit and of its cadres.
    public var byUnit: [Int64: VisitSums] = [:]
    /// By the township or subdistrict of the household or village linked.
    public var byArea: [Int64: VisitSums] = [:]

    public init() {}

    /// The tally for `period`, of the links whose target lies in `area` (every link when nil).
    public static func read(_ db: Database, _ period: CheckPeriod, area: Int64? = nil, parallel: ParallelReads? = nil) throws -> VisitTally {
        let jobs = try sliceJobs(db, period, area: area, width: parallel?.width ?? 1)
        return merged(try parallel.map { try $0.run(db, jobs) } ?? jobs.map { try $0(db) })
    }

    /// The tally in parts, each a job for a connection of ``ParallelReads`` (`width` of them),
    /// to add up with ``merged(_:)``: for a caller that runs them beside jobs of its own.
    public static func sliceJobs(_ db: Database, _ period: CheckPeriod, area: Int64?, width: Int) throws -> [(Database) throws -> VisitTally] {
        var slices: [ClosedRange<Int64>?] = [nil]
        if width > 1, let row = try Row.fetchOne(db, sql: "SELECT min(id), max(id) FROM link"),
           let low = row[0] as Int64?, let high = row[1] as Int64?, high - low >= Int64(width * 2) {
            // Four slices a connection: links of one kind cluster in id ranges and cost unlike
            // amounts, so smaller slices keep every connection busy to the end (eight cost more
            // CPU than they saved at province scale, two gave the same time).
            let count = Int64(width * 4), step = (high - low) / count + 1
            slices = (0..<count).map { i in (low + i * step)...min(high, low + (i + 1) * step - 1) }
        }
        return slices.map { slice in { (db: Database) in try tally(db, period, area: area, links: slice) } }
    }

    /// The parts of ``sliceJobs(_:_:area:width:)`` added up (in their order, though any order
    /// gives the same sums).
    public static func merged(_ parts: [VisitTally]) -> VisitTally {
        parts.reduce(into: VisitTally()) { $0.merge($1) }
    }

    static func tally(_ db: Database, _ period: CheckPeriod, area: Int64?, links: ClosedRange<Int64>?) throws -> VisitTally {
        let bound = period.bind("""
            SELECT m.actor = 'cadre', m.actor_id,
                   CASE m.actor WHEN 'cadre' THEN (SELECT unit_id FROM cadre WHERE id = m.actor_id) ELSE m.actor_id END,
                   CASE m.target WHEN 'household' THEN (SELECT v.area_id FROM household AS h JOIN village AS v ON v.id = h.village_id WHERE h.id = m.target_id)
                        ELSE (SELECT area_id FROM village WHERE id = m.target_id) END,
                   met, visits, nv, days, nd, talks, nt, publicity, np
            FROM (\(Checks.visitMeasures(links: links))) AS m
            """)
        let statement = try db.makeStatement(sql: bound.text)
        try statement.setArguments(StatementArguments(bound.arguments.map(\.databaseValue)))
        // Stepped raw: a million rows of thirteen numbers cost more through Row than the sums.
        let h = statement.sqliteStatement
        defer { sqlite3_reset(h) }
        func whole(_ i: Int32, _ unit: Double = 1) -> Int64 { Int64((sqlite3_column_double(h, i) * unit).rounded()) } // NULL reads 0
        var t = VisitTally()
        while true {
            let rc = sqlite3_step(h)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection))) }
            let areaID: Int64? = sqlite3_column_type(h, 3) == SQLITE_NULL ? nil : sqlite3_column_int64(h, 3)
            if let area, areaID != area { continue }
            var s = VisitSums()
            // met, visits, nv, days, nd, talks, nt, publicity, np are columns 4 … 12
            s.v = SIMD8(1, whole(4), whole(5), whole(6), whole(7, VisitSums.dayUnit), whole(8, VisitSums.dayUnit), whole(9), whole(10))
            s.w = SIMD2(whole(11), whole(12))
            t.all += s
            let actor = sqlite3_column_int64(h, 1)
            if sqlite3_column_int64(h, 0) != 0 { t.byCadre[actor, default: VisitSums()] += s } else { t.byUnitOwn[actor, default: VisitSums()] += s }
            if sqlite3_column_type(h, 2) != SQLITE_NULL { t.byUnit[sqlite3_column_int64(h, 2), default: VisitSums()] += s }
            if let areaID { t.byArea[areaID, default: VisitSums()] += s }
        }
        return t
    }

    mutating func merge(_ other: VisitTally) {
        all += other.all
        for (k, s) in other.byCadre { byCadre[k, default: VisitSums()] += s }
        for (k, s) in other.byUnitOwn { byUnitOwn[k, default: VisitSums()] += s }
        for (k, s) in other.byUnit { byUnit[k, default: VisitSums()] += s }
        for (k, s) in other.byArea { byArea[k, default: VisitSums()] += s }
    }
}
