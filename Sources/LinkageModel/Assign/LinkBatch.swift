import GRDB
import GRDBSQLite

/// SQLite copies bound text before `sqlite3_bind_text` returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

extension Linking.Linker: CustomStringConvertible {
    public var description: String {
        switch self { case .cadre(let id): return "cadre \(id)"; case .unit(let id): return "unit \(id)" }
    }
}

extension Linking.Target: CustomStringConvertible {
    public var description: String {
        switch self { case .household(let id): return "household \(id)"; case .village(let id): return "village \(id)" }
    }
}

/// Starting links, one or a million, through one set of checks: the linker may link (excluded
/// and departed cadres never do), the target exists and is not linked by the same linker already,
/// the linker's quota (Quota) and the household's most cadres (household_cadres_max) hold. A
/// quota or a most may be exceeded on purpose (`allowOverQuota`): the links are then made and
/// each excess comes back as a warning, which `linkage check` lists from then on. All or nothing.
extension Linking {
    /// One link to start.
    public struct NewLink: Sendable, Equatable {
        public var linker: Linker
        public var target: Target
        public var note: String?

        public init(_ linker: Linker, _ target: Target, note: String? = nil) {
            self.linker = linker
            self.target = target
            self.note = note
        }
    }

    /// What a batch made.
    public struct Made: Sendable {
        /// The ids of the new links, in the order given.
        public let ids: [Int64]
        /// One line per quota or most exceeded with `allowOverQuota`.
        public let warnings: [String]
    }

    /// Starts one link and returns its id and the warnings (see ``link(_:_:since:allowOverQuota:)``).
    public static func link(_ db: Database, _ linker: Linker, to target: Target, since: String, note: String? = nil,
                            allowOverQuota: Bool = false) throws -> Made {
        try link(db, [NewLink(linker, target, note: note)], since: since, allowOverQuota: allowOverQuota)
    }

    /// Starts every link of `links` from `since`, or none: a refusal names the first link at fault
    /// (`entry N` when there are several and `numbered`) and what to do.
    public static func link(_ db: Database, _ links: [NewLink], since: String, allowOverQuota: Bool = false,
                            numbered: Bool = true) throws -> Made {
        guard !links.isEmpty else { _ = try DateText.check(since, field: "since"); return Made(ids: [], warnings: []) }
        return try Atomic.run(db, "linkage_link") {
            let warnings = try checkedBatch(db, links, since: since, allowOverQuota: allowOverQuota, numbered: numbered)
            let before = try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM link") ?? 0
            try db.execute(sql: """
                INSERT INTO link (cadre_id, unit_id, household_id, village_id, start_date, note)
                SELECT cadre_id, unit_id, household_id, village_id, ?, note FROM temp.linkage_new_link ORDER BY seq
                """, arguments: [since])
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM link WHERE id > ? ORDER BY id", arguments: [before])
            try db.execute(sql: "DELETE FROM temp.linkage_new_link")
            return Made(ids: ids, warnings: warnings)
        }
    }

    /// Holds new links to every check of ``link(_:_:since:allowOverQuota:numbered:)`` without
    /// making them, for a link added another way (`links:add{}`): refuses what may not be, and
    /// returns the warnings of what `allowOverQuota` lets exceed a quota.
    public static func check(_ db: Database, _ links: [NewLink], since: String, allowOverQuota: Bool = false) throws -> [String] {
        guard !links.isEmpty else { return [] }
        return try Atomic.run(db, "linkage_link_check") {
            let warnings = try checkedBatch(db, links, since: since, allowOverQuota: allowOverQuota, numbered: true)
            try db.execute(sql: "DELETE FROM temp.linkage_new_link")
            return warnings
        }
    }

    /// The quotas (cadres', units') and households' most that `links` would exceed on `since`
    /// were they made, each at the first of `links` it is about (its index), with what to do:
    /// the refusals of ``link(_:_:since:allowOverQuota:numbered:)``, every one rather than the
    /// first, for a caller that reports each on its own row (an import).
    public static func excesses(_ db: Database, _ links: [NewLink], since: String) throws -> [(index: Int, refusal: String, advice: String)] {
        guard !links.isEmpty else { return [] }
        _ = try DateText.check(since, field: "since")
        return try Atomic.run(db, "linkage_link_check") {
            try fill(db, links)
            defer { try? db.execute(sql: "DELETE FROM temp.linkage_new_link") }
            return try exceeded(db, since: since).map { (Int($0.seq) - 1, $0.refusal, $0.advice) }
        }
    }

    /// The checks, leaving the batch in temp.linkage_new_link.
    private static func checkedBatch(_ db: Database, _ links: [NewLink], since: String, allowOverQuota: Bool, numbered: Bool) throws -> [String] {
        _ = try DateText.check(since, field: "since")
        func entry(_ seq: Int64) -> String { links.count == 1 || !numbered ? "" : "entry \(seq): " }
        var seen: [NewLink.Key: Int] = [:]
        for (i, l) in links.enumerated() {
            if case .unit = l.linker, case .household = l.target {
                throw QueryError("\(entry(Int64(i + 1)))a unit links villages and communities; households are linked by cadres")
            }
            if let first = seen.updateValue(i, forKey: l.key) {
                throw QueryError("entries \(first + 1) and \(i + 1) are the same link (\(l.linker) → \(l.target)); give it once")
            }
        }
        try fill(db, links)
        try refuseImpossible(db, since: since, entry: entry)
        var warnings: [String] = []
        for over in try exceeded(db, since: since) {
            if allowOverQuota { warnings.append(over.warning) } else {
                throw QueryError(entry(over.seq) + over.refusal + "; " + over.advice, kind: .overQuota)
            }
        }
        return warnings
    }

    /// The links to check, in a temporary table (the checks are SQL over it, set-based). Bound
    /// through SQLite directly: a proposal for a province is a million rows.
    private static func fill(_ db: Database, _ links: [NewLink]) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS linkage_new_link (
                seq INTEGER PRIMARY KEY, cadre_id INTEGER, unit_id INTEGER, household_id INTEGER, village_id INTEGER, note TEXT);
            DELETE FROM temp.linkage_new_link;
            """)
        let insert = try db.makeStatement(sql: "INSERT INTO temp.linkage_new_link VALUES (?, ?, ?, ?, ?, ?)")
        let s = insert.sqliteStatement
        for (i, l) in links.enumerated() {
            sqlite3_bind_int64(s, 1, Int64(i + 1))
            for column: Int32 in 2...5 { sqlite3_bind_null(s, column) }
            switch l.linker { case .cadre(let id): sqlite3_bind_int64(s, 2, id); case .unit(let id): sqlite3_bind_int64(s, 3, id) }
            switch l.target { case .household(let id): sqlite3_bind_int64(s, 4, id); case .village(let id): sqlite3_bind_int64(s, 5, id) }
            if var note = l.note, !note.isEmpty {
                note.withUTF8 { _ = sqlite3_bind_text(s, 6, UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), Int32($0.count), transient) }
            } else {
                sqlite3_bind_null(s, 6)
            }
            let rc = sqlite3_step(s)
            sqlite3_reset(s)
            guard rc == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection))) }
        }
    }

    /// Refusals no option lifts: a linker or target that is not there, a cadre who may not link,
    /// a link that is already open. One pass over the batch for the first four.
    private static func refuseImpossible(_ db: Database, since: String, entry: (Int64) -> String) throws {
        if let row = try Row.fetchOne(db, sql: """
            SELECT b.seq, b.cadre_id, b.unit_id, b.household_id, b.village_id, c.id AS c, \(refusalColumns),
                   u.id AS u, h.id AS h, v.id AS v
            FROM temp.linkage_new_link AS b LEFT JOIN cadre AS c ON c.id = b.cadre_id \(refusalJoin("c", on: "?1")) LEFT JOIN unit AS u ON u.id = b.unit_id
            LEFT JOIN household AS h ON h.id = b.household_id LEFT JOIN village AS v ON v.id = b.village_id
            WHERE (b.cadre_id IS NOT NULL AND c.id IS NULL) OR (b.unit_id IS NOT NULL AND u.id IS NULL)
               OR (b.household_id IS NOT NULL AND h.id IS NULL) OR (b.village_id IS NOT NULL AND v.id IS NULL)
               OR (c.id IS NOT NULL AND NOT (\(DomainFilter.eligibleCadre("c", on: "?1"))))
            ORDER BY b.seq LIMIT 1
            """, arguments: [since]) {
            let at = entry(row["seq"])
            for (column, alias, table) in [("cadre_id", "c", "cadre"), ("unit_id", "u", "unit"), ("household_id", "h", "household"), ("village_id", "v", "village")] {
                if let id: Int64 = row[column], row[alias] as Int64? == nil { throw QueryError("\(at)there is no \(table) with id \(id)") }
            }
            if let refusal = mayNotLink(cadre: row["c"], row, on: since) {
                throw QueryError(at + refusal)
            }
        }
        let open = [("cadre_id", "household_id"), ("cadre_id", "village_id"), ("unit_id", "village_id")].map { linker, target in
            "SELECT b.seq, l.id, l.start_date FROM temp.linkage_new_link AS b JOIN link AS l ON l.\(linker) = b.\(linker) AND l.\(target) = b.\(target) AND l.end_date IS NULL"
        }
        if let row = try Row.fetchOne(db, sql: open.joined(separator: " UNION ALL ") + " ORDER BY 1 LIMIT 1") {
            throw QueryError("\(entry(row["seq"]))already linked (link \(row["id"] as Int64) since \(row["start_date"] as String)); end that link before linking again")
        }
    }

    /// A quota or a most the batch would exceed, in words.
    struct Excess {
        let seq: Int64
        let refusal: String
        let warning: String
        let advice: String
    }

    /// Every quota (cadres', units') and every household's most the batch would exceed on `since`,
    /// counting only the categories it adds to.
    static func exceeded(_ db: Database, since: String) throws -> [Excess] {
        var found: [Excess] = []
        let added = Quota.Category.allCases.map { t -> String in
            let test: String
            switch t {
            case .villages: test = "v.kind = 'village'"
            case .ruralHouseholds: test = "h.kind = 'rural'"
            case .communities: test = "v.kind = 'community'"
            case .urbanHouseholds: test = "h.kind = 'urban'"
            }
            return "count(CASE WHEN \(test) THEN 1 END) AS n\(t.letter)"
        }.joined(separator: ", ")
        let over = Quota.Category.allCases.map { "(new.n\($0.letter) > 0 AND load.h\($0.letter) + new.n\($0.letter) > load.q\($0.letter))" }.joined(separator: " OR ")
        let cadres = try Row.fetchAll(db, sql: """
            WITH new AS MATERIALIZED (
                SELECT b.cadre_id AS id, min(b.seq) AS seq, \(added)
                FROM temp.linkage_new_link AS b LEFT JOIN household AS h ON h.id = b.household_id LEFT JOIN village AS v ON v.id = b.village_id
                WHERE b.cadre_id IS NOT NULL GROUP BY b.cadre_id)
            SELECT new.*, load.* FROM new JOIN (\(Quota.cadreLoad(on: "?1", cadres: "SELECT id FROM new", eligibleOnly: false))) AS load ON load.id = new.id
            WHERE load.rule IS NULL OR \(over)
            ORDER BY new.seq
            """, arguments: [since])
        for row in cadres {
            let who = "\(row["name"] as String) (cadre \(row["id"] as Int64), \(row["role"] as String))"
            guard let rule: Int64 = row["rule"] else {
                let role: String = row["role"]
                let text = "no quota rule for role \(role) is in force on \(since) (quota_rule)"
                found.append(Excess(seq: row["seq"], refusal: "\(who) cannot take links on \(since): \(text)",
                                    warning: "\(who) links from \(since) with \(text); allowed (allow_over_quota)",
                                    advice: "`linkage rules --history quota` shows the rules; `linkage rules set quota role=\(role) … --from DATE` adds one; or pass { allow_over_quota = true } to link anyway"))
                continue
            }
            for t in Quota.Category.allCases {
                let n: Int = row["n" + t.letter], held: Int = row["h" + t.letter], quota: Int = row["q" + t.letter]
                guard n > 0, held + n > quota else { continue }
                let ruleText = try Quota.describeRule(db, rule)
                found.append(Excess(seq: row["seq"],
                                    refusal: "\(who) would link \(t.count(held + n)) on \(since), over the quota of \(quota) (\(ruleText))",
                                    warning: "\(who) links \(t.count(held + n)) from \(since), over the quota of \(quota) (\(ruleText)); allowed (allow_over_quota); `linkage check --only quotas` lists it",
                                    advice: "link a cadre with spare quota (cadre:spare_quota(date), assign.households), change the rule (linkage rules set quota …), or pass { allow_over_quota = true } to link anyway"))
            }
        }
        let units = try Row.fetchAll(db, sql: """
            WITH new AS (SELECT b.unit_id AS id, min(b.seq) AS seq, count(*) AS n
                         FROM temp.linkage_new_link AS b JOIN village AS v ON v.id = b.village_id AND \(DomainFilter.poorVillage("v"))
                         WHERE b.unit_id IS NOT NULL GROUP BY b.unit_id)
            SELECT new.seq, new.n, ul.* FROM new JOIN (\(Quota.unitLoad(on: "?1", units: "SELECT id FROM new"))) AS ul ON ul.id = new.id
            WHERE \(Quota.unitFixed("ul")) AND ul.held + new.n > ul.quota ORDER BY new.seq
            """, arguments: [since])
        for row in units {
            let who = "\(row["name"] as String) (unit \(row["id"] as Int64), \(row["kind"] as String))"
            let total = (row["held"] as Int) + (row["n"] as Int), quota: Int = row["quota"]
            let ruleText = "unit_quota_rule \(row["rule"] as Int64): \(row["kind"] as String) units link \(quota) poor village\(quota == 1 ? "" : "s") each"
            found.append(Excess(seq: row["seq"],
                                refusal: "\(who) would link \(total) poor villages on \(since), over the quota of \(quota) (\(ruleText))",
                                warning: "\(who) links \(total) poor villages from \(since), over the quota of \(quota) (\(ruleText)); allowed (allow_over_quota); `linkage check --only quotas` lists it",
                                advice: "link a unit with spare quota (unit:spare_quota(date), assign.villages), or pass { allow_over_quota = true } to link anyway"))
        }
        guard let most = try Row.fetchOne(db, sql: "SELECT id, value, valid_from, note FROM rule_setting AS r WHERE name = 'household_cadres_max' AND \(RuleBook.inForce("r", on: "?1"))",
                                          arguments: [since]) else { return found.sorted { $0.seq < $1.seq } }
        let max = Int(most["value"] as Double)
        let households = try Row.fetchAll(db, sql: """
            WITH new AS (SELECT household_id AS id, min(seq) AS seq, count(*) AS n FROM temp.linkage_new_link
                         WHERE household_id IS NOT NULL AND cadre_id IS NOT NULL GROUP BY household_id)
            SELECT new.seq, new.n, h.id, h.head_name,
                   (SELECT count(*) FROM link AS l WHERE l.household_id = h.id AND l.cadre_id IS NOT NULL AND \(DomainFilter.activeLink("l", on: "?1"))) AS held
            FROM new JOIN household AS h ON h.id = new.id
            WHERE held + new.n > ?2 ORDER BY new.seq
            """, arguments: [since, max])
        let ruleText = "rule_setting \(most["id"] as Int64) in force from \(most["valid_from"] as String)\((most["note"] as String?).map { ": \($0)" } ?? "")"
        for row in households {
            let who = "\(row["head_name"] as String) (household \(row["id"] as Int64))"
            let total = (row["held"] as Int) + (row["n"] as Int)
            found.append(Excess(seq: row["seq"],
                                refusal: "\(who) would have \(total) cadres on \(since), over household_cadres_max = \(max) (\(ruleText))",
                                warning: "\(who) has \(total) cadres from \(since), over household_cadres_max = \(max) (\(ruleText)); allowed (allow_over_quota); `linkage check --only coverage` lists it",
                                advice: "link the household once its cadres are fewer, or pass { allow_over_quota = true } to link anyway"))
        }
        return found.sorted { $0.seq < $1.seq }
    }
}

extension Linking.NewLink {
    /// Who links what, for finding the same link twice.
    struct Key: Hashable {
        let linker: Linking.Linker
        let target: Linking.Target
    }

    var key: Key { Key(linker: linker, target: target) }
}

/// Linkage's own savepoint around a change of several statements, so a refused or failed change
/// leaves the register as it was even when the script catches the error (pcall) and goes on.
package enum Atomic {
    package static func run<T>(_ db: Database, _ name: String, _ body: () throws -> T) throws -> T {
        // Savepoints are linkage's: the statement guard refuses them to scripts only.
        try StatementGuard.trusted(on: db) { try db.execute(sql: "SAVEPOINT \(name)") }
        do {
            let result = try body()
            try StatementGuard.trusted(on: db) { try db.execute(sql: "RELEASE \(name)") }
            return result
        } catch {
            try? StatementGuard.trusted(on: db) {
                try db.execute(sql: "ROLLBACK TO \(name)")
                try db.execute(sql: "RELEASE \(name)")
            }
            throw error
        }
    }
}
