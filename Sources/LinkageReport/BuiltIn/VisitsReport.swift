import GRDB
import LinkageModel

extension BuiltInReports {
    /// 三到 from the visits check's own measure (Checks.visitMeasures), summed by unit,
    /// township, cadre and in all as it streams (VisitTally).
    static func visits(_ c: ReportContext) throws -> Report {
        let tally = try c.visitTally(area: c.area?.id)
        let all = tally.all, byUnit = tally.byUnit, byArea = tally.byArea, byCadre = tally.byCadre
        func names(_ sql: String) throws -> [Int64: Row] {
            Dictionary(try Row.fetchAll(c.db, sql: sql).map { ($0["id"] as Int64, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let unitNames = try names("SELECT id, name FROM unit"), areaNames = try names("SELECT id, name, code, kind FROM area")
        func line(_ name: String, _ s: VisitSums) -> [SQLValue] {
            return [.text(name), .integer(Int64(s.links)), .integer(Int64(s.met)), share(.real(s.met), .real(s.links)), .integer(Int64(s.visits)), .integer(Int64(s.visitsDue)),
                    .real((s.days * 10).rounded() / 10), .real((s.daysDue * 10).rounded() / 10),
                    .integer(Int64(s.talks)), .integer(Int64(s.talksDue)), .integer(Int64(s.publicity)), .integer(Int64(s.publicityDue))]
        }
        let pct = ValueFormat.percent(places: 1)
        func columns(_ first: String) -> [ReportColumn] {
            [ReportColumn(first, format: .text), ReportColumn("联系"), ReportColumn("达标"), ReportColumn("达标率", format: pct),
             ReportColumn("走访"), ReportColumn("应走访"), ReportColumn("驻村天数", format: .decimal(places: 1)), ReportColumn("应驻天数", format: .decimal(places: 1)),
             ReportColumn("谈心"), ReportColumn("应谈心"), ReportColumn("宣讲"), ReportColumn("应宣讲")]
        }
        let allLine = all.links == 0 ? [] : line("", all)
        let units = byUnit.map { line(unitNames[$0.key]?["name"] ?? "unit \($0.key)", $0.value) }
            .sorted { ($0[3].double, ValueText.text($0[0], .text)) < ($1[3].double, ValueText.text($1[0], .text)) }
        // townships before subdistricts, each by code, as in the other reports
        let areas = byArea.sorted { a, b in
            let x = areaNames[a.key], y = areaNames[b.key]
            return ((x?["kind"] as String?) ?? "", (y?["code"] as String?) ?? "") > ((y?["kind"] as String?) ?? "", (x?["code"] as String?) ?? "")
        }.map { line(areaNames[$0.key]?["name"] ?? "area \($0.key)", $0.value) }
        // Lines only for the cadres shown: the worst twenty (lowest compliance, then the most
        // links short) and the first `limit` by id; a province has hundreds of thousands.
        let limit = 500
        let worstIDs = byCadre.map { (id: $0.key, rate: $0.value.met / $0.value.links, short: $0.value.links - $0.value.met) }
            .sorted { ($0.rate, -$0.short, $0.id) < ($1.rate, -$1.short, $1.id) }.prefix(20).map(\.id)
        let firstIDs = byCadre.keys.sorted().prefix(limit)
        let shown = Set(worstIDs).union(firstIDs)
        let cadreNames = try names(shown.isEmpty ? "SELECT 1 AS id WHERE 0" : """
            SELECT c.id, c.name, u.name AS unit FROM cadre AS c JOIN unit AS u ON u.id = c.unit_id WHERE c.id IN (\(shown.map(String.init).joined(separator: ",")))
            """)
        func cadreLine(_ id: Int64) -> [SQLValue] {
            var l = line(cadreNames[id]?["name"] ?? "cadre \(id)", byCadre[id]!)
            l.insert(.text(cadreNames[id]?["unit"] ?? ""), at: 1)
            return l
        }
        let worst = worstIDs.map(cadreLine), cadres = firstIDs.map(cadreLine)
        var cadreColumns = columns("干部")
        cadreColumns.insert(ReportColumn("单位", format: .text), at: 1)
        let short = Int(all.links - all.met)
        return Report(title: "三到 Visits", subtitle: c.subtitle + " · \(c.period.yearStart) to \(c.period.periodEnd)", sections: [
            ReportSection(title: "Headline", sheetName: "概要", blocks: [.figures([
                KeyFigure("达标率 links meeting the standard", allLine.isEmpty ? .null : allLine[3], format: pct,
                          note: allLine.isEmpty ? "no links" : "\(ValueText.text(allLine[2], .integer)) of \(ValueText.text(allLine[1], .integer)) links", tone: short == 0 ? .good : .bad),
                KeyFigure("links short of the standard", .integer(Int64(short)), format: .integer, tone: short == 0 ? .good : .bad),
                KeyFigure("走访 visits done / due", allLine.isEmpty ? .null : allLine[4], format: .integer, note: allLine.isEmpty ? nil : "due \(ValueText.text(allLine[5], .integer))"),
                KeyFigure("驻村天数 days", allLine.isEmpty ? .null : allLine[6], format: .decimal(places: 1), note: allLine.isEmpty ? nil : "due \(ValueText.text(allLine[7], .decimal(places: 1)))"),
            ])]),
            ReportSection(title: "By unit", sheetName: "分单位", blocks: [.table(ReportTable(columns: columns("单位"), rows: units))]),
            ReportSection(title: "By township and subdistrict", sheetName: "分乡镇", blocks: [
                .table(ReportTable(columns: columns("乡镇/街道"), rows: areas)),
                .chart(ReportChart(.bar, title: "达标率 by township and subdistrict", categories: areas.map { ValueText.text($0[0], .text) },
                                   series: [.init("达标率", areas.map { $0[3].double })], format: .percent(places: 0))),
            ]),
            ReportSection(title: "The worst twenty cadres", sheetName: "最差二十", blocks: [.table(ReportTable(columns: cadreColumns, rows: worst))]),
            ReportSection(title: "By cadre", sheetName: "分干部", blocks: [.table(ReportTable(columns: cadreColumns, rows: cadres,
                                                                                             omitted: byCadre.count - cadres.count))]),
        ], notes: [
            "A link meets the standard (三到) when its visits, days, talks and publicity sessions from \(c.period.yearStart) to \(c.period.periodEnd) reach visit_standard's numbers, pro-rated for the share of the year it was active (docs/rules.md); the same measure as `linkage check --only visits`.",
            "Townships are those of the linked household or village. The table by cadre lists at most \(limit); `linkage check --only visits -o FILE` lists every link that falls short.",
        ])
    }
}
