import Foundation
import GRDB
import LinkageModel

/// Row rules: the rules that look across the fields of one row.
extension ImportValidator {
    // MARK: rules across fields

    /// The rules that look across fields, on a row's values (the file's, or the register's row
    /// with the file's changes).
    func checkRules(_ v: [String: SQLValue], columns: [String: String], mayLink: Bool = true, fail: (String, String, String?) -> Void) {
        switch kind {
        case .households:
            let causes = ["main_cause", "other_cause_1", "other_cause_2"].compactMap { c -> (String, String)? in
                if case .text(let s)? = v[c] { return (c, s) }; return nil
            }
            var seen: [String: String] = [:]
            for (c, s) in causes {
                if let first = seen[s] { fail(c, "\(label(c)) '\(s)' repeats \(label(first))", "give each cause once, or leave it empty") }
                else { seen[s] = c }
            }
            if v["other_cause_2"] != nil && v["other_cause_1"] == nil {
                fail("other_cause_2", "\(label("other_cause_2")) is given but \(label("other_cause_1")) is empty", "fill other_cause_1 first")
            }
            if case .integer(let m)? = v["members"], m <= 0 { fail("members", "\(label("members")) is \(m)", "a household has at least one member") }
            if case .real(let i)? = v["income"], i < 0 { fail("income", "\(label("income")) is negative", "write the per-capita income in yuan, 0 or more") }
        case .cadres:
            if (v["role"] == nil) == (v["excluded"] == nil) {
                fail(v["role"] == nil ? "role" : "excluded",
                     v["role"] == nil ? "the cadre has neither a role nor an excluded category" : "the cadre has both a role and an excluded category",
                     "give exactly one: a role (principal_leader … department_other) for a cadre who links, or 不联户类别 (\(excludedCategories)) for one who does not")
            }
        case .links:
            if case .text(let start)? = v["start_date"], case .text(let end)? = v["end_date"], end < start {
                fail("end_date", "the link ends on \(end), before it starts on \(start)", "an end date is on or after the start date")
            }
            if (v["end_date"] == nil) != (v["end_reason"] == nil) {
                fail(v["end_date"] == nil ? "end_date" : "end_reason",
                     v["end_date"] == nil ? "an end reason is given but no end date" : "the link ends but no end reason is given",
                     "an ended link has both 结束日期 and 结束原因 (调离, 疾病, 退休, 脱贫, 其他); an active link has neither")
            }
            if v["successor_cadre_id"] != nil && v["end_date"] == nil {
                fail("successor", "a successor is named for a link that has not ended", "give the end date and reason, or leave the successor empty")
            }
            if v["unit_id"] != nil && v["household_id"] != nil {
                fail("household", "a unit links villages and communities; households are linked by cadres", "name the cadre who links the household")
            }
            if mayLink { checkMayLink(v, columns: columns, fail: fail) }
        case .visits:
            if case .real(let d)? = v["days"], d <= 0 { fail("days", "\(label("days")) is \(d)", "a visit lasts more than 0 days, such as 1 or 0.5") }
        default: break
        }
    }
}

extension ImportValidator {
    /// An open link's cadre may link on its start date (``Linking/checkMayLink(_:cadre:on:)``).
    func checkMayLink(_ v: [String: SQLValue], columns: [String: String], fail: (String, String, String?) -> Void) {
        guard case .integer(let c)? = v["cadre_id"], v["end_date"] == nil else { return }
        do { try Linking.checkMayLink(db, cadre: c, on: { if case .text(let s)? = v["start_date"] { return s }; return nil }()) }
        catch { fail(mayLinkField(columns), "\(error)", Self.mayLinkHint) }
    }

    /// The field a refusal of the cadre is about: the column that named the cadre.
    func mayLinkField(_ columns: [String: String]) -> String { columns["cadre"] == nil ? "cadre_resident_id" : "cadre" }
    static let mayLinkHint = "name another cadre"

    /// The excluded categories the register has (excluded_category), for a hint.
    var excludedCategories: String {
        (schema["cadre"]?["excluded"]?.allowed ?? []).compactMap { if case .text(let s) = $0 { return s } else { return nil } }.joined(separator: ", ")
    }
}
