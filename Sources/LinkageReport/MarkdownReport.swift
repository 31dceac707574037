import LinkageModel

/// A report as Markdown, for pasting into a message or an issue: headings, key figures as a list,
/// tables as pipe tables (numbers right-aligned, totals in bold), each chart as the table of its
/// numbers under its title, the notes last. Escapes only what would change the meaning, so the
/// text still reads where Markdown is not rendered.
public enum MarkdownReport {
    public static func render(_ report: Report) -> String {
        var parts = ["# " + inline(report.title)]
        if let subtitle = report.subtitle { parts.append(paragraph(subtitle)) }
        for section in report.sections {
            parts.append("## " + inline(section.title))
            for block in section.blocks { parts += markdown(block) }
        }
        if !report.notes.isEmpty {
            parts.append("## 说明")
            parts.append(report.notes.enumerated().map { "\($0 + 1). " + inline($1).replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n"))
        }
        return parts.joined(separator: "\n\n") + "\n"
    }

    static func markdown(_ block: ReportBlock) -> [String] {
        switch block {
        case .text(let text):
            return HTMLReport.paragraphs(text).map(paragraph)
        case .figures(let figures):
            return [figures.map { f in
                "- " + inline(f.label) + ": **" + inline(ValueText.text(f.value, f.format)) + "**"
                    + (f.note.map { " (" + inline($0) + ")" } ?? "")
            }.joined(separator: "\n")]
        case .table(let table):
            return markdown(table)
        case .chart(let chart):
            return chart.categories.isEmpty ? ["**" + inline(chart.title) + "**", "无数据"] : markdown(chart.table)
        }
    }

    static func markdown(_ table: ReportTable) -> [String] {
        var parts: [String] = []
        if let title = table.title { parts.append("**" + inline(title) + "**") }
        guard !table.columns.isEmpty else { return parts }
        let numeric = table.numericColumns
        func row(_ cells: [String], bold: Bool = false) -> String {
            "| " + cells.map { text in
                let c = cell(text)
                return bold && !c.isEmpty ? "**" + c + "**" : c
            }.joined(separator: " | ") + " |"
        }
        var lines = [row(table.columns.map(\.name)), "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined()]
        lines += table.rows.map { row(table.cells($0)) }
        if let totals = table.totals { lines.append(row(table.cells(totals), bold: true)) }
        parts.append(lines.joined(separator: "\n"))
        if table.omitted > 0 { parts.append("另有 \(ValueText.text(.integer(Int64(table.omitted)), .integer)) 行未列出。") }
        return parts
    }

    /// Text inside a line: the characters that would start emphasis, code, a link or an HTML tag
    /// get a backslash.
    static func inline(_ s: String) -> String {
        guard s.contains(where: { "\\`*_[]<".contains($0) }) else { return s }
        var out = ""
        for c in s {
            if "\\`*_[]<".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// A table cell: also `|`, and line breaks as spaces (a row is one line).
    static func cell(_ s: String) -> String {
        inline(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// A paragraph whose lines cannot be taken for a heading, quote, list item or rule.
    static func paragraph(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let s = inline(String(line))
            let indent = s.prefix(while: { $0 == " " })
            let rest = s.dropFirst(indent.count)
            if let first = rest.first, "#>-+=".contains(first) { return indent + "\\" + rest }
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            if !digits.isEmpty, let after = rest.dropFirst(digits.count).first, ".)".contains(after) {
                return indent + digits + "\\" + rest.dropFirst(digits.count)
            }
            return s
        }.joined(separator: "\n")
    }
}
