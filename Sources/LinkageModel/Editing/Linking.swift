import GRDB

/// Links are set once, never deleted, only ended with a date and a reason; a successor takes over
/// (接替) and the history says who was linked to whom, from when to when, and why it changed.
public enum Linking {
    public enum Linker: Sendable { case cadre(Int64), unit(Int64) }
    public enum Target: Sendable { case household(Int64), village(Int64) }

    /// The reasons a link ends, from the schema.
    public static let reasons = ["调离", "疾病", "退休", "脱贫", "其他"]

    /// Starts a link and returns its id.
    public static func link(_ db: Database, _ linker: Linker, to target: Target, since: String, note: String? = nil) throws -> Int64 {
        _ = try DateText.check(since, field: "since")
        let (linkerColumn, linkerID) = columns(linker)
        let (targetColumn, targetID) = columns(target)
        if case .unit = linker, case .household = target {
            throw QueryError("a unit links villages and communities; households are linked by cadres")
        }
        let targetTable = targetColumn == "household_id" ? "household" : "village"
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(targetTable) WHERE id = ?)", arguments: [targetID]) == true else {
            throw QueryError("there is no \(targetTable) with id \(targetID)")
        }
        if case .cadre(let c) = linker { try checkMayLink(db, cadre: c, on: since) }
        if case .unit(let u) = linker, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM unit WHERE id = ?)", arguments: [u]) != true {
            throw QueryError("there is no unit with id \(u)")
        }
        if let existing = try Row.fetchOne(db, sql: """
            SELECT id, start_date FROM link WHERE \(linkerColumn) = ? AND \(targetColumn) = ? AND end_date IS NULL
            """, arguments: [linkerID, targetID]) {
            throw QueryError("already linked (link \(existing["id"] as Int64) since \(existing["start_date"] as String)); end that link before linking again")
        }
        try db.execute(sql: "INSERT INTO link (\(linkerColumn), \(targetColumn), start_date, note) VALUES (?, ?, ?, ?)",
                       arguments: [linkerID, targetID, since, note])
        return db.lastInsertedRowID
    }

    /// Ends one link. Ending a link that already ended is refused.
    public static func end(_ db: Database, link: Int64, on date: String, reason: String, successor: Int64? = nil) throws {
        _ = try DateText.check(date, field: "date")
        guard reasons.contains(reason) else {
            throw QueryError("reason must be one of \(reasons.joined(separator: ", ")); got '\(reason)'")
        }
        guard let row = try Row.fetchOne(db, sql: "SELECT start_date, end_date, end_reason FROM link WHERE id = ?", arguments: [link]) else {
            throw QueryError("there is no link with id \(link)")
        }
        if let ended: String = row["end_date"] {
            throw QueryError("link \(link) already ended on \(ended) (\(row["end_reason"] as String? ?? "")); a link ends once")
        }
        let start: String = row["start_date"]
        guard date >= start else { throw QueryError("link \(link) started on \(start); it cannot end before, on \(date)") }
        try db.execute(sql: "UPDATE link SET end_date = ?, end_reason = ?, successor_cadre_id = ? WHERE id = ?",
                       arguments: [date, reason, successor, link])
    }

    /// Ends every active link of `cadre` and starts the same links for `successor`, recording the
    /// successor on the ended links. Returns how many links moved.
    @discardableResult
    public static func handover(_ db: Database, from cadre: Int64, to successor: Int64, on date: String, reason: String) throws -> Int {
        guard cadre != successor else { throw QueryError("a cadre cannot hand over to themselves; name another cadre as successor") }
        _ = try DateText.check(date, field: "date")
        try checkMayLink(db, cadre: successor, on: date)
        let active = try Row.fetchAll(db, sql: """
            SELECT id, village_id, household_id FROM link
            WHERE cadre_id = ? AND start_date <= ? AND end_date IS NULL ORDER BY id
            """, arguments: [cadre, date])
        guard !active.isEmpty else {
            throw QueryError("cadre \(cadre) holds no active links on \(date); nothing to hand over")
        }
        let name = try String.fetchOne(db, sql: "SELECT name FROM cadre WHERE id = ?", arguments: [cadre]) ?? "#\(cadre)"
        for row in active {
            let id: Int64 = row["id"]
            try end(db, link: id, on: date, reason: reason, successor: successor)
            let target: Target = (row["household_id"] as Int64?).map { .household($0) } ?? .village(row["village_id"])
            let (column, targetID) = columns(target)
            // The successor may already hold the same target; the handover then only ends the old link.
            let held = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM link WHERE cadre_id = ? AND \(column) = ? AND end_date IS NULL)",
                                         arguments: [successor, targetID]) ?? false
            if !held {
                try db.execute(sql: "INSERT INTO link (cadre_id, \(column), start_date, note) VALUES (?, ?, ?, ?)",
                               arguments: [successor, targetID, date, "接替 \(name)"])
            }
        }
        return active.count
    }

    /// Excluded staff never link; a cadre who has left cannot take new links.
    public static func checkMayLink(_ db: Database, cadre: Int64, on date: String? = nil) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, excluded, left_on FROM cadre WHERE id = ?", arguments: [cadre]) else {
            throw QueryError("there is no cadre with id \(cadre)")
        }
        let name: String = row["name"]
        if let excluded: String = row["excluded"] {
            let what = ["teacher": "a teacher", "medical": "medical staff", "enterprise_staff": "an enterprise employee",
                        "logistics": "government service/logistics staff"][excluded] ?? excluded
            throw QueryError("\(name) (cadre \(cadre)) is \(what): teachers, medical staff, enterprise employees and logistics staff never link households")
        }
        if let left: String = row["left_on"], date.map({ $0 >= left }) ?? true {
            throw QueryError("\(name) (cadre \(cadre)) left on \(left) and cannot take new links")
        }
    }

    static func columns(_ l: Linker) -> (String, Int64) {
        switch l {
        case .cadre(let id): return ("cadre_id", id)
        case .unit(let id): return ("unit_id", id)
        }
    }

    static func columns(_ t: Target) -> (String, Int64) {
        switch t {
        case .household(let id): return ("household_id", id)
        case .village(let id): return ("village_id", id)
        }
    }
}
