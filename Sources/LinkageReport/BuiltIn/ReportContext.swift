import Foundation
import GRDB
import LinkageModel

/// What a built-in report is asked for: the period (as a check's: ?1 … ?5 in its SQL), and an
/// optional township or subdistrict (?6; NULL for the whole register), read in one transaction.
public struct ReportContext {
    public let db: Database
    public let period: CheckPeriod
    /// The area the report is limited to, or nil.
    public let area: (id: Int64, name: String)?
    /// More connections on the same snapshot, for the parts of a report that can run at once;
    /// nil inside a script's transaction, whose changes only `db` sees.
    public let parallel: ParallelReads?
    /// What more than one report reads (the overview's), computed once.
    let shared: ReportShared

    public init(db: Database, period: CheckPeriod, area: (id: Int64, name: String)? = nil, parallel: ParallelReads? = nil) {
        self.init(db: db, period: period, area: area, parallel: parallel, shared: ReportShared())
    }

    init(db: Database, period: CheckPeriod, area: (id: Int64, name: String)?, parallel: ParallelReads?, shared: ReportShared) {
        self.db = db
        self.period = period
        self.area = area
        self.parallel = parallel
        self.shared = shared
    }

    /// The same question on another connection (one of `parallel`'s), sharing what is computed.
    func on(_ other: Database) -> ReportContext {
        ReportContext(db: other, period: period, area: area, parallel: nil, shared: shared)
    }

    /// `a` and `b`, at once when `parallel` allows (each on a connection of its own).
    func both<A, B>(_ a: @escaping (ReportContext) throws -> A, _ b: @escaping (ReportContext) throws -> B) throws -> (A, B) {
        let jobs: [(Database) throws -> Any] = [{ try a(self.on($0)) }, { try b(self.on($0)) }]
        let done = try parallel.map { try $0.run(db, jobs) } ?? jobs.map { try $0(db) }
        return (done[0] as! A, done[1] as! B)
    }

    /// The visits measure summed (VisitTally) for the links of `area`, or of every area.
    func visitTally(area: Int64?) throws -> VisitTally {
        try shared.value("visits \(area.map(String.init) ?? "all")") { try VisitTally.read(db, period, area: area, parallel: parallel) }
    }

    /// Resolves `--area` (a township's or subdistrict's name or code), with the nearest names
    /// when it is not found.
    public static func area(_ db: Database, _ nameOrCode: String) throws -> (id: Int64, name: String) {
        guard case .area(let id) = try MaterialSubject.area(db, nameOrCode: nameOrCode) else { fatalError("MaterialSubject.area gives an area") }
        return (id, try String.fetchOne(db, sql: "SELECT name FROM area WHERE id = ?", arguments: [id]) ?? nameOrCode)
    }

    /// SQL: the village `v` lies in the report's area (every village without one).
    static func inArea(_ v: String) -> String { "(?6 IS NULL OR \(v).area_id = ?6)" }

    /// The rows of `sql`, whose parameters are a check's and ?6 the area.
    func rows(_ sql: String) throws -> [Row] {
        try period.rows(db, sql, extra: [area.map { .integer($0.id) } ?? .null])
    }

    /// The rows of `sql` as a table with `columns` (one per selected column, in order).
    func table(_ title: String?, _ columns: [ReportColumn], _ sql: String, limit: Int? = nil) throws -> ReportTable {
        let all = try rows(sql).map { row in (0..<columns.count).map { SQLValue(row[$0] as DatabaseValue) } }
        let shown = limit.map { Array(all.prefix($0)) } ?? all
        return ReportTable(title: title, columns: columns, rows: shown, omitted: all.count - shown.count)
    }

    /// "2012, as of 2012-06-30 · 太京镇"
    var subtitle: String {
        "\(period.year), as of \(period.asOf)" + (area.map { " · \($0.name)" } ?? "")
    }

    /// The findings of `check` in the report's area (by the finding's area text, which begins
    /// with the township's name), in the check's order.
    func findings(_ check: Check) throws -> [[SQLValue]] {
        var out: [[SQLValue]] = []
        try Checks.findings(db, [check], period) { row in
            if let area, case .text(let text) = row[3], !(text == area.name || text.hasPrefix(area.name + " ")) { return }
            out.append(row)
        }
        return out
    }
}

extension SQLValue {
    /// A number for sums and shares; 0 for NULL and text.
    var double: Double { number ?? 0 }
}

/// A fraction of two counts, NULL when there is nothing to count.
func share(_ part: SQLValue, _ whole: SQLValue) -> SQLValue {
    whole.double == 0 ? .null : .real(part.double / whole.double)
}

/// Values computed once for every report that asks, whichever thread asks first; one that asks
/// while another computes waits for its result.
final class ReportShared: @unchecked Sendable {
    private final class Slot { let lock = NSLock(); var value: Any? }
    private let lock = NSLock()
    private var slots: [String: Slot] = [:]

    func value<T>(_ key: String, _ make: () throws -> T) throws -> T {
        lock.lock()
        let slot = slots[key] ?? Slot()
        slots[key] = slot
        lock.unlock()
        slot.lock.lock(); defer { slot.lock.unlock() }
        if let value = slot.value as? T { return value }
        let value = try make()
        slot.value = value
        return value
    }
}
