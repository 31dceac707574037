import GRDB
import LinkageModel

extension BuiltInReports {
    /// Problems as they stood on the day (reported by then; escalated or closed by then), with
    /// their ages; those past the deadline are the problems check's findings.
    static func problems(_ c: ReportContext) throws -> Report {
        let state = "CASE WHEN p.closed_on <= ?1 THEN 'closed' WHEN p.escalated_on <= ?1 THEN 'escalated' ELSE 'open' END"
        let age = "CAST(julianday(coalesce(CASE WHEN p.closed_on <= ?1 THEN p.closed_on END, ?1)) - julianday(p.reported_on) AS INTEGER)"
        let base = """
            SELECT p.*, \(state) AS state, \(age) AS age, a.name AS area
            FROM problem AS p
            JOIN village AS v ON v.id = coalesce(p.village_id, (SELECT village_id FROM household WHERE id = p.household_id))
            JOIN area AS a ON a.id = v.area_id
            WHERE p.reported_on <= ?1 AND \(ReportContext.inArea("v"))
            """
        let byArea = try c.table(nil, [ReportColumn("乡镇/街道", format: .text), ReportColumn("上报"), ReportColumn("未结"), ReportColumn("已上交"),
                                       ReportColumn("已办结"), ReportColumn("未结平均天数", format: .decimal(places: 0)), ReportColumn("最长天数")], """
            WITH p AS (\(base))
            SELECT area, count(*), count(CASE state WHEN 'open' THEN 1 END), count(CASE state WHEN 'escalated' THEN 1 END),
                   count(CASE state WHEN 'closed' THEN 1 END), avg(CASE WHEN state <> 'closed' THEN age END), max(CASE WHEN state <> 'closed' THEN age END)
            FROM p GROUP BY area ORDER BY area
            """)
        let buckets = [(0, 30), (31, 90), (91, 180), (181, 100_000)]
        let ages = try c.rows("""
            WITH p AS (\(base))
            SELECT \(buckets.map { "count(CASE WHEN state <> 'closed' AND age BETWEEN \($0.0) AND \($0.1) THEN 1 END)" }.joined(separator: ", ")),
                   \(buckets.map { "count(CASE WHEN state = 'closed' AND age BETWEEN \($0.0) AND \($0.1) THEN 1 END)" }.joined(separator: ", "))
            FROM p
            """).first
        let labels = ["0–30 天", "31–90 天", "91–180 天", "> 180 天"]
        let open = try c.table("未结问题 (oldest first)", [ReportColumn("编号"), ReportColumn("乡镇/街道", format: .text), ReportColumn("状态", format: .text),
                                                         ReportColumn("上报日期", format: .text), ReportColumn("天数"), ReportColumn("问题", format: .text)], """
            WITH p AS (\(base))
            SELECT id, area, state, reported_on, age, description FROM p WHERE state <> 'closed' ORDER BY age DESC, id
            """, limit: 100)
        let totals = byArea.rows.reduce(into: [Double](repeating: 0, count: 4)) { s, r in for i in 0..<4 { s[i] += r[i + 1].double } }
        let overdue = try c.findings(Checks.problems).filter { ValueText.text($0[6], .text).contains("past the deadline") }.count
        return Report(title: "问题办理 Problems", subtitle: c.subtitle, sections: [
            ReportSection(title: "Headline", sheetName: "概要", blocks: [.figures([
                KeyFigure("上报 reported", .integer(Int64(totals[0])), format: .integer),
                KeyFigure("未结 open", .integer(Int64(totals[1])), format: .integer),
                KeyFigure("已上交 escalated", .integer(Int64(totals[2])), format: .integer),
                KeyFigure("已办结 closed", .integer(Int64(totals[3])), format: .integer),
                KeyFigure("past the deadline", .integer(Int64(overdue)), format: .integer, note: "problem_deadline_days", tone: overdue == 0 ? .good : .bad),
            ])]),
            ReportSection(title: "By township and subdistrict", sheetName: "分乡镇", blocks: [.table(byArea)]),
            ReportSection(title: "Ages", sheetName: "天数", blocks: [
                .chart(ReportChart(.stackedBar, title: "problems by age (days open, or days to close)", categories: labels,
                                   series: [.init("未结", (0..<4).map { Double(ages?[$0] as Int64? ?? 0) }),
                                            .init("已办结", (0..<4).map { Double(ages?[$0 + 4] as Int64? ?? 0) })], format: .integer)),
            ]),
            ReportSection(title: "Open problems", sheetName: "未结", blocks: [.table(open)]),
        ], notes: [
            "A problem's state is as of \(c.period.asOf): closed or escalated only if that happened by then. Its age is the days from its report to the day (or to its closing).",
            "Past the deadline: the problems check's findings (problem_deadline_days in rule_setting).",
        ])
    }
}
