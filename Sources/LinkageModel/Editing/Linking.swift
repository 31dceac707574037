import GRDB

/// Links are set once, never deleted, only ended with a date and a reason; a successor takes over
/// (接替) and the history says who was linked to whom, from when to when, and why it changed.
public enum Linking {
    public enum Linker: Sendable, Hashable { case cadre(Int64), unit(Int64) }
    public enum Target: Sendable, Hashable { case household(Int64), village(Int64) }

    /// The reasons a link ends, from the schema.
    public static let reasons = ["调离", "疾病", "退休", "脱贫", "其他"]

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

    /// Excluded staff never link; a cadre who has left cannot take new links.
    public static func checkMayLink(_ db: Database, cadre: Int64, on date: String? = nil) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, excluded, left_on FROM cadre WHERE id = ?", arguments: [cadre]) else {
            throw QueryError("there is no cadre with id \(cadre)")
        }
        if let refusal = mayNotLink(cadre: cadre, name: row["name"], excluded: row["excluded"], leftOn: row["left_on"], on: date) {
            throw QueryError(refusal)
        }
    }

    /// Why a cadre may not take a link on `date` (any date when nil), or nil when it may.
    static func mayNotLink(cadre: Int64, name: String, excluded: String?, leftOn: String?, on date: String?) -> String? {
        if let excluded {
            let what = ["teacher": "a teacher", "medical": "medical staff", "enterprise_staff": "an enterprise employee",
                        "logistics": "government service/logistics staff"][excluded] ?? excluded
            return "\(name) (cadre \(cadre)) is \(what): teachers, medical staff, enterprise employees and logistics staff never link households"
        }
        if let left = leftOn, date.map({ $0 >= left }) ?? true {
            return "\(name) (cadre \(cadre)) left on \(left) and cannot take new links"
        }
        return nil
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
