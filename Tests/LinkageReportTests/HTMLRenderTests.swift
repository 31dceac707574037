import Foundation
import LinkageModel
import LinkageReport
import XCTest

/// The HTML report as Chromium draws it (see Support/ReportRenderCheck.swift): the rich sample on a
/// phone, on a desktop and on A4 paper.
final class HTMLRenderTests: XCTestCase {
    func testTheRichSampleLaysOutOnAPhoneADesktopAndA4() throws {
        var check = try ReportRenderCheck(chromium: try Chromium.required())
        defer { check.cleanUp() }
        let started = Date()
        let outcome = try check.check(SampleDocuments.rich(), name: "rich-sample")
        let seconds = Date().timeIntervalSince(started)

        for layout in [outcome.phone, outcome.desktop] { XCTAssertEqual(layout.svgCount, 7) }
        XCTAssertEqual(outcome.phone.chartsBesideTables, Array(repeating: false, count: 6), "on a phone each table stands under its chart")
        // Beside it on a desktop, but for the 36 months' table, whose long series name makes it too
        // wide; the chart of no category has no table.
        XCTAssertEqual(outcome.desktop.chartsBesideTables, [true, true, true, true, true, false])
        // 200 rows, three charts of up to 40 rows: several pages, and not absurdly many.
        XCTAssertTrue((4...30).contains(outcome.pdfPages.count), "\(outcome.pdfPages.count) pages")
        print("render: " + check.chromium.runs.map { "\($0.what) \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: ", ")
              + String(format: "; %.1f s in all", seconds))
        XCTAssertLessThan(seconds, 60, "the render check should take well under a minute")
    }

    /// The probe itself: a page that overflows and fetches is caught, so a clean result means something.
    func testTheProbeFindsAPageThatOverflows() throws {
        var chromium = try Chromium.required()
        defer { chromium.cleanUp() }
        let bad = """
            <!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
            <div style="width:600px">太宽的盒子</div><p style="width:100px;white-space:nowrap">一行很长很长很长很长很长的文字</p>
            <svg width="100" height="40"><rect width="10" height="10"/><text x="60" y="20">超出图表的文字</text></svg>
            <img src="http://linkage.invalid/logo.png" alt="">
            <div class="table-wrap" style="overflow-x:auto"><table><tbody><tr><td>乡镇</td>
            <td style="white-space:nowrap">\(String(repeating: "很长的数字列", count: 20))</td></tr></tbody></table></div>
            <div class="table-wrap"><table style="display:block"><tbody style="display:block"><tr style="display:block">
            <td style="display:block;white-space:nowrap;overflow:hidden">\(String(repeating: "被截断的文字", count: 20))</td></tr></tbody></table></div>
            </body></html>
            """
        let layout = try chromium.layout(of: bad, width: 390)
        XCTAssertEqual(layout.viewportWidth, 390)
        XCTAssertGreaterThan(layout.documentWidth, 390)
        XCTAssertTrue(layout.outside.contains { $0.hasPrefix("div") }, "\(layout.outside)")
        XCTAssertTrue(layout.outside.contains { $0.hasPrefix("svg text") }, "\(layout.outside)")
        XCTAssertTrue(layout.overflows.contains { $0.hasPrefix("p") }, "\(layout.overflows)")
        XCTAssertEqual(layout.resources, ["http://linkage.invalid/logo.png"], "a fetch is seen even when it fails")
        // A table that scrolls its first column away, and a card whose text is cut off.
        XCTAssertEqual(layout.tables.map(\.cards), [false, true])
        XCTAssertEqual(layout.tables.map(\.scrolls), [true, false])
        XCTAssertEqual(layout.tables[0].firstColumnStays, false)
        XCTAssertNil(layout.tables[1].firstColumnStays)
        XCTAssertTrue(layout.tables[1].clipped.contains { $0.hasPrefix("td \"被截断的文字") }, "\(layout.tables[1].clipped)")
        XCTAssertTrue(layout.problems.contains("table 1 scrolls its first column out of view"), "\(layout.problems)")
    }

    /// The print probe: a table made cards on paper, and one wider than A4, are seen; the page is
    /// laid out wider for it, and a table of one short cell is a table that fits.
    func testThePrintProbeSeesCardsAndWideTablesOnPaper() throws {
        var chromium = try Chromium.required()
        defer { chromium.cleanUp() }
        let page = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>纸</title>
            <style>@page { size: A4; margin: 14mm 12mm 16mm; } body { margin: 0 } @media print { .cards tr { display: block } }</style></head><body>
            <div class="table-wrap"><table class="cards"><tbody><tr><td>卡片</td></tr></tbody></table></div>
            <div class="table-wrap"><table><tbody><tr><td style="min-width:900px">太宽</td></tr></tbody></table></div>
            <div class="table-wrap"><table><tbody><tr><td>表格</td></tr></tbody></table></div>
            </body></html>
            """
        let pdf = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-print-probe-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: pdf) }
        let print = try chromium.printToPDFMeasured(page, to: pdf, paperWidth: ReportRenderCheck.a4TextWidth)
        XCTAssertEqual(print.rowDisplays, ["block", "table-row", "table-row"])
        XCTAssertEqual(print.tooWide, [1])
        XCTAssertGreaterThan(print.pageWidth, ReportRenderCheck.a4TextWidth)
    }
}
