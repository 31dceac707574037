import Foundation
import GRDB

/// Problems a unit or cadre cannot solve (问题上报): reported against a village or household,
/// escalated to the leadership office, followed up, and closed with a resolution. Every step
/// checks its input and the problem's state first, so a mistake is told in words rather than as
/// a bare constraint failure; each step writes one row, so a refused step writes nothing.
public enum Problems {
    /// Reports a problem and returns its id. The reporter is a cadre or a unit (`Linking.Linker`),
    /// the place a village, community or household (`Linking.Target`).
    public static func report(_ db: Database, by reporter: Linking.Linker, about target: Linking.Target,
                              on date: String, description: String) throws -> Int64 {
        _ = try DateText.check(date, field: "on")
        let text = try required(description, field: "description")
        let (reporterTable, reporterColumn, reporterID): (String, String, Int64)
        switch reporter {
        case .cadre(let id): (reporterTable, reporterColumn, reporterID) = ("cadre", "reported_by_cadre_id", id)
        case .unit(let id): (reporterTable, reporterColumn, reporterID) = ("unit", "reported_by_unit_id", id)
        }
        let (targetTable, targetID): (String, Int64)
        switch target {
        case .household(let id): (targetTable, targetID) = ("household", id)
        case .village(let id): (targetTable, targetID) = ("village", id)
        }
        try requireRow(db, reporterTable, reporterID)
        try requireRow(db, targetTable, targetID)
        try db.execute(sql: "INSERT INTO problem (\(reporterColumn), \(targetTable)_id, reported_on, description) VALUES (?, ?, ?, ?)",
                       arguments: [reporterID, targetID, date, text])
        return db.lastInsertedRowID
    }

    /// Passes an open problem up to the office (已上报协调).
    public static func escalate(_ db: Database, problem id: Int64, on date: String) throws {
        _ = try DateText.check(date, field: "date")
        let p = try state(db, id)
        switch p.status {
        case "closed": throw QueryError("problem \(id) was closed on \(p.closedOn ?? "?"); a closed problem is not escalated")
        case "escalated": throw QueryError("problem \(id) was already escalated on \(p.escalatedOn ?? "?")")
        default: break
        }
        try notBefore(p.reportedOn, "reported", date, "escalated", id)
        try db.execute(sql: "UPDATE problem SET status = 'escalated', escalated_on = ? WHERE id = ?", arguments: [date, id])
    }

    /// Records what was done or learnt (跟踪督办) and returns the follow-up's id. A follow-up falls
    /// between the report and the closing.
    public static func followUp(_ db: Database, problem id: Int64, on date: String, note: String) throws -> Int64 {
        _ = try DateText.check(date, field: "date")
        let text = try required(note, field: "note")
        let p = try state(db, id)
        try notBefore(p.reportedOn, "reported", date, "followed up", id)
        if let closed = p.closedOn, date > closed {
            throw QueryError("problem \(id) was closed on \(closed); a follow-up on \(date) comes after it")
        }
        try db.execute(sql: "INSERT INTO problem_followup (problem_id, date, note) VALUES (?, ?, ?)", arguments: [id, date, text])
        return db.lastInsertedRowID
    }

    /// Closes a problem with its resolution (已办结). A problem closes once, not before it was
    /// escalated nor before its last follow-up.
    public static func close(_ db: Database, problem id: Int64, on date: String, resolution: String) throws {
        _ = try DateText.check(date, field: "date")
        let text = try required(resolution, field: "resolution")
        let p = try state(db, id)
        if let closed = p.closedOn { throw QueryError("problem \(id) was already closed on \(closed); a problem closes once") }
        if let escalated = p.escalatedOn { try notBefore(escalated, "escalated", date, "closed", id) }
        else { try notBefore(p.reportedOn, "reported", date, "closed", id) }
        if let last = try String.fetchOne(db, sql: "SELECT max(date) FROM problem_followup WHERE problem_id = ?", arguments: [id]), date < last {
            throw QueryError("problem \(id) was followed up on \(last); it cannot close before, on \(date)")
        }
        try db.execute(sql: "UPDATE problem SET status = 'closed', closed_on = ?, resolution = ? WHERE id = ?", arguments: [date, text, id])
    }

    // MARK: checks

    private struct State {
        let status: String
        let reportedOn: String
        let escalatedOn: String?
        let closedOn: String?
    }

    private static func state(_ db: Database, _ id: Int64) throws -> State {
        guard let row = try Row.fetchOne(db, sql: "SELECT status, reported_on, escalated_on, closed_on FROM problem WHERE id = ?", arguments: [id]) else {
            throw QueryError("there is no problem with id \(id)")
        }
        return State(status: row["status"], reportedOn: row["reported_on"], escalatedOn: row["escalated_on"], closedOn: row["closed_on"])
    }

    private static func requireRow(_ db: Database, _ table: String, _ id: Int64) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE id = ?)", arguments: [id]) == true else {
            throw QueryError("there is no \(table) with id \(id)")
        }
    }

    /// Text that must say something: the schema refuses blank text, this says which field.
    private static func required(_ text: String, field: String) throws -> String {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw QueryError("\(field) is empty; say what it is")
        }
        return text
    }

    private static func notBefore(_ earlier: String, _ what: String, _ date: String, _ step: String, _ id: Int64) throws {
        guard date >= earlier else {
            throw QueryError("problem \(id) was \(what) on \(earlier); it cannot be \(step) before, on \(date)")
        }
    }
}
