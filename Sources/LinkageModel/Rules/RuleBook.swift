import GRDB

/// The linkage rules as dated data (schema steps 5 to 7): which rows are in force on a day, and the one
/// way to change them — a change takes effect from a day, and the rows before it stay as they were,
/// so a check of an earlier year still uses that year's rules.
public enum RuleBook {
    /// One kind of rule: its table, the columns that say which rule a row is, and its numbers.
    public struct Kind: Sendable {
        /// The name scripts and the command line use (`quota`).
        public let name: String
        public let table: String
        public let keys: [String]
        public let values: [String]
        public let title: String

        /// Its rows are values a column of the register allows (SchemaCatalog reads them).
        public var changesSchemaValues: Bool { SchemaCatalog.ruleVocabularies.values.contains { $0.values.contains { $0.table == table } } }
    }

    public static let kinds: [Kind] = [
        Kind(name: "quota", table: "quota_rule", keys: ["role"],
             values: ["villages", "rural_households", "communities", "urban_households"],
             title: "who links how many, by role (联系方式)"),
        Kind(name: "unit_quota", table: "unit_quota_rule", keys: ["unit_kind"], values: ["villages"],
             title: "poor villages a unit links as a unit (0: no fixed number)"),
        Kind(name: "visit_standard", table: "visit_standard", keys: ["actor", "target", "kind"],
             values: ["min_count", "min_days"], title: "least contact per linked target and year (三到)"),
        Kind(name: "action_minimum", table: "action_minimum", keys: ["item", "target"],
             values: ["action", "title_like", "cause", "min_count"],
             title: "least activities of the six actions per linked target and year (六项行动)"),
        Kind(name: "setting", table: "rule_setting", keys: ["name"], values: ["value"],
             title: "other numbers of the plan"),
        Kind(name: "assessment", table: "assessment_rule", keys: ["item"], values: ["value"],
             title: "weights and thresholds of the assessment of units and cadres (考核)"),
        Kind(name: "excluded", table: "excluded_category", keys: ["category"], values: ["label", "label_en"],
             title: "categories of staff who do not link (教师、医务人员、企业职工、机关工勤人员), named by cadre.excluded"),
    ]

    public static func kind(_ name: String) throws -> Kind {
        guard let k = kinds.first(where: { $0.name == name || $0.table == name }) else {
            throw QueryError("unknown rule kind '\(name)'; the kinds are \(kinds.map(\.name).joined(separator: ", "))")
        }
        return k
    }

    /// SQL: the row `alias` of a rule table is in force on `day` (an SQL expression).
    public static func inForce(_ alias: String, on day: String) -> String {
        "\(alias).valid_from <= \(day) AND (\(alias).valid_until IS NULL OR \(alias).valid_until > \(day))"
    }

    /// The SELECT of the rows of `kind` in force on `day` (every row, past and future, when nil),
    /// in key order.
    public static func select(_ kind: Kind, on day: String?) -> BoundSQL {
        let order = " ORDER BY \(kind.keys.joined(separator: ", ")), valid_from"
        guard let day else { return BoundSQL(text: "SELECT * FROM \(kind.table)" + order, arguments: []) }
        return BoundSQL(text: "SELECT * FROM \(kind.table) AS r WHERE \(inForce("r", on: "?"))" + order, arguments: [.text(day), .text(day)])
    }

    /// The rows of `kind` in force on `day`, in key order.
    public static func rows(_ db: Database, _ kind: Kind, on day: String) throws -> [Row] {
        let s = select(kind, on: day)
        return try Row.fetchAll(db, sql: s.text, arguments: StatementArguments(s.arguments.map(\.databaseValue)))
    }

    /// Every row of `kind`, past and future, by key and date.
    public static func history(_ db: Database, _ kind: Kind) throws -> [Row] {
        try Row.fetchAll(db, sql: select(kind, on: nil).text)
    }

    /// A setting in force on `day`, or nil.
    public static func setting(_ db: Database, _ name: String, on day: String) throws -> Double? {
        try Double.fetchOne(db, sql: "SELECT value FROM rule_setting AS r WHERE name = ? AND \(inForce("r", on: "?"))",
                            arguments: [name, day, day])
    }

    /// Refuses a day on which `kind` has no rule in force: a check then would find nothing to
    /// hold the register to, which is not the same as finding nothing wrong.
    public static func requireRules(_ db: Database, _ kind: Kind, on day: String) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(kind.table) AS r WHERE \(inForce("r", on: "?")))",
                                arguments: [day, day]) == true else {
            let first = try String.fetchOne(db, sql: "SELECT min(valid_from) FROM \(kind.table)")
            let when = first.map { "; the rules of \(kind.table) begin on \($0)" } ?? "; \(kind.table) is empty"
            throw QueryError("no \(kind.name) rules (\(kind.table)) are in force on \(day)\(when). `linkage rules --history` lists them with their dates; `linkage rules set \(kind.name) …  --from DATE` adds rules for that time")
        }
    }

    /// Sets the numbers of one rule from `day` on. The row in force on `day` ends the day before
    /// (or, when it began that very day, is changed in place); numbers not given are kept from it.
    /// A rule that begins later still begins then: the new row ends where it begins.
    /// Returns the id of the row in force from `day`.
    @discardableResult
    public static func set(_ db: Database, _ kind: Kind, key: [String: SQLValue], values: [String: SQLValue],
                           from day: String, note: String? = nil) throws -> Int64 {
        do {
            // Two statements (end the row in force, add the new one): all or nothing, even when a
            // script catches the error and goes on.
            return try Atomic.run(db, "linkage_rule_set") { try setRow(db, kind, key: key, values: values, from: day, note: note) }
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CONSTRAINT {
            // A CHECK of the rule table (an unknown role, a negative number) or an overlap
            // trigger: said in one line, with what was asked.
            let why = (e.message ?? "\(e)").split(whereSeparator: \.isWhitespace).joined(separator: " ")
            throw QueryError("cannot set the \(kind.name) rule for \(describe(key)) from \(day): \(why); `linkage rules --history \(kind.name)` lists the rules and their values")
        }
    }

    /// `set` without its error wording, inside its savepoint.
    private static func setRow(_ db: Database, _ kind: Kind, key: [String: SQLValue], values: [String: SQLValue],
                               from day: String, note: String?) throws -> Int64 {
        _ = try DateText.check(day, field: "from")
        let missingKeys = kind.keys.filter { key[$0] == nil }
        guard missingKeys.isEmpty else {
            throw QueryError("a \(kind.name) rule is named by \(kind.keys.joined(separator: ", ")); give \(missingKeys.joined(separator: ", "))")
        }
        if let unknown = values.keys.sorted().first(where: { !kind.values.contains($0) }) {
            throw QueryError("a \(kind.name) rule has no number '\(unknown)'; its numbers are \(kind.values.joined(separator: ", "))")
        }
        let match = kind.keys.map { "\($0) = ?" }.joined(separator: " AND ")
        let keyArgs = kind.keys.map { key[$0]!.databaseValue }
        let current = try Row.fetchOne(db, sql: "SELECT * FROM \(kind.table) AS r WHERE \(match) AND \(inForce("r", on: "?"))",
                                       arguments: StatementArguments(keyArgs + [day.databaseValue, day.databaseValue]))
        let next = try String.fetchOne(db, sql: "SELECT min(valid_from) FROM \(kind.table) WHERE \(match) AND valid_from > ?",
                                       arguments: StatementArguments(keyArgs + [day.databaseValue]))
        if let current, current["valid_from"] as String == day {
            guard !values.isEmpty || note != nil else { return current["id"] }
            let sets = values.keys.sorted().map { "\($0) = ?" } + (note == nil ? [] : ["note = ?"])
            try db.execute(sql: "UPDATE \(kind.table) SET \(sets.joined(separator: ", ")) WHERE id = ?",
                           arguments: StatementArguments(values.keys.sorted().map { values[$0]!.databaseValue } + (note.map { [$0.databaseValue] } ?? []) + [(current["id"] as Int64).databaseValue]))
            return current["id"]
        }
        var row: [String: DatabaseValue] = [:]
        for k in kind.keys { row[k] = key[k]!.databaseValue }
        for v in kind.values { row[v] = current?[v] ?? .null }
        for (v, value) in values { row[v] = value.databaseValue }
        row["note"] = note?.databaseValue ?? current?["note"] ?? .null
        let required = try db.columns(in: kind.table).filter { $0.isNotNull && $0.defaultValueSQL == nil }.map(\.name)
        if let missing = required.first(where: { row[$0] == nil || row[$0]!.isNull }), current == nil {
            throw QueryError("no \(kind.name) rule for \(describe(key)) is in force on \(day) to take numbers from; give every number: \(kind.values.filter { required.contains($0) }.joined(separator: ", ")) (\(missing) is missing)")
        }
        if let current {
            try db.execute(sql: "UPDATE \(kind.table) SET valid_until = ? WHERE id = ?", arguments: [day, current["id"] as Int64])
        }
        row["valid_from"] = day.databaseValue
        row["valid_until"] = next?.databaseValue ?? (current?["valid_until"] as DatabaseValue?) ?? .null
        let columns = row.keys.sorted()
        try db.execute(sql: "INSERT INTO \(kind.table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                       arguments: StatementArguments(columns.map { row[$0]! }))
        return db.lastInsertedRowID
    }

    /// Ends one rule on `day`: from then on it is not in force (a check for a later day finds no
    /// such rule). Ending a rule that is not in force that day is refused.
    public static func end(_ db: Database, _ kind: Kind, key: [String: SQLValue], on day: String) throws {
        _ = try DateText.check(day, field: "on")
        let match = kind.keys.map { "\($0) = ?" }.joined(separator: " AND ")
        let keyArgs = kind.keys.map { key[$0]?.databaseValue ?? .null }
        guard let current = try Row.fetchOne(db, sql: "SELECT id, valid_from FROM \(kind.table) AS r WHERE \(match) AND \(inForce("r", on: "?"))",
                                             arguments: StatementArguments(keyArgs + [day.databaseValue, day.databaseValue])) else {
            throw QueryError("no \(kind.name) rule for \(describe(key)) is in force on \(day); nothing to end")
        }
        if current["valid_from"] as String == day {
            throw QueryError("the \(kind.name) rule for \(describe(key)) begins on \(day); end it later, or set the rule before it to run on")
        }
        try db.execute(sql: "UPDATE \(kind.table) SET valid_until = ? WHERE id = ?", arguments: [day, current["id"] as Int64])
    }

    static func describe(_ key: [String: SQLValue]) -> String {
        key.keys.sorted().map { k -> String in
            if case .text(let s) = key[k]! { return "\(k) = \(s)" }
            return "\(k) = \(key[k]!)"
        }.joined(separator: ", ")
    }
}
