import GRDB
import LinkageModel

extension BuiltInReports {
    /// 联系方式 per unit, from Quota.cadreLoad and Quota.unitLoad (what the quotas check reads).
    static func quotas(_ c: ReportContext) throws -> Report {
        let letters = Quota.Category.allCases.map(\.letter)
        let over = letters.map { "h\($0) > q\($0)" }.joined(separator: " OR ")
        let under = letters.map { "h\($0) < q\($0)" }.joined(separator: " OR ")
        let rows = try c.rows("""
            WITH load AS (\(Quota.cadreLoad(on: "?1"))),
            st AS (SELECT unit_id, CASE WHEN rule IS NULL THEN 'none' WHEN \(over) THEN 'over' WHEN \(under) THEN 'under' ELSE 'on' END AS s FROM load)
            SELECT u.name, u.kind, coalesce(cs.n, 0), coalesce(cs.on_, 0), coalesce(cs.under, 0), coalesce(cs.over, 0), coalesce(cs.none, 0),
                   CASE WHEN \(Quota.unitFixed("ul")) THEN ul.quota END, ul.held
            FROM (\(Quota.unitLoad(on: "?1"))) AS ul
            JOIN unit AS u ON u.id = ul.id
            LEFT JOIN (SELECT unit_id, count(*) AS n, count(CASE s WHEN 'on' THEN 1 END) AS on_, count(CASE s WHEN 'under' THEN 1 END) AS under,
                              count(CASE s WHEN 'over' THEN 1 END) AS over, count(CASE s WHEN 'none' THEN 1 END) AS none
                       FROM st GROUP BY unit_id) AS cs ON cs.unit_id = u.id
            WHERE (?6 IS NULL OR u.area_id = ?6) AND (cs.n > 0 OR \(Quota.unitFixed("ul")))
            ORDER BY u.kind, u.name
            """)
        var table: [[SQLValue]] = []
        var sums = [Double](repeating: 0, count: 7)
        for r in rows {
            let v = (2...8).map { SQLValue(r[$0] as DatabaseValue) }
            for i in 0..<7 { sums[i] += v[i].double }
            table.append([.text(r[0]), .text(r[1]), v[0], v[1], share(v[1], v[0]), v[2], v[3], v[4], v[5], v[6]])
        }
        let t = sums.map { SQLValue.integer(Int64($0)) }
        let totals: [SQLValue] = [.text("合计"), .text(""), t[0], t[1], share(t[1], t[0]), t[2], t[3], t[4], t[5], t[6]]
        let pct = ValueFormat.percent(places: 1)
        let columns = [ReportColumn("单位", format: .text), ReportColumn("类型", format: .text), ReportColumn("干部"), ReportColumn("符合"),
                       ReportColumn("符合率", format: pct), ReportColumn("不足"), ReportColumn("超出"), ReportColumn("无规定"),
                       ReportColumn("应联系贫困村"), ReportColumn("已联系贫困村")]
        let unitsShort = table.filter { $0[8] != .null && $0[9].double < $0[8].double }.count
        // by unit kind: few bars, where one per unit would be hundreds
        var kinds: [String: [Double]] = [:]
        for row in table {
            let k = ValueText.text(row[1], .text)
            kinds[k, default: [0, 0, 0]][0] += row[3].double
            kinds[k, default: [0, 0, 0]][1] += row[5].double
            kinds[k, default: [0, 0, 0]][2] += row[6].double
        }
        let kindNames = kinds.keys.sorted()
        return Report(title: "联系方式 Quotas", subtitle: c.subtitle, sections: [
            ReportSection(title: "Headline", sheetName: "概要", blocks: [.figures([
                KeyFigure("符合率 cadres on quota", totals[4], format: pct, note: "\(ValueText.text(t[1], .integer)) of \(ValueText.text(t[0], .integer)) cadres",
                          tone: sums[0] == sums[1] ? .good : .bad),
                KeyFigure("under quota", t[2], format: .integer, tone: sums[2] == 0 ? .good : .bad),
                KeyFigure("over quota", t[3], format: .integer, tone: sums[3] == 0 ? .good : .bad),
                KeyFigure("units short of their poor villages", .integer(Int64(unitsShort)), format: .integer, tone: unitsShort == 0 ? .good : .bad),
            ])]),
            ReportSection(title: "By unit", sheetName: "分单位", blocks: [
                .table(ReportTable(columns: columns, rows: table, totals: totals)),
                .chart(ReportChart(.stackedBar, title: "cadres by unit kind", categories: kindNames,
                                   series: [.init("符合", kindNames.map { kinds[$0]![0] }), .init("不足", kindNames.map { kinds[$0]![1] }),
                                            .init("超出", kindNames.map { kinds[$0]![2] })], format: .integer)),
            ]),
        ], notes: [
            "A cadre is on quota when the poor villages, rural households, communities and urban households it links on \(c.period.asOf) equal its role's quota_rule; over when any is more, under when any is fewer. Only cadres who may hold links are counted.",
            "A unit's poor villages are its own links as a unit, against unit_quota_rule; kinds with no fixed number show none.",
        ] + (c.area != nil ? ["Limited to the units of \(c.area!.name); the district's units have no township."] : []))
    }
}
