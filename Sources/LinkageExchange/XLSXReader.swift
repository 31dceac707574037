import Foundation
import LinkageModel
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A cell as a spreadsheet (or a Lua table) gives it.
public enum CellValue: Sendable, Equatable {
    case empty
    case text(String)
    case number(Double)
    case integer(Int64)
    case boolean(Bool)

    public var isEmpty: Bool {
        switch self {
        case .empty: return true
        // Every scalar white (what trimming would leave empty), without Foundation's copy: an
        // import asks this of every cell.
        case .text(let s): return s.unicodeScalars.allSatisfy(CharacterSet.whitespacesAndNewlines.contains)
        default: return false
        }
    }

    /// The value as text, as a person would read it (15 significant digits for numbers, as Excel).
    public var text: String {
        switch self {
        case .empty: return ""
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .boolean(let b): return b ? "TRUE" : "FALSE"
        case .number(let d):
            if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
            return String(format: "%.15g", d)
        }
    }
}

/// The first worksheet of an XLSX file: its non-blank rows by row number and its merged ranges.
public struct XLSXSheet: Sendable {
    public struct Row: Sendable {
        /// The row number Excel shows (from 1).
        public let number: Int
        /// Cells by column index (from 0).
        public var cells: [Int: CellValue]
    }

    /// A merged range, by row number (from 1) and column index (from 0).
    public struct Range: Sendable, Equatable, CustomStringConvertible {
        public let firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int
        public var description: String {
            "\(XLSXSheet.columnName(firstColumn))\(firstRow):\(XLSXSheet.columnName(lastColumn))\(lastRow)"
        }
        public func contains(row: Int, column: Int) -> Bool {
            (firstRow...lastRow).contains(row) && (firstColumn...lastColumn).contains(column)
        }
    }

    public let name: String
    public var rows: [Row]
    public let merged: [Range]
    /// Blank rows between data rows (skipped).
    public let blankRows: [Int]

    /// A, B, … Z, AA, AB …
    public static func columnName(_ index: Int) -> String {
        var n = index + 1
        var s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// Excel's bounds: columns A to XFD, rows 1 to 1,048,576. A reference beyond them is not a
    /// cell of any workbook, and believing one would size a table by it.
    public static let maximumColumns = 16_384
    public static let maximumRows = 1_048_576

    /// "B12" → (row 12, column 1): one to three letters and a row number without leading zeros,
    /// within Excel's bounds; anything else is nil.
    static func parseReference(_ ref: String) -> (row: Int, column: Int)? { parseReference(ref.utf8) }

    /// The same, from the reference's UTF-8 bytes (as a sheet's XML holds them).
    static func parseReference<S: Sequence>(_ bytes: S) -> (row: Int, column: Int)? where S.Element == UInt8 {
        var column = 0, letters = 0, row = 0, digits = 0
        for u in bytes {
            switch u {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard digits == 0, letters < 3 else { return nil }
                column = column * 26 + Int((u & 0xDF) - 64)
                letters += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard letters > 0, digits < 7, !(digits == 0 && u == UInt8(ascii: "0")) else { return nil }
                row = row * 10 + Int(u - 48)
                digits += 1
            default: return nil
            }
        }
        guard digits > 0, column <= maximumColumns, row <= maximumRows else { return nil }
        return (row, column - 1)
    }
}

/// Reads the first worksheet of an XLSX file with Foundation's XMLParser over `XLSXArchive`:
/// shared and inline strings, numbers, booleans, dates (by their number format), merged ranges.
///
/// A workbook is read whole or refused whole: any damage to the archive or its XML, a reference
/// outside Excel's bounds, or a size past `Limits` is an `ExchangeError` saying where and what to
/// do, so that an import never goes ahead with the part of a file read before the damage.
public enum XLSXReader {
    public static func read(_ url: URL, limits: XLSXLimits = XLSXLimits()) throws -> XLSXSheet {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ExchangeError("cannot read \(url.path): \((error as NSError).localizedDescription)")
        }
        return try read(data, file: url.lastPathComponent, limits: limits)
    }

    /// `sheet` names the worksheet to read; nil reads the first.
    public static func read(_ data: Data, file: String, sheet wanted: String? = nil, limits: XLSXLimits = XLSXLimits()) throws -> XLSXSheet {
        try read(XLSXSheetStream.workbook(.data(data), file: file, sheet: wanted, limits: limits), limits: limits)
    }

    /// The opened workbook's sheet, read whole: every non-blank row held, within `limits.cells`.
    static func read(_ w: XLSXSheetStream.Workbook, limits: XLSXLimits) throws -> XLSXSheet {
        let file = w.archive.file, sheetPlace = w.sheet.place.dropFirst(file.count + 2)
        var raw: [XLSXSheet.Row] = []
        let handler = try XLSXSheetStream.scan(w.archive, w.sheet, cellLimit: limits.cells) { number, cells in
            raw.append(XLSXSheet.Row(number: number, cells: SheetRowHandler.dictionary(cells)))
        }
        let parsed = (rows: raw, merged: handler.merged)
        let sheetName = w.sheet.name
        var rows = parsed.rows.filter { !$0.cells.values.allSatisfy(\.isEmpty) }.sorted { $0.number < $1.number }
        let width = (rows.lazy.compactMap { $0.cells.keys.max() }.max() ?? -1) + 1
        if rows.count * width > limits.cells {
            throw ExchangeError("\(file): \(sheetPlace) spans \(rows.count) rows by \(width) columns (to column \(XLSXSheet.columnName(width - 1))), "
                + "more than the \(limits.cells) cells linkage reads from one sheet; delete the columns and rows that are not data, or split the sheet into several files")
        }
        try fillMerged(parsed.merged, into: &rows, width: width, budget: limits.cells, place: "\(file): \(sheetPlace)")
        let numbers = rows.map(\.number)
        var blank: [Int] = []
        if let lo = numbers.first, let hi = numbers.last, hi > lo {
            let present = Set(numbers)
            blank = (lo...hi).filter { !present.contains($0) }
        }
        return XLSXSheet(name: sheetName, rows: rows, merged: parsed.merged, blankRows: blank)
    }

    /// A merged range's value stands in its first cell; a person means it for every cell. Only
    /// rows and columns that hold data are filled, and ranges that together cover more cells
    /// than the table has must overlap, which Excel never writes.
    static func fillMerged(_ merged: [XLSXSheet.Range], into rows: inout [XLSXSheet.Row], width: Int, budget: Int, place: String) throws {
        guard !merged.isEmpty, width > 0 else { return }
        var index: [Int: Int] = [:]
        for (i, r) in rows.enumerated() { index[r.number] = i }
        var visited = 0
        for range in merged where range.lastRow > range.firstRow || range.lastColumn > range.firstColumn {
            guard let topIndex = index[range.firstRow], let top = rows[topIndex].cells[range.firstColumn] else { continue }
            let first = firstIndex(rows, atLeast: range.firstRow), end = firstIndex(rows, atLeast: range.lastRow + 1)
            let columns = range.firstColumn...min(range.lastColumn, width - 1)
            guard !columns.isEmpty, first < end else { continue }
            visited += (end - first) * columns.count
            if visited > budget {
                throw ExchangeError("\(place): the merged ranges overlap (\(range) among them); unmerge the cells in Excel and save the file again")
            }
            for i in first..<end {
                for c in columns where rows[i].cells[c]?.isEmpty ?? true { rows[i].cells[c] = top }
            }
        }
    }

    /// The index of the first of `rows` (sorted by number) numbered `number` or more.
    static func firstIndex(_ rows: [XLSXSheet.Row], atLeast number: Int) -> Int {
        var lo = 0, hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if rows[mid].number < number { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    // MARK: XML

    struct Element { let name: String; let attributes: [String: String] }

    /// The elements named `names`, in document order, with their attributes.
    static func XMLElements(_ data: Data, names: Set<String>, part: String, file: String) throws -> [Element] {
        final class Collector: XMLHandler {
            let names: Set<String>
            var found: [Element] = []
            init(_ names: Set<String>) { self.names = names }
            override func start(_ parser: XMLParser, _ name: String, _ attributeDict: [String: String]) {
                if names.contains(name) { found.append(Element(name: name, attributes: attributeDict)) }
            }
        }
        let collector = Collector(names)
        try collector.run(data, place: "\(file): \(part)")
        return collector.found
    }

    /// The shared strings: each `<si>` is its `<t>` or the `<t>`s of its runs, phonetic runs left out.
    enum SharedStrings {
        static func parse(_ data: Data, file: String, limit: Int) throws -> [String] {
            final class Delegate: XMLHandler {
                let limit: Int
                var strings: [String] = []
                var current = ""
                var inText = false
                var phonetic = 0
                init(limit: Int) { self.limit = limit }
                override func start(_ parser: XMLParser, _ name: String, _ attributeDict: [String: String]) {
                    switch name {
                    case "si": current = ""
                    case "rPh": phonetic += 1
                    case "t": inText = phonetic == 0
                    default: break
                    }
                }
                override func end(_ parser: XMLParser, _ name: String) {
                    switch name {
                    case "si":
                        strings.append(current)
                        if strings.count > limit {
                            fail(parser, "it holds more than \(limit) strings, more than a sheet linkage reads can use; split the workbook into several files")
                        }
                    case "rPh": phonetic -= 1
                    case "t": inText = false
                    default: break
                    }
                }
                override func characters(_ string: String) { if inText { current += string } }
            }
            let d = Delegate(limit: limit)
            try d.run(data, place: "\(file): the shared strings (xl/sharedStrings.xml)")
            return d.strings
        }
    }

    /// The indexes of the cell formats (`s` of a cell) whose number format shows a date.
    enum DateStyles {
        static func parse(_ data: Data, file: String) throws -> Set<Int> {
            final class Delegate: XMLHandler {
                var custom: [Int: String] = [:]
                var xfs: [Int] = []
                var inCellXfs = false
                override func start(_ parser: XMLParser, _ name: String, _ a: [String: String]) {
                    switch name {
                    case "numFmt": if let id = a["numFmtId"].flatMap(Int.init) { custom[id] = a["formatCode"] ?? "" }
                    case "cellXfs": inCellXfs = true
                    case "xf" where inCellXfs: xfs.append(a["numFmtId"].flatMap(Int.init) ?? 0)
                    default: break
                    }
                }
                override func end(_ parser: XMLParser, _ name: String) {
                    if name == "cellXfs" { inCellXfs = false }
                }
            }
            let d = Delegate()
            try d.run(data, place: "\(file): the styles (xl/styles.xml)")
            var result = Set<Int>()
            for (i, id) in d.xfs.enumerated() {
                if (14...22).contains(id) || (27...36).contains(id) || (50...58).contains(id) { result.insert(i); continue }
                if let code = d.custom[id] {
                    // A date format has y, m or d outside quoted text and brackets; a plain number format has none.
                    var plain = ""
                    var inQuote = false, inBracket = false
                    for ch in code {
                        if ch == "\"" { inQuote.toggle(); continue }
                        if ch == "[" { inBracket = true; continue }
                        if ch == "]" { inBracket = false; continue }
                        if !inQuote && !inBracket { plain.append(ch) }
                    }
                    if plain.lowercased().contains(where: { "ymd".contains($0) }) { result.insert(i) }
                }
            }
            return result
        }
    }

    /// An Excel date serial (days since 1899-12-30, the 1900 system) as YYYY-MM-DD.
    public static func date(fromSerial serial: Double) -> String? {
        guard serial >= 1, serial < 2_958_466 else { return nil }
        // Serial 25569 is 1970-01-01; then civil-from-days (Howard Hinnant's algorithm).
        let days = Int(serial.rounded(.down)) - 25_569
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return String(format: "%04d-%02d-%02d", m <= 2 ? y + 1 : y, m, d)
    }
}

/// An element's name without its namespace prefix.
func xmlLocalName(_ name: String) -> String {
    if let i = name.lastIndex(of: ":") { return String(name[name.index(after: i)...]) }
    return name
}
