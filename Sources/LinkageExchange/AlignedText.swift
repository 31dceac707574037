import LinkageModel
extension Exporter {
    /// The rows as plain text in aligned columns for a terminal or a printer: a header, a rule,
    /// then the rows; widths by `displayWidth` (a Chinese character takes two columns), numeric
    /// columns aligned right, line breaks inside a cell shown as spaces.
    public static func aligned(_ table: ExportTable) -> String {
        func cell(_ v: SQLValue) -> String {
            let s = text(v)
            // Most cells have no line break; looking at the bytes first spares them a copy.
            guard s.utf8.contains(where: { $0 == 10 || $0 == 13 }) else { return s }
            return s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        }
        let numeric = numericColumns(table)
        // Each cell is measured once: a log of a township runs to tens of thousands of rows.
        let header = table.columns.map { ($0, $0.displayWidth) }
        let cells = table.rows.map { $0.map { v -> (String, Int) in let s = cell(v); return (s, s.displayWidth) } }
        var widths = header.map(\.1)
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.1) } }
        func line(_ values: [(String, Int)]) -> String {
            var out = ""
            for (i, (text, width)) in values.enumerated() {
                let fill = String(repeating: " ", count: widths[i] - width)
                if i > 0 { out += "  " }
                out += numeric[i] ? fill + text : text + fill
            }
            while out.last == " " { out.removeLast() }
            return out
        }
        var lines = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += cells.map(line)
        return lines.joined(separator: "\n") + "\n"
    }
}
