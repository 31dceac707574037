import Foundation
import LinkageModel

/// Writes rows as they are read, as CSV, JSON or Markdown, to a sink in 64 KB pieces: an export
/// holds one row at a time, whatever the row count (Markdown: at most its first
/// ``alignmentWindow`` rows, to align its number columns). `Exporter.csv`, `.json` and `.markdown`
/// write whole tables through it, so streaming and whole-table output are the same bytes.
///
/// Cells are written as bytes: a row straight from SQLite (``write(raw:)``) makes no Swift value
/// at all, which is what keeps a province's export near the sqlite3 shell's speed.
public final class RowWriter: RowSink {
    /// `text`: columns aligned for a terminal, padded by display width (a Chinese character takes
    /// two), cells cut at `maxCell` columns with "…"; the widths are those of the first `window`
    /// rows (later cells wider than their column are cut to it).
    public enum Format: Sendable { case csv(bom: Bool, rawCells: Bool), json, markdown, text(maxCell: Int, window: Int) }

    /// Markdown aligns a column right when it holds numbers only, and a text table sizes its
    /// columns; each decides on the first this many rows (all of a smaller table), held until then.
    public static let alignmentWindow = 1_000

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private let format: Format
    private let columns: [String]
    private let sink: (Data) throws -> Void
    private let mask: Bool
    private var buffer: [UInt8] = []
    public private(set) var rows = 0
    /// Markdown and text: the rows held until the alignment is decided (nil once it is).
    private var held: [[SQLValue]]? = []
    /// Text: the width of each column, once decided.
    private var widths: [Int] = []
    /// JSON: each column's key as written before its value (`"name": `).
    private var jsonKeys: [[UInt8]] = []

    /// `mask`: resident IDs and mobile numbers in text masked (Privacy.mask), as linkage prints them.
    public init(_ format: Format, columns: [String], mask: Bool = false, sink: @escaping (Data) throws -> Void) {
        self.format = format
        self.columns = columns
        self.sink = sink
        self.mask = mask
        buffer.reserveCapacity(1 << 17)
        if case .csv(let bom, let rawCells) = format {
            if bom { put("\u{FEFF}") }
            for (i, c) in columns.enumerated() {
                if i > 0 { buffer.append(0x2C) }
                var c = c
                c.withUTF8 { appendCSV($0, defuse: !rawCells) }
            }
            put("\r\n")
        }
        if case .json = format { jsonKeys = columns.map { Array("\(Exporter.jsonString($0)): ".utf8) } }
    }

    /// To a file handle (standard output, or a file opened for writing).
    public convenience init(_ format: Format, columns: [String], mask: Bool = false, to handle: FileHandle) {
        self.init(format, columns: columns, mask: mask) { try handle.write(contentsOf: $0) }
    }

    public func write(_ row: [SQLValue]) throws {
        switch format {
        case .csv(_, let rawCells):
            for (i, value) in row.enumerated() {
                if i > 0 { buffer.append(0x2C) }
                switch value {
                case .null: break
                case .integer(let n): appendInteger(n)
                case .real(let d): appendReal(d)
                case .text(var s): s.withUTF8 { appendText($0, defuse: !rawCells) }
                case .blob(let b): appendHex(b)
                }
            }
            put("\r\n")
        case .json:
            buffer += Array((rows == 0 ? "[\n  {" : ",\n  {").utf8)
            let row = mask ? row.map(Privacy.mask) : row
            buffer += Array(zip(columns, row).map { "\(Exporter.jsonString($0)): \(Exporter.jsonValue($1))" }.joined(separator: ", ").utf8)
            buffer.append(0x7D)
        case .markdown:
            let row = mask ? row.map(Privacy.mask) : row
            if held != nil {
                held!.append(row)
                if held!.count >= RowWriter.alignmentWindow { startMarkdown() }
            } else {
                appendMarkdown(row)
            }
        case .text(let maxCell, let window):
            let row = (mask ? row.map(Privacy.mask) : row).map { SQLValue.text(RowWriter.terminalCell($0, maxCell)) }
            if held != nil {
                held!.append(row)
                if held!.count >= window { startText() }
            } else {
                appendText(row)
            }
        }
        rows += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// A row straight from SQLite: CSV, JSON, and Markdown once its alignment is decided, are
    /// written from the cells' bytes, without making values.
    public func write(raw row: RawRow) throws {
        switch format {
        case .csv(_, let rawCells):
            for i in 0..<row.count {
                if i > 0 { buffer.append(0x2C) }
                appendCell(row, i) { appendText($0, defuse: !rawCells) }
            }
            put("\r\n")
        case .markdown where held == nil:
            put("| ")
            for i in 0..<row.count {
                if i > 0 { put(" | ") }
                appendCell(row, i) { bytes in
                    guard mask, let masked = Privacy.mask(bytes) else { return appendMarkdownCell(bytes) }
                    masked.withUnsafeBufferPointer { appendMarkdownCell($0) }
                }
            }
            put(" |\n")
        case .json:
            if rows == 0 { put("[\n  {") } else { put(",\n  {") }
            for i in 0..<min(row.count, jsonKeys.count) {
                if i > 0 { put(", ") }
                buffer += jsonKeys[i]
                switch row.kind(i) {
                case .null: put("null")
                case .integer: appendInteger(row.integer(i))
                case .real:
                    let d = row.real(i)
                    if d.isFinite { appendReal(d) } else { put("null") }
                case .text:
                    let bytes = row.bytes(i)
                    if mask, let masked = Privacy.mask(bytes) { masked.withUnsafeBufferPointer(appendJSONString) } else { appendJSONString(bytes) }
                case .blob:
                    buffer.append(0x22)
                    appendHex(row.bytes(i))
                    buffer.append(0x22)
                }
            }
            buffer.append(0x7D)
        default:
            return try write(row.values)
        }
        rows += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Ends the output (JSON's closing bracket, Markdown's held rows) and writes what is left.
    public func finish() throws {
        switch format {
        case .json: buffer += Array((rows == 0 ? "[]\n" : "\n]\n").utf8)
        case .markdown: if held != nil { startMarkdown() }
        case .text: if held != nil { startText() }
        case .csv: break
        }
        try flush()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: cells

    /// Appends literal text without making an array of it.
    private func put(_ s: StaticString) { RowWriter.put(s, &buffer) }

    private static func put(_ s: StaticString, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// A cell as `Exporter.text` writes it; text through `text`.
    private func appendCell(_ row: RawRow, _ i: Int, text: (UnsafeBufferPointer<UInt8>) -> Void) {
        switch row.kind(i) {
        case .null: break
        case .integer: appendInteger(row.integer(i))
        case .real: appendReal(row.real(i))
        case .text: text(row.bytes(i))
        case .blob: appendHex(row.bytes(i))
        }
    }

    private func appendInteger(_ n: Int64) {
        var s = String(n)
        s.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// Reals as Swift prints them (2300.0, 0.5); infinities and NaN as nothing.
    private func appendReal(_ d: Double) {
        guard d.isFinite else { return }
        var s = String(d)
        s.withUTF8 { buffer.append(contentsOf: $0) }
    }

    private func appendHex(_ bytes: some Collection<UInt8>) {
        let digits = RowWriter.hexDigits
        for b in bytes {
            buffer.append(digits[Int(b >> 4)])
            buffer.append(digits[Int(b & 0xF)])
        }
    }

    /// A text cell: masked unless showing personal data, then defused and quoted as CSV needs.
    private func appendText(_ bytes: UnsafeBufferPointer<UInt8>, defuse: Bool) {
        guard mask, let masked = Privacy.mask(bytes) else { return appendCSV(bytes, defuse: defuse) }
        masked.withUnsafeBufferPointer { appendCSV($0, defuse: defuse) }
    }

    /// One CSV field (RFC 4180, as `CSV.field` writes it): quoted when it holds a comma, a quote
    /// or a line break, or begins or ends with a space, its quotes doubled; `defuse`: a ' before
    /// text a spreadsheet would run as a formula (`Exporter.defused`).
    private func appendCSV(_ bytes: UnsafeBufferPointer<UInt8>, defuse: Bool) { RowWriter.csvCell(bytes, defuse: defuse, into: &buffer) }

    // The escapers below are static and write through one `inout` buffer: appending byte by byte
    // to the class's own `buffer` costs a dynamic exclusivity check per byte (perf: 4% of a
    // province check's CPU, with the thread-local lookups it makes).

    private static func csvCell(_ bytes: UnsafeBufferPointer<UInt8>, defuse: Bool, into out: inout [UInt8]) {
        let quote = !bytes.isEmpty && (bytes[0] == 0x20 || bytes[bytes.count - 1] == 0x20
            || bytes.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
        let formula = defuse && !bytes.isEmpty && Exporter.formulaStarts.contains(bytes[0])
        if quote { out.append(0x22) }
        if formula { out.append(0x27) }
        if quote {
            for b in bytes {
                out.append(b)
                if b == 0x22 { out.append(0x22) }
            }
            out.append(0x22)
        } else {
            out.append(contentsOf: bytes)
        }
    }

    /// A JSON string's bytes as `Exporter.jsonString` writes it: quotes, backslashes, control
    /// characters and U+2028/U+2029 escaped.
    private func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>) { RowWriter.jsonString(bytes, into: &buffer) }

    private static func jsonString(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let digits = RowWriter.hexDigits
        out.append(0x22)
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case 0x22: put("\\\"", &out)
            case 0x5C: put("\\\\", &out)
            case 0x0A: put("\\n", &out)
            case 0x0D: put("\\r", &out)
            case 0x09: put("\\t", &out)
            case let b where b < 0x20:
                put("\\u00", &out)
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 0xF)])
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                put("\\u202", &out)
                out.append(bytes[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"))
                i += 2
            case let b: out.append(b)
            }
            i += 1
        }
        out.append(0x22)
    }

    // MARK: Markdown

    /// Decides the alignment on the held rows, writes the header and them, and streams from here.
    private func startMarkdown() {
        let rows = held ?? []
        held = nil
        let numeric = Exporter.numericColumns(ExportTable(columns: columns, rows: rows))
        buffer += Array(("| " + columns.map(Exporter.markdownCell).joined(separator: " | ") + " |\n").utf8)
        buffer += Array(("|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n").utf8)
        for row in rows { appendMarkdown(row) }
    }

    /// A Markdown cell's bytes as `Exporter.markdownCell` writes it: `\` and `|` escaped, CRLF
    /// and LF as <br>.
    private func appendMarkdownCell(_ bytes: UnsafeBufferPointer<UInt8>) { RowWriter.markdownCell(bytes, into: &buffer) }

    private static func markdownCell(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case 0x5C: put("\\\\", &out)
            case 0x7C: put("\\|", &out)
            case 0x0A: put("<br>", &out)
            case 0x0D where i + 1 < bytes.count && bytes[i + 1] == 0x0A:
                put("<br>", &out)
                i += 1
            case let b: out.append(b)
            }
            i += 1
        }
    }

    private func appendMarkdown(_ row: [SQLValue]) {
        buffer += Array(("| " + row.map { Exporter.markdownCell(Exporter.text($0)) }.joined(separator: " | ") + " |\n").utf8)
    }

    /// A cell as the text table shows it: line breaks as spaces, cut at `maxCell` columns.
    private static func terminalCell(_ v: SQLValue, _ maxCell: Int) -> String {
        var s = Exporter.text(v)
        if s.utf8.contains(where: { $0 == 10 || $0 == 13 }) {
            s = s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        }
        return s.displayWidth > maxCell ? s.truncated(to: maxCell) : s
    }

    /// Decides the widths on the held rows (and the header), writes the header, its rule and
    /// them, and streams from here.
    private func startText() {
        let rows = held ?? []
        held = nil
        widths = columns.map(\.displayWidth)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count {
                if case .text(let t) = cell { widths[i] = max(widths[i], t.displayWidth) }
            }
        }
        appendText(columns.map { .text($0) })
        appendText(widths.map { .text(String(repeating: "-", count: $0)) })
        for row in rows { appendText(row) }
    }

    /// One line of the text table: each cell padded (or cut) to its column, two spaces between,
    /// none at the end.
    private func appendText(_ row: [SQLValue]) {
        let start = buffer.count
        for (i, cell) in row.enumerated() {
            guard case .text(var t) = cell else { continue }
            let width = i < widths.count ? widths[i] : 0
            var w = t.displayWidth
            if w > width { t = t.truncated(to: width); w = t.displayWidth }
            if i > 0 { put("  ") }
            t.withUTF8 { buffer.append(contentsOf: $0) }
            if i < row.count - 1 { buffer.append(contentsOf: repeatElement(0x20, count: width - w)) }
        }
        while buffer.count > start, buffer.last == 0x20 { buffer.removeLast() }
        buffer.append(0x0A)
    }
}
