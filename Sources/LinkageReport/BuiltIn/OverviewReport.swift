import LinkageModel

extension BuiltInReports {
    /// One page: the headline figures of each report, under its title.
    static func overview(_ c: ReportContext) throws -> Report {
        let parts = try all.filter { $0.name != "overview" }.map { entry -> ReportSection in
            let report = try entry.make(c)
            let figures = report.sections.first?.blocks.filter { if case .figures = $0 { return true } else { return false } } ?? []
            return ReportSection(title: report.title, sheetName: entry.name, blocks: figures)
        }
        return Report(title: "联村联户 Overview", subtitle: c.subtitle, sections: parts,
                      notes: ["The headline figures of `linkage report coverage`, `visits`, `quotas`, `outcomes`, `problems` and `assessment`, each of which shows how they are counted."])
    }
}
