import LinkageModel
import LinkageReport
import XCTest

final class ValueTextTests: XCTestCase {
    func testFormats() {
        XCTAssertEqual(ValueText.text(.integer(1_234_567), .automatic), "1,234,567")
        XCTAssertEqual(ValueText.text(.integer(-1000), .integer), "-1,000")
        XCTAssertEqual(ValueText.text(.real(0.98249), .percent(places: 1)), "98.2%")
        XCTAssertEqual(ValueText.text(.integer(1), .percent(places: 0)), "100%")
        XCTAssertEqual(ValueText.text(.real(3.14159), .decimal(places: 2)), "3.14")
        XCTAssertEqual(ValueText.text(.real(1234.5), .decimal(places: 1)), "1,234.5")
        XCTAssertEqual(ValueText.text(.real(-0.001), .decimal(places: 1)), "0.0")
        XCTAssertEqual(ValueText.text(.real(2.05), .decimal(places: 2)), "2.05")
        XCTAssertEqual(ValueText.text(.real(42), .automatic), "42")
        XCTAssertEqual(ValueText.text(.text("太京镇"), .integer), "太京镇")
        XCTAssertEqual(ValueText.text(.null, .percent(places: 1)), "")
    }

    func testChartTableHasOneRowPerCategory() {
        let chart = ReportChart(.bar, title: "t", categories: ["a", "b"], series: [.init("x", [1, 2]), .init("y", [3])])
        XCTAssertEqual(chart.table.columns.map(\.name), ["", "x", "y"])
        XCTAssertEqual(chart.table.rows, [[.text("a"), .real(1), .real(3)], [.text("b"), .real(2), .null]])
    }
}
