import Foundation
import LinkageModel
@testable import LinkageReport
import XCTest

/// Every built-in report of the sample district as HTML, through headless Chromium: laid out on a
/// phone and a desktop with nothing overflowing, each chart drawn, printed on A4 (ReportRenderCheck).
final class BuiltInRenderTests: XCTestCase {
    func testEveryBuiltInReportRendersOnAPhoneADesktopAndA4() throws {
        var check = try ReportRenderCheck(chromium: try Chromium.required())
        defer { check.cleanUp() }
        let period = try CheckPeriod(year: 2012, asOf: "2012-06-30")
        let reports = try ReportFixture.district().queue.read { db in
            try BuiltInReports.all.map { ($0.name, try BuiltInReports.make($0.name, ReportContext(db: db, period: period))) }
        }
        for (name, report) in reports {
            let charts = report.sections.flatMap(\.blocks).filter { if case .chart = $0 { return true } else { return false } }.count
            let outcome = try check.check(report, name: name)
            XCTAssertEqual(outcome.desktop.svgCount, charts, "\(name): one drawing per chart")
            XCTAssertEqual(outcome.phone.svgCount, charts, "\(name): one drawing per chart")
        }
    }
}
