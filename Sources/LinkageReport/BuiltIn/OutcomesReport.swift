import GRDB
import LinkageModel

extension BuiltInReports {
    /// 三大成效: the security items (DomainFilter.securityItems) by township, exits by year, poor
    /// villages with an industry project (what the outcomes check asks), incomes.
    static func outcomes(_ c: ReportContext) throws -> Report {
        let items = D.securityItems
        let allMet = items.map { "h.\($0.column) = 1" }.joined(separator: " AND ")
        let rows = try c.rows("""
            SELECT a.name, count(h.id), \(items.map { "sum(h.\($0.column))" }.joined(separator: ", ")),
                   count(CASE WHEN \(allMet) THEN 1 END), count(CASE WHEN h.exit_year <= CAST(substr(?2, 1, 4) AS INTEGER) THEN 1 END),
                   round(avg(h.income), 0)
            FROM area AS a JOIN village AS v ON v.area_id = a.id JOIN household AS h ON h.village_id = v.id
            WHERE \(ReportContext.inArea("v"))
            GROUP BY a.id ORDER BY a.kind DESC, a.code
            """)
        let district = try c.rows("SELECT avg(h.income) FROM household AS h").first.map { SQLValue($0[0] as DatabaseValue) } ?? .null
        let pct = ValueFormat.percent(places: 1)
        var table: [[SQLValue]] = []
        var sums = [Double](repeating: 0, count: items.count + 3)
        for r in rows {
            let n = SQLValue(r[1] as DatabaseValue)
            let v = (2..<(items.count + 5)).map { SQLValue(r[$0] as DatabaseValue) }
            sums[0] += n.double
            for i in 0..<(items.count + 2) { sums[i + 1] += v[i].double }
            let income = v[items.count + 2]
            table.append([.text(r[0]), n] + v[0..<items.count].map { share($0, n) } + [share(v[items.count], n), v[items.count + 1], income, share(income, district)])
        }
        let n = SQLValue.integer(Int64(sums[0]))
        let totals: [SQLValue] = [.text("合计"), n] + (0..<items.count).map { share(.real(sums[$0 + 1]), n) }
            + [share(.real(sums[items.count + 1]), n), .integer(Int64(sums[items.count + 2])), district, .real(1)]
        let columns = [ReportColumn("乡镇/街道", format: .text), ReportColumn("贫困户")] + items.map { ReportColumn($0.name, format: pct) }
            + [ReportColumn("全部达到", format: pct), ReportColumn("已脱贫"), ReportColumn("户均收入", format: .integer), ReportColumn("比全区", format: pct)]

        let exits = try c.rows("""
            SELECT h.exit_year, count(*) FROM household AS h JOIN village AS v ON v.id = h.village_id
            WHERE h.exit_year IS NOT NULL AND h.exit_year <= CAST(substr(?1, 1, 4) AS INTEGER) AND \(ReportContext.inArea("v"))
            GROUP BY h.exit_year ORDER BY h.exit_year
            """)
        let projects = try c.rows("""
            SELECT a.name, count(*), count(CASE WHEN EXISTS (SELECT 1 FROM activity AS x WHERE x.village_id = v.id AND x.action = 'industry' AND x.date <= ?3) THEN 1 END)
            FROM village AS v JOIN area AS a ON a.id = v.area_id
            WHERE \(D.poorVillage("v")) AND \(ReportContext.inArea("v"))
            GROUP BY a.id ORDER BY a.code
            """)
        let projectRows: [[SQLValue]] = projects.map { r in
            let all = SQLValue(r[1] as DatabaseValue), with = SQLValue(r[2] as DatabaseValue)
            return [.text(r[0]), all, with, .integer(Int64(all.double - with.double)), share(with, all)]
        }
        let poor = projectRows.reduce(0) { $0 + $1[1].double }, with = projectRows.reduce(0) { $0 + $1[2].double }
        return Report(title: "三大成效 Outcomes", subtitle: c.subtitle, sections: [
            ReportSection(title: "Headline", sheetName: "概要", blocks: [.figures([
                KeyFigure("两不愁三保障 all met", totals[items.count + 2], format: pct, note: "of \(ValueText.text(n, .integer)) poor households"),
                KeyFigure("已脱贫 exited by \(c.period.year)", totals[items.count + 3], format: .integer),
                KeyFigure("poor villages with an industry project", share(.real(with), .real(poor)), format: pct,
                          note: "\(Int(with)) of \(Int(poor))", tone: with == poor ? .good : .bad),
                KeyFigure("户均收入 mean income", district, format: .integer, note: "yuan a year, the whole register"),
            ])]),
            ReportSection(title: "两不愁三保障 by township and subdistrict", sheetName: "两不愁三保障", blocks: [
                .table(ReportTable(columns: columns, rows: table, totals: totals)),
                .chart(ReportChart(.bar, title: "户均收入 against the register's mean", categories: table.map { ValueText.text($0[0], .text) },
                                   series: [.init("户均收入", table.map { $0[columns.count - 2].double }),
                                            .init("全区平均", table.map { _ in district.double })], format: .integer)),
            ]),
            ReportSection(title: "Exits (脱贫) by year", sheetName: "脱贫", blocks: [
                .chart(ReportChart(.line, title: "households exited by year", categories: exits.map { String(Int($0[0] as Int64)) },
                                   series: [.init("脱贫户", exits.map { Double($0[1] as Int64) })], format: .integer)),
            ]),
            ReportSection(title: "Industry projects in poor villages", sheetName: "产业项目", blocks: [
                .table(ReportTable(columns: [ReportColumn("乡镇", format: .text), ReportColumn("贫困村"), ReportColumn("有项目"), ReportColumn("无项目"),
                                             ReportColumn("比例", format: pct)], rows: projectRows)),
            ]),
        ], notes: [
            "Rates are of every poor household in the register (the area's, with --area). 两不愁三保障: \(items.map(\.name).joined(separator: "、")).",
            "An industry project has landed when the village has an activity of action 'industry' on or before \(c.period.periodEnd), as the outcomes check asks.",
            "比全区: the township's mean income over the mean of the whole register.",
        ])
    }
}
