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
        let outcome = try check.check(HTMLReport.render(SampleDocuments.rich()), name: "rich-sample")
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
            </body></html>
            """
        let layout = try chromium.layout(of: bad, width: 390)
        XCTAssertEqual(layout.viewportWidth, 390)
        XCTAssertGreaterThan(layout.documentWidth, 390)
        XCTAssertTrue(layout.outside.contains { $0.hasPrefix("div") }, "\(layout.outside)")
        XCTAssertTrue(layout.outside.contains { $0.hasPrefix("svg text") }, "\(layout.outside)")
        XCTAssertTrue(layout.overflows.contains { $0.hasPrefix("p") }, "\(layout.overflows)")
        XCTAssertEqual(layout.resources, ["http://linkage.invalid/logo.png"], "a fetch is seen even when it fails")
    }
}
