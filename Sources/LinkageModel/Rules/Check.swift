import Foundation
import GRDB

/// The day and year a check asks about. Links and quotas are taken on `asOf`; visits and
/// activities count from the first of `year` to `periodEnd` (the year's end, or `asOf` when that
/// falls inside the year, so a weekly check in June expects half a year's visits).
public struct CheckPeriod: Sendable, Equatable {
    public let year: Int
    public let asOf: String
    public var yearStart: String { String(format: "%04d-01-01", year) }
    public var yearEnd: String { String(format: "%04d-12-31", year) }
    public var periodEnd: String { min(asOf, yearEnd) }
    public var daysInYear: Int { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 366 : 365 }

    /// Without a year, the year of `asOf`; without `asOf`, the last day of the year (or today
    /// when neither is given). A day before the year is refused: its visits have not happened.
    public init(year: Int? = nil, asOf: String? = nil, today: String = DateText.today()) throws {
        if let asOf { _ = try DateText.check(asOf, field: "as_of") }
        if let year, !(1980...2100).contains(year) { throw QueryError("year must be between 1980 and 2100; got \(year)") }
        let day = asOf ?? year.map { String(format: "%04d-12-31", $0) } ?? today
        self.asOf = day
        self.year = year ?? Int(day.prefix(4))!
        if day < yearStart {
            throw QueryError("as_of \(day) is before the year \(self.year) it checks; give a day in or after it")
        }
    }

    /// The values of ?1 … ?5 in every check's SQL.
    var arguments: [SQLValue] {
        [.text(asOf), .text(yearStart), .text(periodEnd), .integer(Int64(daysInYear)), .text(yearEnd)]
    }

    /// `sql` (parameters ?1 … ?5 as a check's, then `extra` as ?6 …) with the values it uses.
    public func bind(_ sql: String, extra: [SQLValue] = []) -> BoundSQL {
        let all = arguments + extra
        // SQLite counts parameters up to the highest one named; GRDB wants exactly that many.
        let used = (1...all.count).last { sql.contains("?\($0)") } ?? 0
        return BoundSQL(text: sql, arguments: Array(all.prefix(used)))
    }

    /// The rows of `sql`, bound as ``bind(_:extra:)`` binds it.
    public func rows(_ db: Database, _ sql: String, extra: [SQLValue] = []) throws -> [Row] {
        let bound = bind(sql, extra: extra)
        return try Row.fetchAll(db, sql: bound.text, arguments: StatementArguments(bound.arguments.map(\.databaseValue)))
    }

    /// A cursor over the rows of `sql`, bound as ``bind(_:extra:)`` binds it.
    public func cursor(_ db: Database, _ sql: String, extra: [SQLValue] = []) throws -> RowCursor {
        let bound = bind(sql, extra: extra)
        return try Row.fetchCursor(db, sql: bound.text, arguments: StatementArguments(bound.arguments.map(\.databaseValue)))
    }
}

/// One rule of DOMAIN.md held against the register: an SQL statement whose rows are findings,
/// with the columns of ``Check/columns`` in that order.
///
/// Parameters: ?1 the day links and quotas are taken on, ?2 the first day of the year, ?3 the
/// last day whose visits and activities count, ?4 the days of the year, ?5 its last day.
public struct Check: Sendable {
    public let name: String
    public let title: String
    /// The rule kinds it reads: a day with none of them in force is refused, not "all well".
    public let rules: [String]
    /// The statement, written for the rules in force in the period where the check's SQL depends
    /// on them (the actions check has a column per action_minimum row).
    let build: @Sendable (Database, CheckPeriod) throws -> String

    init(name: String, title: String, rules: [String], sql: String) {
        self.init(name: name, title: title, rules: rules) { _, _ in sql }
    }

    init(name: String, title: String, rules: [String], build: @escaping @Sendable (Database, CheckPeriod) throws -> String) {
        self.name = name
        self.title = title
        self.rules = rules
        self.build = build
    }

    /// What every finding says: which check, how bad (error, warning, info), about what, where,
    /// what the rule expects and what the register has, in words; and the record it is about.
    public static let columns = ["check", "severity", "subject", "area", "expected", "actual", "message", "subject_table", "subject_id"]

    public static let severities = ["error", "warning", "info"]

    public func statement(_ db: Database, _ period: CheckPeriod) throws -> BoundSQL { period.bind(try build(db, period)) }

    /// The statement with the period's values written in place of ?1 … ?5: to read, or to run in
    /// the sqlite3 shell.
    public func inlineSQL(_ db: Database, _ period: CheckPeriod) throws -> String {
        var text = try build(db, period)
        // ?5 first, down to ?1, so that no number is replaced inside a longer one
        for (i, value) in period.arguments.enumerated().reversed() { text = text.replacingOccurrences(of: "?\(i + 1)", with: value.description) }
        return text
    }

    /// Refuses a period with no rules in force for this check.
    public func requireRules(_ db: Database, _ period: CheckPeriod) throws {
        for name in rules {
            let kind = try RuleBook.kind(name)
            try RuleBook.requireRules(db, kind, on: name == "quota" || name == "unit_quota" || name == "setting" ? period.asOf : period.periodEnd)
        }
    }

    /// Runs the check, handing each finding to `body` as it is read (nothing is held).
    public func run(_ db: Database, _ period: CheckPeriod, _ body: (Row) throws -> Void) throws {
        let cursor = try Row.fetchCursor(try prepared(db, period))
        while let row = try cursor.next() { try body(row) }
    }

    /// Runs the check, handing each finding to `body` straight from SQLite (``RawRow``, columns
    /// ``columns``): for a writer of many rows, such as `linkage export --check`.
    public func runRaw(_ db: Database, _ period: CheckPeriod, _ body: (RawRow) throws -> Void) throws {
        let statement = try prepared(db, period)
        _ = try RawRow.step(statement, sql: statement.sql, body)
    }

    /// The check's statement for `period`, its values bound, after refusing a period without rules.
    private func prepared(_ db: Database, _ period: CheckPeriod) throws -> Statement {
        try requireRules(db, period)
        let bound = try statement(db, period)
        let statement = try db.makeStatement(sql: bound.text)
        try statement.setArguments(StatementArguments(bound.arguments.map(\.databaseValue)))
        return statement
    }
}

/// What a set of checks found, by severity.
public struct CheckSummary: Sendable, Equatable {
    public var counts: [String: Int] = [:]
    public var byCheck: [String: Int] = [:]
    public var errors: Int { counts["error", default: 0] }
    public var total: Int { counts.values.reduce(0, +) }

    public init() {}

    public mutating func add(check: String, severity: String) {
        counts[severity, default: 0] += 1
        byCheck[check, default: 0] += 1
    }

    public mutating func add(_ other: CheckSummary) {
        counts.merge(other.counts, uniquingKeysWith: +)
        byCheck.merge(other.byCheck, uniquingKeysWith: +)
    }
}

public enum Checks {
    /// Every check, in the order `check.all` runs them.
    public static var all: [Check] {
        [coverage, quotas, visits, actions, outcomes, problems, staff]
    }

    public static func named(_ name: String) -> Check? { all.first { $0.name == name } }

    /// Names a user may give, checked: each unknown name is refused with the list.
    public static func select(_ names: [String]) throws -> [Check] {
        if names.isEmpty { return all }
        return try names.map { name in
            guard let c = named(name) else {
                throw QueryError("unknown check '\(name)'; the checks are \(all.map(\.name).joined(separator: ", "))")
            }
            return c
        }
    }
}

extension Checks {
    /// Runs `checks`, handing each finding at `minSeverity` or worse to `body` as a row of
    /// ``Check/columns`` while it is read; returns the counts of all of them (the exit code of
    /// `linkage check` looks at every error). With `parallel`, the checks run on several
    /// connections at once and their findings still come in the checks' order (``ParallelReads/stream(_:_:each:)``).
    @discardableResult
    public static func findings(_ db: Database, _ checks: [Check], _ period: CheckPeriod, minSeverity: String = "info",
                                parallel: ParallelReads? = nil, _ body: ([SQLValue]) throws -> Void) throws -> CheckSummary {
        guard let floor = Check.severities.firstIndex(of: minSeverity) else {
            throw QueryError("unknown severity '\(minSeverity)'; the severities are \(Check.severities.joined(separator: ", "))")
        }
        for c in checks { try c.requireRules(db, period) }
        let jobs = checks.map { check in
            { (db: Database, sink: ParallelReads.RowSink) throws -> CheckSummary in
                var summary = CheckSummary()
                try check.run(db, period) { row in
                    let severity: String = row["severity"]
                    summary.add(check: row["check"], severity: severity)
                    guard let rank = Check.severities.firstIndex(of: severity), rank <= floor else { return }
                    try sink((0..<Check.columns.count).map { SQLValue(row[$0] as DatabaseValue) })
                }
                return summary
            }
        }
        let parts = try parallel.map { try $0.stream(db, jobs, each: body) } ?? jobs.map { try $0(db, body) }
        return parts.reduce(into: CheckSummary()) { $0.add($1) }
    }
}
