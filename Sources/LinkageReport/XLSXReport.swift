import CXlsxWriter
import Foundation
import LinkageModel
import LinkageExchange

/// A report as an XLSX workbook: a sheet per section, its blocks down the page — text in a
/// wrapped line across the columns, key figures as label and value rows, tables with a bold
/// header (the first one's frozen) and numbers kept as numbers with the number format of their
/// `ValueFormat`, charts as libxlsxwriter charts over a table of their numbers. Cells are written
/// by LinkageModel's XLSXWorkbook, as the exports write them; the same report gives the same bytes.
public enum XLSXReport {
    public static func write(_ report: Report, to path: String) throws {
        let book = try XLSXWorkbook(path: path)
        let sections = report.sections.isEmpty ? [ReportSection(title: report.title)] : report.sections
        for (i, section) in sections.enumerated() {
            let page = Page(book, try book.addSheet(section.sheetName ?? section.title))
            page.heading(section.title, report)
            for block in section.blocks { page.add(block) }
            // The notes say how the numbers are defined: once, after the last section.
            if i == sections.count - 1 { for note in report.notes { page.text(note, style: XLSXWorkbook.Style(italic: true)) } }
            page.finish()
        }
        try book.close()
    }

    /// One sheet being filled from the top: the next free row, and what can only be written once
    /// every column's width is known.
    final class Page {
        let book: XLSXWorkbook
        let sheet: XLSXWorksheet
        var row = 0
        /// Text lines, merged across the page's columns when the widths are known.
        var texts: [(row: Int, text: String, style: XLSXWorkbook.Style)] = []
        /// The row under the first table's header, unless a chart stands above it.
        var frozen: Int?
        var tableSeen = false
        var chartSeen = false
        var lastColumn = 0

        init(_ book: XLSXWorkbook, _ sheet: XLSXWorksheet) {
            self.book = book
            self.sheet = sheet
        }

        func heading(_ title: String, _ report: Report) {
            sheet.write(title, row: row, column: 0, style: XLSXWorkbook.Style(bold: true, fontSize: 14))
            row += 1
            // Each sheet says what report it is of, so a sheet printed alone still does.
            let of = [report.title, report.subtitle].compactMap { $0 }.filter { !$0.isEmpty && $0 != title }
            if !of.isEmpty {
                sheet.write(of.joined(separator: " · "), row: row, column: 0, style: XLSXWorkbook.Style(italic: true))
                row += 1
            }
            row += 1
        }

        func add(_ block: ReportBlock) {
            switch block {
            case .text(let s): text(s)
            case .figures(let figures): self.figures(figures)
            case .table(let t):
                let header = table(t)
                if !tableSeen && !chartSeen { frozen = header + 1 }
                tableSeen = true
            case .chart(let c): chart(c)
            }
        }

        func text(_ s: String, style: XLSXWorkbook.Style = .plain) {
            texts.append((row, s, style))
            row += 2
        }

        func figures(_ figures: [KeyFigure]) {
            for figure in figures {
                sheet.write(figure.label, row: row, column: 0)
                sheet.fit(figure.label, column: 0)
                sheet.write(figure.value, row: row, column: 1,
                            style: XLSXWorkbook.Style(bold: true, numberFormat: figure.format.excelNumberFormat(for: figure.value)))
                sheet.fit(ValueText.text(figure.value, figure.format), column: 1)
                if let note = figure.note {
                    sheet.write(note, row: row, column: 2, style: XLSXWorkbook.Style(italic: true))
                    sheet.fit(note, column: 2)
                }
                lastColumn = max(lastColumn, figure.note == nil ? 1 : 2)
                row += 1
            }
            row += 1
        }

        /// Writes a table from the current row; returns the row of its header.
        @discardableResult
        func table(_ t: ReportTable) -> Int {
            if let title = t.title, !title.isEmpty {
                sheet.write(title, row: row, column: 0, style: .bold)
                row += 1
            }
            let header = row
            for (c, column) in t.columns.enumerated() {
                sheet.write(column.name, row: row, column: c, style: .bold)
                sheet.fit(column.name, column: c)
            }
            lastColumn = max(lastColumn, t.columns.count - 1)
            row += 1
            func line(_ values: [SQLValue], bold: Bool) {
                for (c, (value, column)) in zip(values, t.columns).enumerated() {
                    sheet.write(value, row: row, column: c,
                                style: XLSXWorkbook.Style(bold: bold, numberFormat: column.format.excelNumberFormat(for: value)))
                    sheet.fit(ValueText.text(value, column.format), column: c)
                }
                row += 1
            }
            for values in t.rows { line(values, bold: false) }
            if let totals = t.totals { line(totals, bold: true) }
            if t.omitted > 0 {
                sheet.write("\(ValueText.text(.integer(Int64(t.omitted)), .integer)) more row\(t.omitted == 1 ? "" : "s") not shown",
                            row: row, column: 0, style: XLSXWorkbook.Style(italic: true))
                row += 1
            }
            row += 1
            return header
        }

        /// A native chart, its numbers in a table under it that its series refer to.
        func chart(_ c: ReportChart) {
            chartSeen = true
            let drawn = !c.series.isEmpty && !c.categories.isEmpty
            // Many categories read better as horizontal bars, each with room for its name.
            let horizontal = c.kind != .line && c.categories.count > 12
            let scale = horizontal ? max(1, Double(60 + 18 * c.categories.count) / 288) : 1
            let chartRow = row
            if drawn { row += Int((288 * scale / 20).rounded(.up)) + 1 }   // 288 px high, rows of 20 px
            let header = table(c.table)
            guard drawn, let workbook = book.pointer else { return }
            let type: lxw_chart_type
            switch c.kind {
            case .bar: type = horizontal ? LXW_CHART_BAR : LXW_CHART_COLUMN
            case .stackedBar: type = horizontal ? LXW_CHART_BAR_STACKED : LXW_CHART_COLUMN_STACKED
            case .line: type = LXW_CHART_LINE
            }
            guard let chart = workbook_add_chart(workbook, UInt8(type.rawValue)) else { return }
            if !c.title.isEmpty { chart_title_set_name(chart, c.title) }
            let first = lxw_row_t(header + 1), last = lxw_row_t(header + c.categories.count)
            for s in c.series.indices {
                let series = chart_add_series(chart, nil, nil)
                chart_series_set_categories(series, sheet.name, first, 0, last, 0)
                chart_series_set_values(series, sheet.name, first, lxw_col_t(s + 1), last, lxw_col_t(s + 1))
                chart_series_set_name_range(series, sheet.name, lxw_row_t(header), lxw_col_t(s + 1))
            }
            if c.series.count == 1 { chart_legend_set_position(chart, UInt8(LXW_CHART_LEGEND_NONE.rawValue)) }
            if let format = c.format.axisNumberFormat {
                chart_axis_set_num_format(horizontal ? chart.pointee.x_axis : chart.pointee.y_axis, format)
            }
            var options = lxw_chart_options()
            options.x_scale = 1
            options.y_scale = scale
            _ = worksheet_insert_chart_opt(sheet.pointer, lxw_row_t(chartRow), 0, chart, &options)
        }

        func finish() {
            sheet.applyWidths()
            let span = 0...max(lastColumn, 5)
            for t in texts { sheet.writeMerged(t.text, row: t.row, columns: span, style: t.style) }
            if let frozen { sheet.freeze(rowsAbove: frozen) }
        }
    }
}

extension ValueFormat {
    /// Excel's number format for a value shown in this format, as ValueText writes it:
    /// "#,##0", "#,##0.00", "0.0%" (the cell keeps the fraction); nil for General (text).
    func excelNumberFormat(for value: SQLValue) -> String? {
        switch (value, self) {
        case (.integer, .automatic), (.integer, .integer), (.real, .integer): return "#,##0"
        case (.real(let d), .automatic): return d == d.rounded() && abs(d) < 1e15 ? "#,##0" : "#,##0.00"
        case (.integer, _), (.real, _): return axisNumberFormat
        default: return nil
        }
    }

    /// The number format of a chart's value axis; nil lets Excel choose (automatic, text).
    var axisNumberFormat: String? {
        func places(_ n: Int) -> String { n > 0 ? "." + String(repeating: "0", count: n) : "" }
        switch self {
        case .integer: return "#,##0"
        case .decimal(let n): return "#,##0" + places(n)
        case .percent(let n): return "#,##0" + places(n) + "%"
        case .automatic, .text: return nil
        }
    }
}
