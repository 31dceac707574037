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

    /// A cadre of an excluded category in force on `date` never links; a cadre who has left cannot
    /// take new links. Without a date, the category in force today and a departure on any day.
    public static func checkMayLink(_ db: Database, cadre: Int64, on date: String? = nil) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT c.id, \(refusalColumns) FROM cadre AS c \(refusalJoin("c", on: "?")) WHERE c.id = ?",
                                         arguments: [date ?? DateText.today(), date ?? DateText.today(), cadre]) else {
            throw QueryError("there is no cadre with id \(cadre)")
        }
        if let refusal = mayNotLink(cadre: cadre, row, on: date) {
            throw QueryError(refusal)
        }
    }

    /// ``checkMayLink(_:cadre:on:)`` for many rows at once: for each row of `source` (a table or
    /// subquery, as `r`) whose `cadre` expression names a cadre, the refusal of that cadre on the
    /// row's `day` expression (today, and a departure on any day, when it is NULL), by the row's `key`.
    public static func mayNotLink(_ db: Database, rowsOf source: String, key: String, cadre: String, day: String) throws -> [(key: Int64, refusal: String)] {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(key) AS row_key, \(day) AS row_day, c.id AS row_cadre, \(refusalColumns) FROM \(source) AS r
            JOIN cadre AS c ON c.id = \(cadre) \(refusalJoin("c", on: "coalesce(\(day), ?1)"))
            """, arguments: [DateText.today()])
        var refusals: [(key: Int64, refusal: String)] = []
        while let row = try rows.next() {
            if let refusal = mayNotLink(cadre: row["row_cadre"], row, on: row["row_day"]) { refusals.append((row["row_key"], refusal)) }
        }
        return refusals
    }

    /// The columns of cadre `c` (and of ``refusalJoin(_:on:)``) that ``mayNotLink(cadre:_:on:)`` words a refusal from.
    static let refusalColumns = "c.name, c.left_on, xc.category AS xc_category, xc.label AS xc_label, xc.label_en AS xc_label_en, xc.valid_from AS xc_from"

    /// The cadre's excluded category in force on `day` (DomainFilter.excludedCategoryRow), as `xc`.
    static func refusalJoin(_ c: String, on day: String) -> String {
        "LEFT JOIN excluded_category AS xc ON \(DomainFilter.excludedCategoryRow("xc", of: c, on: day))"
    }

    /// Why a cadre may not take a link on `date` (a departure on any date when nil), or nil when it
    /// may, from a row of ``refusalColumns``: the category in force that day, then the departure.
    static func mayNotLink(cadre: Int64, _ row: Row, on date: String?) -> String? {
        let name: String = row["name"]
        if let category: String = row["xc_category"] {
            let label: String = row["xc_label"], from: String = row["xc_from"]
            return "\(name) (cadre \(cadre)) is \(row["xc_label_en"] as String? ?? category) (\(label), excluded category \(category) since \(from)): cadres of an excluded category in force (`linkage rules excluded`) do not link villages or households"
        }
        if let left: String = row["left_on"], date.map({ $0 >= left }) ?? true {
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
