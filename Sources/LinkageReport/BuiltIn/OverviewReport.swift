import GRDB
import LinkageModel

extension BuiltInReports {
    /// One page: the headline figures of each report, under its title. The reports run at once
    /// on the connections `parallel` gives (each on the same state of the register), and what
    /// two of them read (the visits measure) is read once.
    static func overview(_ c: ReportContext) throws -> Report {
        let entries = all.filter { $0.name != "overview" }
        // Longest first: the visits report's measure and the assessment's own scans at once; the
        // assessment asks for the measure (read once, shared) only when its scans are done.
        let first = ["visits", "assessment", "coverage"]
        let order = entries.sorted { (first.firstIndex(of: $0.name) ?? first.count) < (first.firstIndex(of: $1.name) ?? first.count) }
        let jobs = order.map { entry in { (db: Database) in try entry.make(c.on(db)) } }
        let made = try c.parallel.map { try $0.run(c.db, jobs) } ?? jobs.map { try $0(c.db) }
        let parts = entries.map { entry -> ReportSection in
            let report = made[order.firstIndex { $0.name == entry.name }!]
            let figures = report.sections.first?.blocks.filter { if case .figures = $0 { return true } else { return false } } ?? []
            return ReportSection(title: report.title, sheetName: entry.name, blocks: figures)
        }
        return Report(title: "联村联户 Overview", subtitle: c.subtitle, sections: parts,
                      notes: ["The headline figures of `linkage report coverage`, `visits`, `quotas`, `outcomes`, `problems` and `assessment`, each of which shows how they are counted."])
    }
}
