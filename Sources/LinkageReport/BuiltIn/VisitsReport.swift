import GRDB
import LinkageModel

extension BuiltInReports {
    /// 三到 from the visits check's own measure (Checks.visitMeasures): one statement computes
    /// the measure once and sums it by unit, township, cadre and in all.
    static func visits(_ c: ReportContext) throws -> Report {
        let sums = """
            count(*) AS links, sum(met) AS met, sum(visits) AS visits, sum(nv) AS nv, round(sum(days), 1) AS days, round(sum(nd), 1) AS nd,
            sum(talks) AS talks, sum(nt) AS nt, sum(publicity) AS publicity, sum(np) AS np
            """
        let rows = try c.rows("""
            WITH m AS (\(Checks.visitMeasures)),
            mm AS MATERIALIZED (
                SELECT m.*, CASE m.actor WHEN 'cadre' THEN (SELECT unit_id FROM cadre WHERE id = m.actor_id) ELSE m.actor_id END AS unit_id,
                       CASE m.target WHEN 'household' THEN (SELECT v.area_id FROM household AS h JOIN village AS v ON v.id = h.village_id WHERE h.id = m.target_id)
                            ELSE (SELECT area_id FROM village WHERE id = m.target_id) END AS area_id
                FROM m),
            f AS (SELECT * FROM mm WHERE ?6 IS NULL OR area_id = ?6)
            SELECT 'all' AS level, NULL AS id, '' AS name, '' AS unit, \(sums) FROM f
            UNION ALL
            SELECT 'unit', f.unit_id, u.name, '', \(sums) FROM f JOIN unit AS u ON u.id = f.unit_id GROUP BY f.unit_id
            UNION ALL
            SELECT 'area', f.area_id, a.name, '', \(sums) FROM f JOIN area AS a ON a.id = f.area_id GROUP BY f.area_id
            UNION ALL
            SELECT 'cadre', f.actor_id, cd.name, u.name, \(sums) FROM f JOIN cadre AS cd ON cd.id = f.actor_id JOIN unit AS u ON u.id = cd.unit_id
            WHERE f.actor = 'cadre' GROUP BY f.actor_id
            """)
        func line(_ r: Row) -> [SQLValue] {
            let v = (4...13).map { SQLValue(r[$0] as DatabaseValue) }
            return [.text(r["name"]), v[0], v[1], share(v[1], v[0]), v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]]
        }
        let pct = ValueFormat.percent(places: 1)
        func columns(_ first: String) -> [ReportColumn] {
            [ReportColumn(first, format: .text), ReportColumn("联系"), ReportColumn("达标"), ReportColumn("达标率", format: pct),
             ReportColumn("走访"), ReportColumn("应走访"), ReportColumn("驻村天数", format: .decimal(places: 1)), ReportColumn("应驻天数", format: .decimal(places: 1)),
             ReportColumn("谈心"), ReportColumn("应谈心"), ReportColumn("宣讲"), ReportColumn("应宣讲")]
        }
        let level = { (name: String) in rows.filter { $0["level"] == name } }
        let all = level("all").first.map(line) ?? []
        let units = level("unit").map(line).sorted { ($0[3].double, ValueText.text($0[0], .text)) < ($1[3].double, ValueText.text($1[0], .text)) }
        let areas = level("area").map(line)
        let cadres = level("cadre").map { r -> [SQLValue] in var l = line(r); l.insert(.text(r["unit"]), at: 1); return l }
        // worst first: lowest compliance, then the most links short
        let worst = cadres.sorted { a, b in
            (a[4].double, -(a[2].double - a[3].double), ValueText.text(a[0], .text)) < (b[4].double, -(b[2].double - b[3].double), ValueText.text(b[0], .text))
        }
        var cadreColumns = columns("干部")
        cadreColumns.insert(ReportColumn("单位", format: .text), at: 1)
        let limit = 500
        let short = all.isEmpty ? 0 : Int(all[1].double - all[2].double)
        return Report(title: "三到 Visits", subtitle: c.subtitle + " · \(c.period.yearStart) to \(c.period.periodEnd)", sections: [
            ReportSection(title: "Headline", sheetName: "概要", blocks: [.figures([
                KeyFigure("达标率 links meeting the standard", all.isEmpty ? .null : all[3], format: pct,
                          note: all.isEmpty ? "no links" : "\(ValueText.text(all[2], .integer)) of \(ValueText.text(all[1], .integer)) links", tone: short == 0 ? .good : .bad),
                KeyFigure("links short of the standard", .integer(Int64(short)), format: .integer, tone: short == 0 ? .good : .bad),
                KeyFigure("走访 visits done / due", all.isEmpty ? .null : all[4], format: .integer, note: all.isEmpty ? nil : "due \(ValueText.text(all[5], .integer))"),
                KeyFigure("驻村天数 days", all.isEmpty ? .null : all[6], format: .decimal(places: 1), note: all.isEmpty ? nil : "due \(ValueText.text(all[7], .decimal(places: 1)))"),
            ])]),
            ReportSection(title: "By unit", sheetName: "分单位", blocks: [.table(ReportTable(columns: columns("单位"), rows: units))]),
            ReportSection(title: "By township and subdistrict", sheetName: "分乡镇", blocks: [
                .table(ReportTable(columns: columns("乡镇/街道"), rows: areas)),
                .chart(ReportChart(.bar, title: "达标率 by township and subdistrict", categories: areas.map { ValueText.text($0[0], .text) },
                                   series: [.init("达标率", areas.map { $0[3].double })], format: .percent(places: 0))),
            ]),
            ReportSection(title: "The worst twenty cadres", sheetName: "最差二十", blocks: [.table(ReportTable(columns: cadreColumns, rows: Array(worst.prefix(20))))]),
            ReportSection(title: "By cadre", sheetName: "分干部", blocks: [.table(ReportTable(columns: cadreColumns, rows: Array(cadres.prefix(limit)),
                                                                                             omitted: max(0, cadres.count - limit)))]),
        ], notes: [
            "A link meets the standard (三到) when its visits, days, talks and publicity sessions from \(c.period.yearStart) to \(c.period.periodEnd) reach visit_standard's numbers, pro-rated for the share of the year it was active (docs/rules.md); the same measure as `linkage check --only visits`.",
            "Townships are those of the linked household or village. The table by cadre lists at most \(limit); `linkage check --only visits -o FILE` lists every link that falls short.",
        ])
    }
}
