import Foundation
import GRDB
import LinkageModel

/// Fills an empty register with a realistic sample: the seed district (秦州区) exactly, the
/// province of Gansu, the nation, or any number of households.
///
/// The same options give the same rows, byte for byte: every random choice comes from
/// `SampleRandom` seeded with `options.seed`, and nothing depends on hashing or timing. The whole
/// sample is one transaction, written county by county through prepared statements, so memory
/// does not grow with the scale. The rules (quotas, visit standards, indicators) are read from
/// the register, so the sample follows whatever numbers it holds.
///
/// **Bulk load** (the default). Per row, the schema's CHECK constraints, its triggers (the
/// audit log's included) and foreign keys cost more than writing the row: measured on 1.3 M rows,
/// 26 s with all of them, 8.8 s without the audit triggers, 4.7 s without any trigger or CHECK.
/// So, inside the one transaction — no other connection ever sees the register without them —
/// the triggers on the tables a sample fills are dropped and re-created afterwards from their
/// own SQL in `sqlite_schema`, CHECK constraints are not evaluated, foreign keys are checked
/// once at the end (`PRAGMA foreign_key_check`, which aborts the sample on any failure), and the
/// audit log gets one session with one entry per table instead of one entry per row. The
/// generator writes rows that meet every rule; `options.checked` writes the same rows with every
/// rule enforced on every row, and the tests prove both give identical data.
public enum SampleGenerator {
    /// Samples up to this many households drop the indexes of the tables they fill and build
    /// them after loading, which is faster; beyond it (the nation) indexes are kept, because
    /// building them means sorting hundreds of millions of rows.
    static let rebuildIndexesUpTo = 5_000_000

    /// Generates into `register`, which must hold no areas, villages, households, units or cadres.
    public static func generate(into register: Register, options: SampleOptions,
                                progress: ((SampleProgress) -> Void)? = nil) throws -> SampleReport {
        let started = Date()
        let plan = SamplePlan.make(options.scale, seed: options.seed)
        var report = SampleReport(rows: [], seconds: 0, householdQuotaFactor: 1, counties: plan.counties.count)
        try register.queue.writeWithoutTransaction { db in
            if let held = try heldRows(db) {
                throw SampleError("the register \(register.path) already holds \(held); a sample is written only into a new register: use a new --db path")
            }
            var restore: [String] = []
            defer { for sql in restore.reversed() { try? db.execute(sql: sql) } }
            func set(_ pragma: String, _ value: String) throws {
                let old: String
                switch (try DatabaseValue.fetchOne(db, sql: "PRAGMA \(pragma)") ?? .null).storage {
                case .int64(let n): old = String(n)
                case .string(let text): old = text
                default: return
                }
                try db.execute(sql: "PRAGMA \(pragma) = \(value)")
                restore.append("PRAGMA \(pragma) = \(old)")
            }
            // A rollback journal instead of the WAL, which would grow as big as the sample and then
            // be copied into the file; it is as safe, and a new file's pages need no journal.
            // A file that held nothing before has nothing to lose: no waiting for the disk either.
            try set("journal_mode", "DELETE")
            try set("cache_size", "-262144") // 256 MiB
            if options.newFile { try set("synchronous", "OFF") }
            if options.checked {
                // Every insert fires an audit trigger that writes another row, so SQLite keeps a
                // statement journal per insert: in memory, not in a temporary file.
                try set("temp_store", "MEMORY")
            } else {
                try set("foreign_keys", "OFF")
                try set("ignore_check_constraints", "ON")
            }

            try db.inTransaction(.immediate) {
                let startedAt = try AuditLog.now(db), mark = try auditMark(db, options)
                let rebuild = !options.checked && plan.households <= rebuildIndexesUpTo
                let suspended = options.checked ? [] : try suspendSchema(db, indexes: rebuild)
                report.indexesRebuilt = rebuild

                var rules = try SampleRules.read(db)
                let factor = householdQuotaFactor(plan: plan, rules: rules)
                if factor > 1 {
                    try rules.multiplyHouseholdQuotas(by: factor, db, reason: "样例（\(scaleName(options.scale))规模）：每名干部联系户数为区级标准的\(factor)倍，以约\(plan.cadreTarget / 10_000)万名干部联系全部\(plan.households / 10_000)万户")
                }
                report.householdQuotaFactor = factor

                let writer = try SampleWriter(db)
                let firstIDs = SampleTable.allCases.map { writer.peek($0) }
                var usedAreaNames = Set<String>()
                if plan.counties.contains(where: \.qinzhou) {
                    for area in SamplePlaces.qinzhouSubdistricts + SamplePlaces.qinzhouTowns { usedAreaNames.insert(area.name) }
                }
                var households = 0
                for (i, county) in plan.counties.enumerated() {
                    let generator = SampleCounty(plan: county, rules: rules, linked: options.linked, writer: writer,
                                                 rng: SampleRandom(seed: options.seed, stream: UInt64(i + 1)))
                    try generator.generate(usedAreaNames: &usedAreaNames)
                    households += county.households
                    progress?(SampleProgress(countiesDone: i + 1, counties: plan.counties.count, households: households,
                                             rows: writer.totalRows))
                }
                report.rows = writer.counts

                for sql in suspended { try db.execute(sql: sql) }
                if !options.checked { try checkForeignKeys(db) }
                if let mark, let source = options.audit {
                    if !options.checked { try summarise(db, rows: report.rows, firstIDs: firstIDs) }
                    try AuditLog.seal(db, source: source, startedAt: startedAt, after: mark)
                }
                return .commit
            }
        }
        report.seconds = Date().timeIntervalSince(started)
        return report
    }

    /// What the register already holds of what a sample writes, or nil when it holds none of it.
    public static func heldRows(_ db: Database) throws -> String? {
        var held: [String] = []
        for (table, words) in [("household", "households"), ("unit", "units"), ("area", "areas"),
                               ("village", "villages and communities"), ("cadre", "cadres"), ("link", "links")] {
            let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            if n > 0 { held.append("\(n) \(words)") }
        }
        return held.isEmpty ? nil : held.joined(separator: ", ")
    }

    /// Drops the triggers (and, with `indexes`, the explicit indexes) of the tables a sample
    /// fills, and returns the SQL that re-creates them, indexes first.
    static func suspendSchema(_ db: Database, indexes: Bool) throws -> [String] {
        let tables = SampleTable.allCases.map { "'\($0.name)'" }.joined(separator: ", ")
        var indexSQL: [String] = [], triggerSQL: [String] = []
        let rows = try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_schema
            WHERE tbl_name IN (\(tables)) AND sql IS NOT NULL AND (type = 'trigger' OR (type = 'index' AND ?))
            ORDER BY rowid
            """, arguments: [indexes])
        for row in rows {
            let type: String = row["type"], name: String = row["name"]
            try db.execute(sql: "DROP \(type == "index" ? "INDEX" : "TRIGGER") \"\(name)\"")
            if type == "index" { indexSQL.append(row["sql"]) } else { triggerSQL.append(row["sql"]) }
        }
        return indexSQL + triggerSQL
    }

    /// Aborts the sample if any row it wrote points to nothing.
    static func checkForeignKeys(_ db: Database) throws {
        for table in SampleTable.allCases {
            if let row = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check(\(table.name))") {
                let rowid: Int64 = row[1] ?? 0, parent: String = row[2] ?? "?"
                throw SampleError("internal error: the sample wrote a row of \(table.name) (rowid \(rowid)) that refers to a missing row of \(parent); nothing was written")
            }
        }
    }

    /// The audit mark of the sample, when the register keeps a sealed audit log.
    static func auditMark(_ db: Database, _ options: SampleOptions) throws -> Int64? {
        guard options.audit != nil, try db.tableExists("audit_chain") else { return nil }
        return try AuditLog.mark(db)
    }

    /// One audit entry per table filled by a bulk load: the rows written and their ids.
    static func summarise(_ db: Database, rows: [(table: String, count: Int)], firstIDs: [Int]) throws {
        for (table, count) in rows where count > 0 {
            let first = firstIDs[SampleTable.allCases.firstIndex { $0.name == table }!]
            try db.execute(sql: """
                INSERT INTO audit_change (table_name, row_id, action, new)
                VALUES (?, ?, 'insert', json_object('rows', ?, 'first_id', ?, 'last_id', ?, 'note', ?))
                """, arguments: [table, first, count, first, first + count - 1,
                                 "linkage sample: rows \(first) to \(first + count - 1) bulk-loaded; not audited row by row"])
        }
    }

    /// The seed's quotas link about one household per cadre. A scale that sets fewer cadres than
    /// households (the province: ≈ 410,000 for ≈ 1,000,000) needs each cadre to link more, as
    /// those provinces' own rules said: the household numbers of `quota_rule` are multiplied.
    static func householdQuotaFactor(plan: SamplePlan, rules: SampleRules) -> Int {
        guard plan.cadreTarget > 0 else { return 1 }
        let perCadre = Double(max(1, rules.quota(.departmentOther).rural))
        let roleCadres = Double(plan.cadreTarget) * (1 - SampleUnits.excludedShare)
        return max(1, Int((Double(plan.households) / (roleCadres * perCadre)).rounded(.up)))
    }

    static func scaleName(_ scale: SampleScale) -> String {
        switch scale {
        case .district: return "区级"
        case .province: return "省级"
        case .nation: return "全国"
        case .households: return "自定"
        }
    }
}
