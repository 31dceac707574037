import GRDB
import LinkageModel

extension BuiltInReports {
    /// 考核: Assessment's scores of units and cadres, with the weights in force shown, the
    /// commended and the criticised (with their deadline).
    static func assessment(_ c: ReportContext) throws -> Report {
        try Assessment.requireRules(c.db, c.period)
        let rules = try Assessment.rules(c.db, c.period)
        let pct = ValueFormat.percent(places: 0)
        func line(_ r: Assessment.Line) -> [SQLValue] {
            func value(_ x: Double?) -> SQLValue { x.map { .real($0) } ?? .null }
            return [.integer(Int64(r.rank)), .text(r.name)] + (r.kind == "cadre" ? [.text(r.unit)] : [])
                + [r.coverage, r.quota, r.visits, r.outcomes, r.satisfaction, r.score].map(value)
                + [.text(r.verdict), r.deadline.map { .text($0) } ?? .null]
        }
        func columns(_ cadre: Bool) -> [ReportColumn] {
            [ReportColumn("名次"), ReportColumn(cadre ? "干部" : "单位", format: .text)] + (cadre ? [ReportColumn("单位", format: .text)] : [])
                + [ReportColumn("覆盖", format: pct), ReportColumn("联系方式", format: pct), ReportColumn("三到", format: pct), ReportColumn("成效", format: pct),
                   ReportColumn("满意度", format: .decimal(places: 0)), ReportColumn("得分", format: .decimal(places: 1)),
                   ReportColumn("结论", format: .text), ReportColumn("整改期限", format: .text)]
        }
        let weights: [(String, String)] = [("weight_coverage", "覆盖 coverage"), ("weight_quota", "联系方式 quota"), ("weight_visits", "三到 visits"),
                                           ("weight_outcomes", "成效 outcomes"), ("weight_satisfaction", "满意度 satisfaction")]
        let ruleTable = ReportTable(title: "weights and thresholds in force (assessment_rule)", columns: [ReportColumn("item", format: .text), ReportColumn("value")],
                                    rows: weights.map { [.text($0.1), .real(rules[$0.0] ?? 0)] } + [
                                        [.text("pass_score 合格分"), .real(rules["pass_score"] ?? 0)],
                                        [.text("satisfaction_floor 满意度底线"), .real(rules["satisfaction_floor"] ?? 0)],
                                        [.text("commend_share 表彰比例"), .real(rules["commend_share"] ?? 0)],
                                        [.text("deadline_days 整改天数"), .real(rules["deadline_days"] ?? 0)]])
        // Only the lines shown are kept: a province has hundreds of thousands of cadres.
        let limit = 500
        struct Kind {
            var scored = 0, bands = [Double](repeating: 0, count: 10)
            var all: [[SQLValue]] = [], commend: [[SQLValue]] = [], criticise: [[SQLValue]] = []
            var commended = 0, criticised = 0
        }
        var kinds = ["unit": Kind(), "cadre": Kind()]
        // Alone, the assessment reads the visits measure beside its other scans; within the
        // overview (no connections of its own) it shares the visits report's tally.
        try Assessment.score(c.db, c.period, visits: c.parallel == nil ? { try c.visitTally(area: nil) } : nil, parallel: c.parallel) { r in
            if let only = c.area?.id, r.unitArea != only { return }
            var k = kinds[r.kind]!
            k.scored += 1
            k.bands[min(9, max(0, Int(r.score / 10)))] += 1
            if k.all.count < limit { k.all.append(line(r)) }
            if r.verdict == "commend" { k.commended += 1; if k.commend.count < limit { k.commend.append(line(r)) } }
            if r.verdict == "criticise" { k.criticised += 1; if k.criticise.count < limit { k.criticise.append(line(r)) } }
            kinds[r.kind] = k
        }
        let units = kinds["unit"]!, cadres = kinds["cadre"]!
        let bands = stride(from: 0, to: 100, by: 10).map { $0 }
        let commend = units.commended + cadres.commended
        let criticise = units.criticised + cadres.criticised
        return Report(title: "考核 Assessment", subtitle: c.subtitle, sections: [
            ReportSection(title: "Headline", sheetName: "概要", blocks: [
                .figures([
                    KeyFigure("units scored", .integer(Int64(units.scored)), format: .integer),
                    KeyFigure("cadres scored", .integer(Int64(cadres.scored)), format: .integer),
                    KeyFigure("表彰 to commend", .integer(Int64(commend)), format: .integer, tone: .good),
                    KeyFigure("批评 to criticise", .integer(Int64(criticise)), format: .integer, note: "deadline \(rules["deadline_days"].map { Int($0) } ?? 0) days", tone: criticise == 0 ? .good : .bad),
                ]),
                .table(ruleTable),
            ]),
            ReportSection(title: "Units", sheetName: "单位", blocks: [
                .table(ReportTable(columns: columns(false), rows: units.all, omitted: units.scored - units.all.count)),
                .chart(ReportChart(.bar, title: "scores of units and cadres (count by band of 10)", categories: bands.map { $0 == 90 ? "90–100" : "\($0)–\($0 + 9)" },
                                   series: [.init("单位", units.bands), .init("干部", cadres.bands)], format: .integer)),
            ]),
            ReportSection(title: "To commend and to criticise", sheetName: "表彰与批评", blocks: [
                .table(ReportTable(title: "表彰 units", columns: columns(false), rows: units.commend, omitted: units.commended - units.commend.count)),
                .table(ReportTable(title: "批评 units, with the deadline to put it right", columns: columns(false), rows: units.criticise,
                                   omitted: units.criticised - units.criticise.count)),
                .table(ReportTable(title: "表彰 cadres", columns: columns(true), rows: cadres.commend, omitted: cadres.commended - cadres.commend.count)),
                .table(ReportTable(title: "批评 cadres, with the deadline to put it right", columns: columns(true), rows: cadres.criticise,
                                   omitted: cadres.criticised - cadres.criticise.count)),
            ]),
            ReportSection(title: "Cadres", sheetName: "干部", blocks: [
                .table(ReportTable(columns: columns(true), rows: cadres.all, omitted: cadres.scored - cadres.all.count)),
            ]),
        ], notes: [
            "Each part is a share from 0 to 1: coverage, the share of the quota held; quota, Σ min(held, quota) / Σ max(held, quota), so linking more than the quota costs as much as fewer; visits, the share of links meeting the pro-rated standard (the visits check's measure); outcomes, the share of linked households with 两不愁三保障 all met; satisfaction, the mean survey score of linked households in \(c.period.year).",
            "Score = 100 × Σ weight × part / Σ weight, over the parts that have something to measure. Criticised: a score under pass_score or satisfaction under satisfaction_floor, with a deadline deadline_days after \(c.period.asOf). Commended: the best commend_share of each kind not criticised. docs/reports.md.",
        ])
    }
}
