import LinkageModel

/// A report as one self-contained HTML file: the CSS inline, each chart an inline SVG beside a
/// table of its numbers, nothing loaded from anywhere else (no fonts, scripts or images), so the
/// file can be mailed, opened offline on a phone, or printed on A4. The same report gives the same
/// bytes: no dates, no generated ids. See docs/reports.md.
public enum HTMLReport {
    public static func render(_ report: Report) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(report.title))</title>
        <style>
        \(stylesheet)</style>
        </head>
        <body>
        <main>
        <header>
        <h1>\(esc(report.title))</h1>

        """
        if let subtitle = report.subtitle { out += "<p class=\"subtitle\">\(esc(subtitle))</p>\n" }
        out += "</header>\n"
        for section in report.sections {
            out += "<section>\n<h2>\(esc(section.title))</h2>\n"
            for block in section.blocks { out += html(block) }
            out += "</section>\n"
        }
        if !report.notes.isEmpty {
            out += "<section class=\"notes\">\n<h2>说明</h2>\n<ol>\n"
            out += report.notes.map { "<li>\(lines($0))</li>\n" }.joined()
            out += "</ol>\n</section>\n"
        }
        return out + "</main>\n</body>\n</html>\n"
    }

    static let stylesheet = String(decoding: PackageResources.report_css, as: UTF8.self)

    static func html(_ block: ReportBlock) -> String {
        switch block {
        case .text(let text):
            return paragraphs(text).map { "<p>\(lines($0))</p>\n" }.joined()
        case .figures(let figures):
            return "<div class=\"figures\">\n" + figures.map(figure).joined() + "</div>\n"
        case .table(let table):
            return (table.title.map { "<h3>\(esc($0))</h3>\n" } ?? "") + html(table)
        case .chart(let chart):
            var numbers = chart.table
            numbers.title = nil  // the figure's caption says it once
            // A chart of no category says so in its picture; an empty table beside it adds nothing.
            return "<figure class=\"chart\">\n<figcaption>\(esc(chart.title))</figcaption>\n<div class=\"chart-body\">\n"
                + "<div class=\"chart-svg\">\(SVGChart.render(chart))</div>\n" + (chart.categories.isEmpty ? "" : html(numbers)) + "</div>\n</figure>\n"
        }
    }

    static func figure(_ figure: KeyFigure) -> String {
        let tone = figure.tone == .neutral ? "" : " \(figure.tone.rawValue)"
        return "<div class=\"figure\(tone)\"><div class=\"label\">\(esc(figure.label))</div>"
            + "<div class=\"value\">\(esc(ValueText.text(figure.value, figure.format)))</div>"
            + (figure.note.map { "<div class=\"note\">\(esc($0))</div>" } ?? "") + "</div>\n"
    }

    /// A table in its scroll box; numbers right-aligned, totals in a `<tfoot>` set apart. A table
    /// that reads as cards on a phone (`readsAsCards`) has the class `cards`, and each of its cells
    /// its column's name in `data-label`, which the stylesheet writes beside the value there.
    static func html(_ table: ReportTable) -> String {
        let numeric = table.numericColumns
        let cards = readsAsCards(numeric)
        let labels = table.columns.map { cards ? " data-label=\"\(esc($0.name))\"" : "" }
        func row(_ cells: [String], header: Bool = false) -> String {
            "<tr>" + cells.enumerated().map { c, text in
                (header ? "<th scope=\"col\"" : "<td" + labels[c]) + (numeric[c] ? " class=\"num\">" : ">") + esc(text) + (header ? "</th>" : "</td>")
            }.joined() + "</tr>\n"
        }
        var out = "<div class=\"table-wrap\">\n<table\(cards ? " class=\"cards\"" : "")>\n<thead>\n" + row(table.columns.map(\.name), header: true) + "</thead>\n<tbody>\n"
        out += table.rows.map { row(table.cells($0)) }.joined()
        out += "</tbody>\n"
        if let totals = table.totals { out += "<tfoot>\n" + row(table.cells(totals)) + "</tfoot>\n" }
        out += "</table>\n</div>\n"
        if table.omitted > 0 { out += "<p class=\"omitted\">另有 \(ValueText.text(.integer(Int64(table.omitted)), .integer)) 行未列出。</p>\n" }
        return out
    }

    /// Whether a table reads better as cards than as a table on a phone: its columns are mostly
    /// text (at least three, and no fewer than the columns of numbers), like a list of findings
    /// (subject, area, expected, actual, message) or of problems. Such a table squeezed to 390 px
    /// wraps every cell to a few characters a line, or scrolls its text out of sight; as cards, each
    /// row is a box with one line per cell. A table mostly of numbers stays a table, which a phone
    /// scrolls sideways with its first column held in view.
    static func readsAsCards(_ table: ReportTable) -> Bool { readsAsCards(table.numericColumns) }

    static func readsAsCards(_ numeric: [Bool]) -> Bool {
        let text = numeric.filter { !$0 }.count
        return text >= 3 && text >= numeric.count - text
    }

    /// Text split at blank lines.
    static func paragraphs(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
    }

    /// Escaped text whose line breaks stay line breaks.
    static func lines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { esc(String($0)) }.joined(separator: "<br>")
    }

    static func esc(_ s: String) -> String { MarkupEscape.escaped(s) }
}
