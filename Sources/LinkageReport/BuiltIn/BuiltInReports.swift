import GRDB
import LinkageModel

/// The reports `linkage report NAME` writes. Every number comes from the rules engine: the
/// conditions of DomainFilter, the quotas of Quota, the visit measure and the checks' findings,
/// the assessment of Assessment; none is worked out a second way here.
public enum BuiltInReports {
    public struct Entry: Sendable {
        public let name: String
        public let title: String
        let make: @Sendable (ReportContext) throws -> Report
    }

    public static let all: [Entry] = [
        Entry(name: "overview", title: "the headline figures of every report, on one page", make: overview),
        Entry(name: "coverage", title: "villages, communities and households linked, by township and subdistrict", make: coverage),
        Entry(name: "visits", title: "visits, days, talks and sessions against the standards, by unit, township and cadre", make: visits),
        Entry(name: "quotas", title: "cadres on, under and over quota, by unit", make: quotas),
        Entry(name: "outcomes", title: "two-no-worries and three guarantees, exits, industry projects, incomes", make: outcomes),
        Entry(name: "problems", title: "problems open, escalated and closed, with their ages", make: problems),
        Entry(name: "assessment", title: "units and cadres ranked by a weighted score, to commend and to criticise", make: assessment),
    ]

    public static func named(_ name: String) throws -> Entry {
        guard let e = all.first(where: { $0.name == name }) else {
            throw QueryError("unknown report '\(name)'; the reports are \(all.map(\.name).joined(separator: ", "))")
        }
        return e
    }

    public static func make(_ name: String, _ context: ReportContext) throws -> Report {
        try named(name).make(context)
    }
}
