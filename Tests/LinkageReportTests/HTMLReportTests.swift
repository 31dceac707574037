import LinkageModel
@testable import LinkageReport
import XCTest

final class HTMLReportTests: XCTestCase {
    func testTheFileIsSelfContained() {
        let html = HTMLReport.render(SampleDocuments.rich())
        // The SVG namespace is a name, not an address anything is loaded from.
        let rest = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        for outside in ["http://", "https://", "//", "src=", "href=", "<link", "<script", "<img", "<iframe", "@import", "url(", "@font-face"] {
            XCTAssertFalse(rest.contains(outside), "the report holds \(outside)")
        }
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"))
        XCTAssertTrue(html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        XCTAssertTrue(html.contains("<style>") && html.contains("@page { size: A4;") && html.contains("\"Noto Sans CJK SC\""))
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 7)
    }

    func testTextIsEscapedEverywhere() {
        let report = Report(title: "<script>alert(1)</script>", subtitle: "a & b",
                            sections: [ReportSection(title: "<h2>", blocks: [
                                .text("<b>x</b>\n\"y\""),
                                .figures([KeyFigure("<i>", .text("<u>"), note: "'n'")]),
                                .table(ReportTable(title: "<t>", columns: [ReportColumn("<c>")], rows: [[.text("<cell>")]], totals: [.text("<tf>")])),
                                .chart(ReportChart(.bar, title: "<ch>", categories: ["<k>"], series: [.init("<s>", [1])])),
                            ])],
                            notes: ["<note>"])
        let html = HTMLReport.render(report)
        let body = html[html.range(of: "<body>")!.upperBound...]
        for raw in ["<script>", "<b>", "<i>", "<u>", "<t>", "<c>", "<cell>", "<tf>", "<ch>", "<k>", "<s>", "<note>", "a & b", "\"y\"", "'n'"] {
            XCTAssertFalse(body.contains(raw), "\(raw) is not escaped")
        }
        XCTAssertTrue(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>"))
        XCTAssertTrue(body.contains("<p>&lt;b&gt;x&lt;/b&gt;<br>&quot;y&quot;</p>"))
        XCTAssertTrue(body.contains("<td>&lt;cell&gt;</td>") && body.contains("<li>&lt;note&gt;</li>"))
        // Control characters (not allowed in XML, so not in an SVG saved alone) are dropped.
        XCTAssertEqual(MarkupEscape.escaped("a\u{1}b\tc\u{1B}"), "ab\tc")
    }

    /// A table mostly of text is marked to read as cards on a phone: the class on the table and
    /// each cell's column name in `data-label`, escaped like any text; its header row stays, for
    /// the desktop and paper, and a table mostly of numbers has neither.
    func testATableOfTextCarriesItsColumnNamesForCards() {
        // 编号 is text here (its totals cell is), so four of the five columns are.
        let findings = ReportTable(columns: [ReportColumn("编号"), ReportColumn("subject", format: .text), ReportColumn("\"area\" <乡镇>", format: .text),
                                             ReportColumn("天数", format: .integer), ReportColumn("message", format: .text)],
                                   rows: [[.integer(200), .text("户 620502198001011234"), .text("平南镇"), .integer(132), .null]],
                                   totals: [.text("合计"), .null, .null, .integer(132), .null])
        XCTAssertEqual(HTMLReport.html(findings), """
            <div class="table-wrap">
            <table class="cards">
            <thead>
            <tr><th scope="col">编号</th><th scope="col">subject</th><th scope="col">&quot;area&quot; &lt;乡镇&gt;</th><th scope="col" class="num">天数</th><th scope="col">message</th></tr>
            </thead>
            <tbody>
            <tr><td data-label="编号">200</td><td data-label="subject">户 620502198001011234</td><td data-label="&quot;area&quot; &lt;乡镇&gt;">平南镇</td><td data-label="天数" class="num">132</td><td data-label="message"></td></tr>
            </tbody>
            <tfoot>
            <tr><td data-label="编号">合计</td><td data-label="subject"></td><td data-label="&quot;area&quot; &lt;乡镇&gt;"></td><td data-label="天数" class="num">132</td><td data-label="message"></td></tr>
            </tfoot>
            </table>
            </div>

            """)
        // The rich sample: its findings are cards, its 200 villages (three columns of text, five of
        // numbers), the wide table and the charts' numbers are tables.
        let html = HTMLReport.render(SampleDocuments.rich())
        XCTAssertEqual(html.components(separatedBy: "<table class=\"cards\">").count - 1, 1)
        XCTAssertEqual(html.components(separatedBy: "<td data-label=\"message\">").count - 1, 60)
        XCTAssertEqual(html.components(separatedBy: "data-label=").count - 1, 60 * 5)
    }

    /// Cards for at least three columns of text that are no fewer than the columns of numbers.
    func testWhichTablesReadAsCards() {
        func table(_ kinds: String) -> ReportTable {
            ReportTable(columns: kinds.map { ReportColumn(String($0), format: $0 == "t" ? .text : .integer) }, rows: [])
        }
        for (kinds, cards) in [("ttt", true), ("tnttt", true), ("ntntnt", true), ("tttnnnn", false), ("tt", false), ("tn", false),
                               ("n", false), ("", false), ("ttnnnnnnnnn", false)] {
            XCTAssertEqual(HTMLReport.readsAsCards(table(kinds)), cards, kinds)
        }
        // A column formatted automatically counts as numbers when its values are numbers.
        let auto = ReportTable(columns: ["a", "b", "c", "d"].map { ReportColumn($0) },
                               rows: [[.text("x"), .text("y"), .integer(1), .real(2)]])
        XCTAssertFalse(HTMLReport.readsAsCards(auto))
    }

    func testTheSameDocumentGivesTheSameBytes() {
        XCTAssertEqual(HTMLReport.render(SampleDocuments.rich()), HTMLReport.render(SampleDocuments.rich()))
    }

    func testBlocksBecomeCardsTablesAndChartsBesideTheirNumbers() {
        let report = Report(title: "报告", sections: [ReportSection(title: "概况", blocks: [
            .figures([KeyFigure("覆盖率", .real(0.982), format: .percent(places: 1), note: "2,273 / 2,329", tone: .good),
                      KeyFigure("未联系", .integer(56), tone: .bad)]),
            .table(ReportTable(columns: [ReportColumn("乡镇"), ReportColumn("户数")],
                               rows: [[.text("太京镇"), .integer(1200)], [.text("玉泉镇"), .null]],
                               totals: [.text("合计"), .integer(1200)], omitted: 3)),
            .chart(ReportChart(.line, title: "历年", categories: ["2012"], series: [.init("户", [1])])),
        ])], notes: ["口径说明"])
        let html = HTMLReport.render(report)
        XCTAssertTrue(html.contains("<div class=\"figure good\"><div class=\"label\">覆盖率</div><div class=\"value\">98.2%</div><div class=\"note\">2,273 / 2,329</div></div>"))
        XCTAssertTrue(html.contains("<div class=\"figure bad\">"))
        XCTAssertTrue(html.contains("""
            <div class="table-wrap">
            <table>
            <thead>
            <tr><th scope="col">乡镇</th><th scope="col" class="num">户数</th></tr>
            </thead>
            <tbody>
            <tr><td>太京镇</td><td class="num">1,200</td></tr>
            <tr><td>玉泉镇</td><td class="num"></td></tr>
            </tbody>
            <tfoot>
            <tr><td>合计</td><td class="num">1,200</td></tr>
            </tfoot>
            </table>
            </div>
            <p class="omitted">另有 3 行未列出。</p>
            """), html)
        let figure = html[html.range(of: "<figure class=\"chart\">")!.lowerBound...]
        XCTAssertTrue(figure.hasPrefix("<figure class=\"chart\">\n<figcaption>历年</figcaption>\n<div class=\"chart-body\">\n<div class=\"chart-svg\"><svg "))
        XCTAssertTrue(figure.contains("</svg></div>\n<div class=\"table-wrap\">\n<table>\n<thead>\n<tr><th scope=\"col\"></th><th scope=\"col\" class=\"num\">户</th></tr>"))
        // The notes come last, after every section.
        XCTAssertTrue(html.hasSuffix("<section class=\"notes\">\n<h2>说明</h2>\n<ol>\n<li>口径说明</li>\n</ol>\n</section>\n</main>\n</body>\n</html>\n"))
    }
}
