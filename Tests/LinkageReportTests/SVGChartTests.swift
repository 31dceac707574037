import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LinkageModel
@testable import LinkageReport
import XCTest

final class SVGChartTests: XCTestCase {
    struct Bar { var x, y, width, height: Double; var fill: String }

    /// The bars of a chart, in drawing order.
    func bars(_ svg: String) -> [Bar] {
        svg.matches(of: #/<rect class="bar" x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9A-F]+)">/#).map {
            Bar(x: Double($0.1)!, y: Double($0.2)!, width: Double($0.3)!, height: Double($0.4)!, fill: String($0.5))
        }
    }

    /// The text of each `<text>` of the grid (the value axis's tick labels).
    func tickLabels(_ svg: String) -> [String] {
        guard let grid = svg.firstMatch(of: #/<g class="grid">(.*?)</g>/#) else { return [] }
        return grid.1.matches(of: #/<text[^>]*>([^<]*)</text>/#).map { String($0.1) }
    }

    func assertWellFormedXML(_ svg: String, file: StaticString = #filePath, line: UInt = #line) {
        let parser = XMLParser(data: Data(svg.utf8))
        XCTAssertTrue(parser.parse(), "not well-formed: \(String(describing: parser.parserError))", file: file, line: line)
    }

    func testBarsAreProportionalToTheirValuesAndStartAtZero() {
        let svg = SVGChart.render(ReportChart(.bar, title: "户数", categories: ["玉泉镇", "太京镇", "藉口镇"],
                                              series: [.init("户", [10, 20, 40])]))
        let b = bars(svg)
        XCTAssertEqual(b.count, 3)
        XCTAssertEqual(b[1].width / b[0].width, 2, accuracy: 0.02)
        XCTAssertEqual(b[2].width / b[0].width, 4, accuracy: 0.02)
        XCTAssertEqual(Set(b.map(\.x)).count, 1, "every bar starts at the zero line")
        XCTAssertTrue(b[0].y < b[1].y && b[1].y < b[2].y, "one row per category, top to bottom")
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.contains("role=\"img\"") && svg.contains("<title>户数</title>"))
        XCTAssertFalse(svg.contains("class=\"legend\""), "one series needs no legend")
        assertWellFormedXML(svg)
    }

    func testTicksAreRoundNumbersInTheChartsFormat() {
        let counts = SVGChart.render(ReportChart(.bar, title: "t", categories: ["a", "b"], series: [.init("x", [37, 1234])]))
        XCTAssertEqual(tickLabels(counts), ["0", "500", "1,000", "1,500"])
        let percents = SVGChart.render(ReportChart(.line, title: "t", categories: ["2012", "2013"],
                                                   series: [.init("x", [0.25, 0.98])], format: .percent(places: 0)))
        XCTAssertEqual(tickLabels(percents), ["0%", "20%", "40%", "60%", "80%", "100%"])
        let small = SVGChart.render(ReportChart(.bar, title: "t", categories: ["a"], series: [.init("x", [0.3])], format: .decimal(places: 1)))
        XCTAssertEqual(tickLabels(small), ["0.0", "0.1", "0.2", "0.3"])
        // Counts never get ticks between whole numbers.
        XCTAssertEqual(ValueAxis(low: 0, high: 2, wholeNumbers: true).ticks, [0, 1, 2])
        XCTAssertEqual(ValueAxis(low: 0, high: 2, wholeNumbers: false).ticks, [0, 0.5, 1, 1.5, 2])
    }

    func testNegativeValuesDrawLeftOfTheZeroLine() {
        let svg = SVGChart.render(ReportChart(.bar, title: "增减", categories: ["a", "b"], series: [.init("x", [-5, 10])]))
        let b = bars(svg)
        XCTAssertEqual(b[0].x + b[0].width, b[1].x, accuracy: 0.11, "the negative bar ends where the positive one starts")
        XCTAssertEqual(b[1].width / b[0].width, 2, accuracy: 0.05)
        XCTAssertEqual(tickLabels(svg), ["-5", "0", "5", "10"])
    }

    func testStackedBarsPutEachSeriesAfterTheLastAndNegativesLeftwards() {
        let svg = SVGChart.render(ReportChart(.stackedBar, title: "构成", categories: ["a", "b"],
                                              series: [.init("x", [1, 2]), .init("y", [3, -4]), .init("z", [2, 2])]))
        let b = bars(svg)
        XCTAssertEqual(b.count, 6)
        // Category a: 1, then 3, then 2, one after the other in the same row.
        XCTAssertEqual(b[1].x, b[0].x + b[0].width, accuracy: 0.11)
        XCTAssertEqual(b[2].x, b[1].x + b[1].width, accuracy: 0.11)
        XCTAssertEqual(Set(b[0..<3].map(\.y)).count, 1)
        // Category b: 2 and 2 rightwards from zero, -4 leftwards from zero.
        XCTAssertEqual(b[4].x + b[4].width, b[3].x, accuracy: 0.11)
        XCTAssertEqual(b[5].x, b[3].x + b[3].width, accuracy: 0.11)
        XCTAssertEqual(b[4].width, b[3].width * 2, accuracy: 0.11)
        XCTAssertEqual(Set(b.map(\.fill)), Set(SVGChart.palette.prefix(3)))
        XCTAssertTrue(svg.contains("class=\"legend\""))
    }

    func testGroupedBarsSitSideBySideInTheirRow() {
        let svg = SVGChart.render(ReportChart(.bar, title: "t", categories: ["a", "b"], series: [.init("x", [1, 2]), .init("y", [3, 4])]))
        let b = bars(svg)
        XCTAssertEqual(b[1].y, b[0].y + b[0].height, accuracy: 0.11)
        XCTAssertEqual(b[0].fill, SVGChart.palette[0])
        XCTAssertEqual(b[1].fill, SVGChart.palette[1])
    }

    func testEdgeCases() {
        let empty = SVGChart.render(ReportChart(.bar, title: "空", categories: [], series: [.init("x", [])]))
        XCTAssertTrue(empty.contains("无数据") && empty.contains("role=\"img\""))
        assertWellFormedXML(empty)

        let zeros = SVGChart.render(ReportChart(.bar, title: "t", categories: ["a", "b"], series: [.init("x", [0, 0])]))
        XCTAssertEqual(tickLabels(zeros), ["0", "1"])
        XCTAssertEqual(bars(zeros).map(\.width), [0, 0])

        let one = SVGChart.render(ReportChart(.line, title: "t", categories: ["2012"], series: [.init("x", [5])]))
        XCTAssertEqual(one.matches(of: #/<circle /#).count, 1)

        let missing = SVGChart.render(ReportChart(.line, title: "t", categories: ["1", "2", "3", "4"], series: [.init("x", [1, .nan, 3])]))
        let path = missing.firstMatch(of: #/<path d="([^"]*)"/#)!.1
        XCTAssertEqual(path.filter { $0 == "M" }.count, 2, "a missing value breaks the line: \(path)")
        XCTAssertEqual(missing.matches(of: #/<circle /#).count, 2)
        let allMissing = SVGChart.render(ReportChart(.line, title: "t", categories: ["1", "2"], series: [.init("x", [.nan])]))
        XCTAssertFalse(allMissing.contains("<path"), "a series with no value draws no empty path")
        XCTAssertEqual(tickLabels(allMissing), ["0", "1"])

        let towns = SampleDocuments.townships(40)
        let many = SVGChart.render(ReportChart(.bar, title: "t", categories: towns, series: [.init("x", towns.indices.map(Double.init))]))
        let few = SVGChart.render(ReportChart(.bar, title: "t", categories: Array(towns.prefix(4)), series: [.init("x", [1, 2, 3, 4])]))
        let height = { (svg: String) in Double(svg.firstMatch(of: #/height="([\d.]+)"/#)!.1)! }
        XCTAssertEqual(bars(many).count, 40)
        XCTAssertGreaterThan(height(many), height(few) * 5, "more townships make the chart taller, not the bars thinner")
        for svg in [zeros, one, missing, many] { assertWellFormedXML(svg) }
    }

    func testLongLabelsAreCutAndKeepTheirFullTextInATitle() {
        let long = "秦州区娘娘坝镇白家河片区联合党委第一网格"
        let svg = SVGChart.render(ReportChart(.bar, title: "t", categories: [long, "玉泉镇"], series: [.init("x", [1, 2])]))
        XCTAssertTrue(svg.contains("<title>\(long)</title>秦州区"), svg)
        XCTAssertTrue(svg.contains("…</text>"))
        XCTAssertTrue(svg.contains(">玉泉镇</text>"), "a short name is shown whole, with no title")
        // The cut label fits left of the bars even at a full em a character: the label column is
        // as wide as the longest shown label.
        let cut = svg.firstMatch(of: #/<text x="([\d.]+)"[^>]*text-anchor="end"><title>[^<]*</title>([^<]*)</text>/#)!
        XCTAssertLessThanOrEqual(Double(cut.2.count) * 12, Double(cut.1)!)
    }

    func testTextIsEscaped() {
        let svg = SVGChart.render(ReportChart(.line, title: "a<b>&\"c\"", categories: ["<x>", "y&z"],
                                              series: [.init("s'1", [1, 2]), .init("<s2>", [2, 1])]))
        XCTAssertFalse(svg.contains("<b>") || svg.contains("<x>") || svg.contains("<s2>") || svg.contains("y&z"))
        XCTAssertTrue(svg.contains("<title>a&lt;b&gt;&amp;&quot;c&quot;</title>"))
        XCTAssertTrue(svg.contains("s&#39;1"))
        assertWellFormedXML(svg)
    }

    func testTheSameChartGivesTheSameBytes() {
        let chart = SampleDocuments.rich().sections[1].blocks.compactMap { if case .chart(let c) = $0 { return c } else { return nil } }[0]
        XCTAssertEqual(SVGChart.render(chart), SVGChart.render(chart))
        XCTAssertFalse(SVGChart.render(chart).contains("-0,") || SVGChart.render(chart).contains("\"-0\""))
    }
}
