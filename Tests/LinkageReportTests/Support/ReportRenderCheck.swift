import Foundation
@testable import LinkageReport
import XCTest

/// One report's HTML through Chromium the way a reader meets it: laid out on a phone (390 CSS px)
/// and on a desktop (1280 px), screenshotted at both, and printed to PDF. Fails the calling test
/// for a page wider than the screen, an element spilling out of its box, a chart that is empty or
/// whose text leaves it, anything fetched from outside the file, a screenshot of the wrong width,
/// or a PDF whose pages are not A4; for a table whose text is cut off or lies outside its box, or
/// that scrolls sideways without its first column held in view, or that is printed other than as
/// a table or wider than the paper. Given the report (`check(_:name:)` with a `Report`), it also
/// holds each table to the layout `HTMLReport.readsAsCards` chose: cards on the phone that do not
/// scroll, a table on the desktop. The render tests of the built-in reports call it per report.
///
/// With `LINKAGE_RENDER_DIR=DIR` the page, its screenshots and the PDF are kept in DIR (NAME.html,
/// NAME-phone.png, NAME-desktop.png, NAME.pdf) for a person to look at; otherwise they go to a
/// temporary folder and are removed.
struct ReportRenderCheck {
    static let phoneWidth = 390
    static let desktopWidth = 1280
    /// A4 in PDF points (210 × 297 mm), as Chromium rounds it.
    static let a4 = (width: 595, height: 842)
    /// A4's width less report.css's `@page` margins (12 mm each side) in CSS pixels: 186 mm at
    /// 96 px an inch. A page that Chromium lays out wider for print is shrunk to fit the paper.
    static let a4TextWidth = 703

    struct Outcome {
        var phone: PageLayout
        var desktop: PageLayout
        var pdfPages: [(width: Int, height: Int)]
        var print: PrintLayout
    }

    var chromium: Chromium
    let folder: URL
    private let keep: Bool

    init(chromium: Chromium) throws {
        self.chromium = chromium
        if let dir = ProcessInfo.processInfo.environment["LINKAGE_RENDER_DIR"], !dir.isEmpty {
            (folder, keep) = (URL(fileURLWithPath: dir), true)
        } else {
            (folder, keep) = (FileManager.default.temporaryDirectory.appendingPathComponent("linkage-render-\(UUID().uuidString)"), false)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Checks `report` as `HTMLReport` renders it, and each of its tables laid out as
    /// `HTMLReport.readsAsCards` says: on the phone as cards that fit the screen or as a table,
    /// on the desktop as a table.
    @discardableResult
    mutating func check(_ report: Report, name: String, screenshotHeight: Int = 1600,
                        file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        let cards = Self.tables(of: report).map(HTMLReport.readsAsCards)
        let outcome = try check(HTMLReport.render(report), name: name, screenshotHeight: screenshotHeight, file: file, line: line)
        for (layout, expected, label) in [(outcome.phone, cards, "phone"), (outcome.desktop, cards.map { _ in false }, "desktop")] {
            XCTAssertEqual(layout.tables.map(\.cards), expected, "\(name) (\(label)): which tables are cards", file: file, line: line)
            for (i, table) in layout.tables.enumerated() where table.cards && table.scrolls {
                XCTFail("\(name) (\(label)): table \(i + 1), as cards, scrolls sideways", file: file, line: line)
            }
        }
        return outcome
    }

    /// The tables of `report` in the order the page shows them: each table block, and each
    /// chart's numbers (a chart of no category has none).
    static func tables(of report: Report) -> [ReportTable] {
        report.sections.flatMap(\.blocks).compactMap { block in
            switch block {
            case .table(let table): return table
            case .chart(let chart): return chart.categories.isEmpty ? nil : chart.table
            case .text, .figures: return nil
            }
        }
    }

    /// Checks `html` (named `name` in messages and file names); returns what was measured so a
    /// test can ask more of it (how many charts, …).
    @discardableResult
    mutating func check(_ html: String, name: String, screenshotHeight: Int = 1600,
                        file: StaticString = #filePath, line: UInt = #line) throws -> Outcome {
        try Data(html.utf8).write(to: folder.appendingPathComponent("\(name).html"))
        let phone = try chromium.layout(of: html, width: Self.phoneWidth)
        let desktop = try chromium.layout(of: html, width: Self.desktopWidth)
        for (layout, width, label) in [(phone, Self.phoneWidth, "phone"), (desktop, Self.desktopWidth, "desktop")] {
            XCTAssertEqual(layout.viewportWidth, width, "\(name) (\(label)): laid out at the wrong width", file: file, line: line)
            XCTAssertEqual(layout.problems, [], "\(name) (\(label), \(width) px)", file: file, line: line)
            XCTAssertTrue(layout.bodyFont.contains("Noto Sans CJK SC"), "\(name): body font is \(layout.bodyFont)", file: file, line: line)
        }
        for (width, label) in [(Self.phoneWidth, "phone"), (Self.desktopWidth, "desktop")] {
            let png = folder.appendingPathComponent("\(name)-\(label).png")
            try chromium.screenshot(of: html, width: width, height: screenshotHeight, to: png)
            let size = try RenderedFiles.pngSize(png)
            XCTAssertEqual(size?.width, width, "\(name): the \(label) screenshot's width", file: file, line: line)
            XCTAssertEqual(size?.height, screenshotHeight, "\(name): the \(label) screenshot's height", file: file, line: line)
        }
        let pdf = folder.appendingPathComponent("\(name).pdf")
        let print = try chromium.printToPDFMeasured(html, to: pdf, paperWidth: Self.a4TextWidth)
        let pages = try RenderedFiles.pdfPageSizes(pdf)
        XCTAssertFalse(pages.isEmpty, "\(name): the PDF has no pages", file: file, line: line)
        for (i, page) in pages.enumerated() where page.width != Self.a4.width || page.height != Self.a4.height {
            XCTFail("\(name): PDF page \(i + 1) is \(page.width) × \(page.height) pt, not A4", file: file, line: line)
        }
        XCTAssertEqual(print.rowDisplays.count, phone.tables.count, "\(name): the tables printed", file: file, line: line)
        XCTAssertEqual(print.rowDisplays.filter { $0 != "table-row" }, [], "\(name): on paper every table is a table", file: file, line: line)
        XCTAssertEqual(print.tooWide, [], "\(name): tables wider than A4 (\(Self.a4TextWidth) px)", file: file, line: line)
        XCTAssertEqual(print.pageWidth, Self.a4TextWidth, "\(name): laid out wider than A4 for print, so shrunk on paper", file: file, line: line)
        return Outcome(phone: phone, desktop: desktop, pdfPages: pages, print: print)
    }

    /// Removes the temporary files (kept ones stay).
    func cleanUp() {
        chromium.cleanUp()
        if !keep { try? FileManager.default.removeItem(at: folder) }
    }
}
