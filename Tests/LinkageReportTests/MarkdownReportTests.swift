import LinkageModel
import LinkageReport
import XCTest

final class MarkdownReportTests: XCTestCase {
    func testASmallReportInFull() {
        let report = Report(
            title: "覆盖情况 *2012*", subtitle: "截至 2012-06-30",
            sections: [
                ReportSection(title: "概况", blocks: [
                    .figures([KeyFigure("覆盖率", .real(0.982), format: .percent(places: 1), note: "2,273 / 2,329", tone: .good),
                              KeyFigure("未联系户", .integer(56))]),
                    .text("按乡镇统计。\n# 不是标题\n\n1. 不是列表"),
                ]),
                ReportSection(title: "乡镇", blocks: [
                    .table(ReportTable(title: "各乡镇", columns: [ReportColumn("乡镇"), ReportColumn("户数"), ReportColumn("备注")],
                                       rows: [[.text("太京镇"), .integer(1200), .text("a|b")], [.text("玉泉镇"), .integer(35), .null]],
                                       totals: [.text("合计"), .integer(1235), .null], omitted: 2)),
                    .chart(ReportChart(.line, title: "历年覆盖率", categories: ["2012", "2013"],
                                       series: [.init("农村", [0.5, 0.75]), .init("城市", [0.25])], format: .percent(places: 0))),
                ]),
            ],
            notes: ["覆盖率 = 已联系户 ÷ 特困户", "样例数据"])
        XCTAssertEqual(MarkdownReport.render(report), """
            # 覆盖情况 \\*2012\\*

            截至 2012-06-30

            ## 概况

            - 覆盖率: **98.2%** (2,273 / 2,329)
            - 未联系户: **56**

            按乡镇统计。
            \\# 不是标题

            1\\. 不是列表

            ## 乡镇

            **各乡镇**

            | 乡镇 | 户数 | 备注 |
            | --- | ---: | --- |
            | 太京镇 | 1,200 | a\\|b |
            | 玉泉镇 | 35 |  |
            | **合计** | **1,235** |  |

            另有 2 行未列出。

            **历年覆盖率**

            |  | 农村 | 城市 |
            | --- | ---: | ---: |
            | 2012 | 50% | 25% |
            | 2013 | 75% |  |

            ## 说明

            1. 覆盖率 = 已联系户 ÷ 特困户
            2. 样例数据

            """)
    }

    func testTheRichSampleHasEveryTableRowAndNoRawPipe() {
        let md = MarkdownReport.render(SampleDocuments.rich())
        // 200 rows + header + rule + totals, each chart's rows (40, 40, 5; then 0, 1, 2, 36) with its
        // two header lines, the 60 findings, the wide table's 6 rows and the empty table's header.
        let tableLines = md.split(separator: "\n").filter { $0.hasPrefix("|") }
        XCTAssertEqual(tableLines.count, 203 + 42 + 42 + 7 + 62 + 3 + 4 + 38 + 8 + 2)
        XCTAssertTrue(md.contains("**没有乡镇的图**\n\n无数据\n\n"), "a chart of no category has no table")
        XCTAssertTrue(md.contains("**各乡镇特困户与已联系户（户）**"))
        XCTAssertTrue(md.contains("\\<script>"), "an HTML tag in text is shown, not run")
    }
}
