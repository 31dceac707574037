import LinkageModel
import LinkageReport

/// Report documents for the renderer tests, made from formulas (no randomness), so every run and
/// every renderer sees the same numbers.
enum SampleDocuments {
    /// The 16 towns of Qinzhou, then made-up ones with long names, to `count` townships.
    static func townships(_ count: Int) -> [String] {
        let real = ["玉泉镇", "太京镇", "藉口镇", "皂郊镇", "汪川镇", "牡丹镇", "关子镇", "平南镇",
                    "天水镇", "娘娘坝镇", "中梁镇", "杨家寺镇", "齐寿镇", "大门镇", "秦岭镇", "华歧镇"]
        let long = ["秦州区娘娘坝镇白家河片区联合党委", "西关街道石马坪社区居民委员会", "天水郡街道七里墩东路第二社区",
                    "牡丹镇东片区易地扶贫搬迁安置点", "藉口镇南山村民委员会(含三个自然村)"]
        return (0..<count).map { i in
            i < real.count ? real[i] : long[i % long.count] + String(i - real.count + 1)
        }
    }

    /// Everything a report can hold, at its largest: key figures of each tone, text that needs
    /// escaping, 40 townships with long names in a grouped bar chart (with a negative value) and a
    /// stacked one, a line chart of five years, a 200-row table eight columns wide with totals and
    /// rows left out, the edge cases (`edgeCases`), and notes.
    static func rich() -> Report {
        let towns = townships(40)
        let households = towns.indices.map { Double(120 + ($0 * 37) % 260) }
        let covered = households.enumerated().map { i, h in (h * Double(90 + i % 11) / 100).rounded() }
        let change = towns.indices.map { Double(($0 * 13) % 21) - 4 }
        let rows: [[SQLValue]] = (0..<200).map { i in
            let h = Int64(20 + (i * 17) % 90)
            return [.text(towns[i % towns.count]), .text("第\(i + 1)村"), .integer(h), .integer(h - Int64(i % 7)),
                    .real(Double(h - Int64(i % 7)) / Double(h)), .real(2300 + Double((i * 131) % 1700) + 0.25),
                    .integer(Int64(i % 5)), .text(i % 9 == 0 ? "走访不足 <4 次 & 天数不足" : "")]
        }
        let total = rows.reduce(into: (h: Int64(0), c: Int64(0))) { acc, row in
            if case .integer(let h) = row[2], case .integer(let c) = row[3] { acc.h += h; acc.c += c }
        }
        return Report(
            title: "联村联户覆盖与走访情况报告 <2012> & \"秦州区\"",
            subtitle: "2012 年，截至 2012-06-30 · 秦州区（620502）",
            sections: [
                ReportSection(title: "概况", blocks: [
                    .figures([
                        KeyFigure("农村特困户覆盖率", .real(0.98249), format: .percent(places: 1), note: "6,878 / 7,000 户", tone: .good),
                        KeyFigure("未联系户", .integer(122), tone: .bad),
                        KeyFigure("贫困村", .integer(214)),
                        KeyFigure("人均纯收入（元）", .real(2873.456), format: .decimal(places: 2), note: "全区平均 3,120.00"),
                        KeyFigure("一个很长很长的关键指标名称，用来检查卡片里的文字是否换行而不溢出", .integer(1_234_567)),
                    ]),
                    .text("本报告按乡镇统计联村联户的覆盖与走访情况。<script>alert('x')</script>\n第二行 & 符号。\n\n第二段：数据来自登记库。"),
                ]),
                ReportSection(title: "各乡镇覆盖情况", blocks: [
                    .chart(ReportChart(.bar, title: "各乡镇特困户与已联系户（户）", categories: towns,
                                       series: [.init("特困户", households), .init("已联系户", covered), .init("较上月增减", change)],
                                       format: .integer)),
                    .chart(ReportChart(.stackedBar, title: "各乡镇联系人构成（人）", categories: towns,
                                       series: [.init("区级领导", towns.indices.map { Double($0 % 3) }),
                                                .init("乡镇干部", towns.indices.map { Double(10 + $0 % 8) }),
                                                .init("区直部门干部", towns.indices.map { Double(5 + ($0 * 7) % 12) })],
                                       format: .integer)),
                ]),
                ReportSection(title: "历年趋势", blocks: [
                    .chart(ReportChart(.line, title: "历年覆盖率", categories: ["2012", "2013", "2014", "2015", "2016"],
                                       series: [.init("农村特困户", [0.62, 0.81, 0.93, 0.97, 0.99]),
                                                .init("城市困难居民", [0.55, 0.7, 0.88, 0.96, 1.0]),
                                                .init("贫困村", [0.9, 0.95, 1, 1, 1])],
                                       format: .percent(places: 0))),
                ]),
                ReportSection(title: "各村明细", sheetName: "明细", blocks: [
                    .table(ReportTable(title: "各村户数、联系户与走访（前 200 个村）",
                                       columns: [ReportColumn("乡镇", format: .text), ReportColumn("村", format: .text),
                                                 ReportColumn("特困户", format: .integer), ReportColumn("已联系户", format: .integer),
                                                 ReportColumn("覆盖率", format: .percent(places: 1)),
                                                 ReportColumn("人均纯收入（元）", format: .decimal(places: 2)),
                                                 ReportColumn("未达标走访", format: .integer), ReportColumn("问题", format: .text)],
                                       rows: rows,
                                       totals: [.text("合计"), .null, .integer(total.h), .integer(total.c),
                                                .real(Double(total.c) / Double(total.h)), .null, .null, .null],
                                       omitted: 14)),
                ]),
                ReportSection(title: "核查发现", sheetName: "发现", blocks: [.table(findings(60))]),
                edgeCases(),
            ],
            notes: ["覆盖率 = 已联系户 ÷ 特困户；一户有一名以上联系干部即为已联系。",
                    "走访标准：干部每年至少 2 次、合计不少于 7 天（见 docs/rules.md）。",
                    "数据为生成的样例，不是真实登记。<b>不加粗</b>"])
    }

    /// A list of findings as the checks give them, five columns of text (subject, area, expected,
    /// actual, message), as a phone reads cards: long Chinese names, resident IDs and an unbroken
    /// code longer than a phone is wide, some cells empty.
    static func findings(_ count: Int) -> ReportTable {
        let towns = townships(40)
        let messages = ["没有联系干部：该户在当日没有在任的联系干部，也未达标脱钩，请所在乡镇在 30 日内指定联系干部。",
                        "联系干部已调离（接替未办理），原联系关系已于 2012-05-31 结束。",
                        "走访不足",
                        "link:household/620502001001001-0042→cadre/620502198001011234-unit/620502-00017-district-department"]
        return ReportTable(title: "未覆盖 (the coverage check's findings)",
                           columns: ["subject", "area", "expected", "actual", "message"].map { ReportColumn($0, format: .text) },
                           rows: (0..<count).map { i in
                               [.text("户 6205021980\(String(format: "%08d", i * 7919 % 100_000_000)) 王某\(i + 1)"),
                                .text(towns[(i * 3) % towns.count] + " · 第\(i + 1)村"),
                                i % 4 == 2 ? .null : .text("≥ 1 名联系干部"), .text(i % 5 == 0 ? "0 名（2012-06-30）" : "0"),
                                .text(messages[i % messages.count])]
                           }, omitted: 7)
    }

    /// A section of what is easy to get wrong: charts with no category, one category, only zeros,
    /// 36 months along a line, a long unbroken series name; a table 14 columns wide; an empty table.
    static func edgeCases() -> ReportSection {
        let months = (0..<36).map { "\(2012 + $0 / 12)-\(String(format: "%02d", $0 % 12 + 1))" }
        return ReportSection(title: "边界情况", blocks: [
            .chart(ReportChart(.bar, title: "没有乡镇的图", categories: [], series: [.init("户", [])])),
            .chart(ReportChart(.bar, title: "只有一个乡镇", categories: ["秦州区娘娘坝镇白家河片区联合党委第一网格"], series: [.init("户", [7])])),
            .chart(ReportChart(.stackedBar, title: "全部为零", categories: ["玉泉镇", "太京镇"],
                               series: [.init("甲", [0, 0]), .init("乙", [0, 0])])),
            .chart(ReportChart(.line, title: "三十六个月的走访次数", categories: months,
                               series: [.init("走访次数（一个很长很长很长很长很长很长很长很长很长的系列名称）", months.indices.map { Double(($0 * 7) % 23) }),
                                        .init("谈心交流", months.indices.map { Double(($0 * 5) % 17) })])),
            .table(ReportTable(title: "十四列的宽表",
                               columns: [ReportColumn("乡镇", format: .text)] + (1...13).map { ReportColumn("第\($0)项指标（户）", format: .integer) },
                               rows: townships(6).map { t in [.text(t)] + (1...13).map { .integer(Int64($0 * 1_111)) } })),
            .table(ReportTable(title: "空表", columns: [ReportColumn("乡镇"), ReportColumn("户数")], rows: [])),
        ])
    }
}
