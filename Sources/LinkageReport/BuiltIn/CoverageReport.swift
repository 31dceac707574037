import GRDB
import LinkageModel

extension BuiltInReports {
    typealias D = DomainFilter

    /// 全面覆盖 by township and subdistrict, from DomainFilter's definitions; the uncovered are
    /// the coverage check's findings. The two are read at once.
    static func coverage(_ c: ReportContext) throws -> Report {
        let linked = "EXISTS (SELECT 1 FROM link AS cl WHERE cl.household_id = h.id AND cl.cadre_id IS NOT NULL AND \(D.activeLink("cl", on: "?1")))"
        let (rows, uncovered) = try c.both({ try $0.rows("""
            SELECT a.name, CASE a.kind WHEN 'township' THEN '乡镇' ELSE '街道' END AS kind,
                   coalesce(vv.poor, 0), coalesce(vv.poor_linked, 0), coalesce(vv.comm, 0), coalesce(vv.comm_linked, 0),
                   coalesce(hh.n, 0), coalesce(hh.linked, 0), coalesce(hh.covered, 0)
            FROM area AS a
            LEFT JOIN (SELECT v.area_id,
                              count(CASE WHEN \(D.poorVillage("v")) THEN 1 END) AS poor,
                              count(CASE WHEN \(D.poorVillage("v")) AND \(D.villageCovered("v", on: "?1")) THEN 1 END) AS poor_linked,
                              count(CASE WHEN v.kind = 'community' THEN 1 END) AS comm,
                              count(CASE WHEN v.kind = 'community' AND \(D.villageCovered("v", on: "?1")) THEN 1 END) AS comm_linked
                       FROM village AS v WHERE \(ReportContext.inArea("v")) GROUP BY v.area_id) AS vv ON vv.area_id = a.id
            LEFT JOIN (SELECT v.area_id, count(*) AS n, count(CASE WHEN \(linked) THEN 1 END) AS linked,
                              count(CASE WHEN \(D.householdCovered("h", on: "?1")) THEN 1 END) AS covered
                       FROM household AS h JOIN village AS v ON v.id = h.village_id
                       WHERE \(ReportContext.inArea("v")) GROUP BY v.area_id) AS hh ON hh.area_id = a.id
            WHERE ?6 IS NULL OR a.id = ?6
            ORDER BY a.kind DESC, a.code
            """) }, { try $0.findings(Checks.coverage) })
        var table: [[SQLValue]] = []
        var sums = [Double](repeating: 0, count: 7)
        for r in rows {
            let v = (2...8).map { SQLValue(r[$0] as DatabaseValue) }
            for i in 0..<7 { sums[i] += v[i].double }
            table.append([.text(r[0]), .text(r[1]), v[0], v[1], share(v[1], v[0]), v[2], v[3], share(v[3], v[2]),
                          v[4], v[5], .integer(Int64(v[6].double - v[5].double)), .integer(Int64(v[4].double - v[6].double)), share(v[6], v[4])])
        }
        let t = sums.map { SQLValue.integer(Int64($0)) }
        let totals: [SQLValue] = [.text("合计"), .text(""), t[0], t[1], share(t[1], t[0]), t[2], t[3], share(t[3], t[2]),
                                  t[4], t[5], .integer(Int64(sums[6] - sums[5])), .integer(Int64(sums[4] - sums[6])), share(t[6], t[4])]
        let pct = ValueFormat.percent(places: 1)
        let columns = [ReportColumn("乡镇/街道", format: .text), ReportColumn("类型", format: .text),
                       ReportColumn("贫困村"), ReportColumn("已联系"), ReportColumn("村覆盖率", format: pct),
                       ReportColumn("社区"), ReportColumn("已联系"), ReportColumn("社区覆盖率", format: pct),
                       ReportColumn("贫困户"), ReportColumn("有干部联系"), ReportColumn("已达标脱钩"), ReportColumn("未覆盖"),
                       ReportColumn("户覆盖率", format: pct)]
        let list = ReportTable(title: "未覆盖 (the coverage check's findings)",
                               columns: ["subject", "area", "message"].map { ReportColumn($0, format: .text) },
                               rows: uncovered.prefix(100).map { [$0[2], $0[3], $0[6]] }, omitted: max(0, uncovered.count - 100))
        let chart = ReportChart(.stackedBar, title: "贫困户覆盖 by township and subdistrict", categories: table.map { ValueText.text($0[0], .text) },
                                series: [.init("有干部联系", table.map { $0[9].double }), .init("已达标脱钩", table.map { $0[10].double }),
                                         .init("未覆盖", table.map { $0[11].double })], format: .integer)
        return Report(title: "覆盖情况 Coverage", subtitle: c.subtitle, sections: [
            ReportSection(title: "Headline", sheetName: "概要", blocks: [.figures([
                KeyFigure("户覆盖率 households covered", totals[12], format: pct, note: "\(ValueText.text(t[4], .integer)) poor households, \(ValueText.text(totals[11], .integer)) not covered",
                          tone: sums[4] == sums[6] ? .good : .bad),
                KeyFigure("村覆盖率 poor villages linked", totals[4], format: pct, note: "\(ValueText.text(t[1], .integer)) of \(ValueText.text(t[0], .integer))",
                          tone: sums[0] == sums[1] ? .good : .bad),
                KeyFigure("社区覆盖率 communities linked", totals[7], format: pct, note: "\(ValueText.text(t[3], .integer)) of \(ValueText.text(t[2], .integer))",
                          tone: sums[2] == sums[3] ? .good : .bad),
                KeyFigure("coverage findings", .integer(Int64(uncovered.count)), format: .integer, tone: uncovered.isEmpty ? .good : .bad),
            ])]),
            ReportSection(title: "By township and subdistrict", sheetName: "分乡镇", blocks: [
                .table(ReportTable(columns: columns, rows: table, totals: totals)), .chart(chart)]),
            ReportSection(title: "Not covered", sheetName: "未覆盖",
                          blocks: [uncovered.isEmpty ? .text("None: every poor village, community and household is covered on \(c.period.asOf).") : .table(list)]),
        ], notes: [
            "A household is covered (全面覆盖) when a cadre is linked to it on the day, or it has met the target: exited (脱贫) and 两不愁三保障 all met (不脱钩). docs/rules.md.",
            "A poor village or community is covered when a unit or a leader is linked to it on the day.",
        ])
    }
}
