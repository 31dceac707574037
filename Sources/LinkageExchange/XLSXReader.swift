import Foundation
import LinkageModel
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

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
    static func parseReference(_ ref: String) -> (row: Int, column: Int)? {
        var column = 0, letters = 0, row = 0, digits = 0
        for u in ref.utf8 {
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
        var archive = try XLSXArchive(data: data, file: file, limits: limits)
        guard let workbook = try archive.read("xl/workbook.xml") else {
            throw ExchangeError("\(file) is a ZIP archive but not an XLSX workbook (no xl/workbook.xml)")
        }
        let sheets = try XMLElements(workbook, names: ["sheet"], part: "xl/workbook.xml", file: file)
        guard let firstSheet = sheets.first else { throw ExchangeError("\(file) has no worksheet") }
        var first = firstSheet
        if let wanted {
            guard let named = sheets.first(where: { $0.attributes["name"] == wanted }) else {
                let names = sheets.map { "'\(MessageText.quoted($0.attributes["name"] ?? "?"))'" }.joined(separator: ", ")
                throw ExchangeError("\(file) has no sheet '\(MessageText.quoted(wanted))'; its sheets are \(names) — give one of them with --sheet (sheet = in Lua), as Excel shows it on the tab")
            }
            first = named
        }
        let sheetName = first.attributes["name"] ?? "Sheet1"
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let rid = first.attributes["r:id"] ?? first.attributes.first(where: { $0.key.hasSuffix(":id") })?.value,
           let rels = try archive.read("xl/_rels/workbook.xml.rels"),
           let target = try XMLElements(rels, names: ["Relationship"], part: "xl/_rels/workbook.xml.rels", file: file)
               .first(where: { $0.attributes["Id"] == rid })?.attributes["Target"] {
            sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        let sheetPlace = "the sheet '\(MessageText.quoted(sheetName))' (\(MessageText.quoted(sheetPath)))"
        guard let sheetData = try archive.read(sheetPath) else {
            throw ExchangeError("\(file): \(sheetPlace) is missing from the archive; \(XLSXArchive.damagedHint)")
        }
        let shared = try archive.read("xl/sharedStrings.xml").map {
            try SharedStrings.parse($0, file: file, limit: limits.cells)
        } ?? []
        let dateStyles = try archive.read("xl/styles.xml").map { try DateStyles.parse($0, file: file) } ?? []
        let parsed = try SheetParser.parse(sheetData, shared: shared, dateStyles: dateStyles,
                                           place: "\(file): \(sheetPlace)", cellLimit: limits.cells)
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

    /// The rows and merged ranges of a worksheet.
    enum SheetParser {
        static func parse(_ data: Data, shared: [String], dateStyles: Set<Int>, place: String,
                          cellLimit: Int) throws -> (rows: [XLSXSheet.Row], merged: [XLSXSheet.Range]) {
            final class Delegate: XMLHandler {
                let shared: [String]
                let dateStyles: Set<Int>
                let cellLimit: Int
                var rows: [XLSXSheet.Row] = []
                var merged: [XLSXSheet.Range] = []
                var seenRows = Set<Int>()
                var cellCount = 0
                var rowNumber = 0
                var cells: [Int: CellValue] = [:]
                var column = -1
                var type = "n"
                var style = 0
                var value = ""
                var inValue = false
                var inInline = false
                var phonetic = 0
                init(shared: [String], dateStyles: Set<Int>, cellLimit: Int) {
                    self.shared = shared; self.dateStyles = dateStyles; self.cellLimit = cellLimit
                }

                var cellName: String { "cell \(XLSXSheet.columnName(column))\(rowNumber)" }

                override func start(_ parser: XMLParser, _ name: String, _ a: [String: String]) {
                    switch name {
                    case "row":
                        if let r = a["r"] {
                            guard let n = Int(r), (1...XLSXSheet.maximumRows).contains(n) else {
                                return fail(parser, "the row number '\(MessageText.quoted(r))' is not one from 1 to \(XLSXSheet.maximumRows), as rows in Excel are")
                            }
                            rowNumber = n
                        } else {
                            guard rowNumber < XLSXSheet.maximumRows else {
                                return fail(parser, "the sheet has more than the \(XLSXSheet.maximumRows) rows Excel allows")
                            }
                            rowNumber += 1
                        }
                        guard seenRows.insert(rowNumber).inserted else { return fail(parser, "row \(rowNumber) appears twice") }
                        cells = [:]
                        column = -1
                    case "c":
                        if let r = a["r"] {
                            guard let ref = XLSXSheet.parseReference(r) else {
                                return fail(parser, "'\(MessageText.quoted(r))' in row \(rowNumber) is not a cell reference (A1 to XFD\(XLSXSheet.maximumRows))")
                            }
                            guard ref.row == rowNumber else {
                                return fail(parser, "cell \(r) is written inside row \(rowNumber)")
                            }
                            column = ref.column
                        } else {
                            guard column + 1 < XLSXSheet.maximumColumns else {
                                return fail(parser, "row \(rowNumber) has more than the \(XLSXSheet.maximumColumns) columns Excel allows")
                            }
                            column += 1
                        }
                        type = a["t"] ?? "n"
                        style = a["s"].flatMap(Int.init) ?? 0
                        value = ""
                    case "v": inValue = true
                    case "is": inInline = true
                    case "rPh": phonetic += 1
                    case "t": if inInline && phonetic == 0 { inValue = true }
                    case "mergeCell":
                        let ref = a["ref"] ?? ""
                        let parts = ref.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                        guard parts.count <= 2, let lo = XLSXSheet.parseReference(parts[0]),
                              let hi = XLSXSheet.parseReference(parts[parts.count - 1]) else {
                            return fail(parser, "the merged range '\(MessageText.quoted(ref))' is not a range of cells such as A2:C2")
                        }
                        guard lo.row <= hi.row, lo.column <= hi.column else {
                            return fail(parser, "the merged range \(ref) is written backwards (its first cell is below or right of its last)")
                        }
                        merged.append(.init(firstRow: lo.row, firstColumn: lo.column, lastRow: hi.row, lastColumn: hi.column))
                    default: break
                    }
                }

                override func end(_ parser: XMLParser, _ name: String) {
                    switch name {
                    case "v", "t": inValue = false
                    case "is": inInline = false
                    case "rPh": phonetic -= 1
                    case "c":
                        guard let cell = cell(parser) else { return }
                        // Empty cells (formatting only) are not kept: they would widen the table for nothing.
                        if case .empty = cell { cells[column] = nil; return }
                        cells[column] = cell
                        cellCount += 1
                        if cellCount > cellLimit {
                            fail(parser, "the sheet has more than the \(cellLimit) cells linkage reads from one sheet; split it into several files")
                        }
                    case "row": rows.append(XLSXSheet.Row(number: rowNumber, cells: cells))
                    default: break
                    }
                }

                override func characters(_ string: String) { if inValue { value += string } }

                func cell(_ parser: XMLParser) -> CellValue? {
                    switch type {
                    case "s":
                        guard let i = Int(value), shared.indices.contains(i) else {
                            fail(parser, "\(cellName) refers to shared string '\(MessageText.quoted(value))', but the workbook has \(shared.count) (numbered from 0)")
                            return nil
                        }
                        return .text(shared[i])
                    case "inlineStr", "str": return value.isEmpty ? .empty : .text(value)
                    case "b": return .boolean(value == "1")
                    case "e": return .text(value)
                    case "d": return .text(String(value.prefix(10)))
                    default:
                        guard let d = Double(value) else { return value.isEmpty ? .empty : .text(value) }
                        guard d.isFinite else {
                            fail(parser, "\(cellName) holds '\(MessageText.quoted(value))', which is not a number a spreadsheet writes")
                            return nil
                        }
                        if dateStyles.contains(style), let date = XLSXReader.date(fromSerial: d) { return .text(date) }
                        return .number(d)
                    }
                }
            }
            let d = Delegate(shared: shared, dateStyles: dateStyles, cellLimit: cellLimit)
            try d.run(data, place: place)
            return (d.rows, d.merged)
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
