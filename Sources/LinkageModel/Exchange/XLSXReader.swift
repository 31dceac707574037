import Foundation
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
        case .text(let s): return s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
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

    /// "B12" → (row 12, column 1).
    static func parseReference(_ ref: String) -> (row: Int, column: Int)? {
        var column = 0
        var digits = ""
        for ch in ref.uppercased() {
            if let a = ch.asciiValue, (65...90).contains(a), digits.isEmpty {
                column = column * 26 + Int(a - 64)
            } else if ch.isASCII, ch.isNumber {
                digits.append(ch)
            } else { return nil }
        }
        guard column > 0, let row = Int(digits) else { return nil }
        return (row, column - 1)
    }
}

/// Reads the first worksheet of an XLSX file with ZIPFoundation and Foundation's XMLParser:
/// shared and inline strings, numbers, booleans, dates (by their number format), merged ranges.
public enum XLSXReader {
    public static func read(_ url: URL) throws -> XLSXSheet {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw ExchangeError("\(url.lastPathComponent) is not an XLSX file (it is not a ZIP archive); save it from Excel as \"Excel Workbook (*.xlsx)\"")
        }
        func entry(_ path: String) throws -> Data? {
            guard let e = archive[path] else { return nil }
            var data = Data()
            _ = try archive.extract(e, skipCRC32: false) { data.append($0) }
            return data
        }
        guard let workbook = try entry("xl/workbook.xml") else {
            throw ExchangeError("\(url.lastPathComponent) is a ZIP archive but not an XLSX workbook (no xl/workbook.xml)")
        }
        let sheets = XMLElements(workbook, names: ["sheet"])
        guard let first = sheets.first else { throw ExchangeError("\(url.lastPathComponent) has no worksheet") }
        let sheetName = first.attributes["name"] ?? "Sheet1"
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let rid = first.attributes["r:id"] ?? first.attributes.first(where: { $0.key.hasSuffix(":id") })?.value,
           let rels = try entry("xl/_rels/workbook.xml.rels"),
           let target = XMLElements(rels, names: ["Relationship"]).first(where: { $0.attributes["Id"] == rid })?.attributes["Target"] {
            sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        guard let sheetData = try entry(sheetPath) else {
            throw ExchangeError("\(url.lastPathComponent): the worksheet \(sheetPath) is missing from the archive")
        }
        let shared = try entry("xl/sharedStrings.xml").map(SharedStrings.parse) ?? []
        let dateStyles = try entry("xl/styles.xml").map(DateStyles.parse) ?? []
        let parsed = SheetParser.parse(sheetData, shared: shared, dateStyles: dateStyles)
        var rows = parsed.rows.filter { !$0.cells.values.allSatisfy(\.isEmpty) }.sorted { $0.number < $1.number }
        // A merged range's value stands in its first cell; a person means it for every cell.
        for range in parsed.merged where range.lastRow > range.firstRow || range.lastColumn > range.firstColumn {
            guard let top = rows.first(where: { $0.number == range.firstRow })?.cells[range.firstColumn] else { continue }
            for i in rows.indices where (range.firstRow...range.lastRow).contains(rows[i].number) {
                for c in range.firstColumn...range.lastColumn where rows[i].cells[c]?.isEmpty ?? true { rows[i].cells[c] = top }
            }
        }
        let numbers = rows.map(\.number)
        var blank: [Int] = []
        if let lo = numbers.first, let hi = numbers.last, hi > lo {
            let present = Set(numbers)
            blank = (lo...hi).filter { !present.contains($0) }
        }
        return XLSXSheet(name: sheetName, rows: rows, merged: parsed.merged, blankRows: blank)
    }

    // MARK: XML

    struct Element { let name: String; let attributes: [String: String] }

    /// The elements named `names`, in document order, with their attributes.
    static func XMLElements(_ data: Data, names: Set<String>) -> [Element] {
        final class Collector: NSObject, XMLParserDelegate {
            let names: Set<String>
            var found: [Element] = []
            init(_ names: Set<String>) { self.names = names }
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
                if names.contains(xmlLocalName(elementName)) { found.append(Element(name: xmlLocalName(elementName), attributes: attributeDict)) }
            }
        }
        let collector = Collector(names)
        let parser = XMLParser(data: data)
        parser.delegate = collector
        _ = parser.parse()
        return collector.found
    }


    /// The shared strings: each `<si>` is its `<t>` or the `<t>`s of its runs, phonetic runs left out.
    enum SharedStrings {
        static func parse(_ data: Data) -> [String] {
            final class Delegate: NSObject, XMLParserDelegate {
                var strings: [String] = []
                var current = ""
                var inText = false
                var phonetic = 0
                func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                            qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
                    switch xmlLocalName(elementName) {
                    case "si": current = ""
                    case "rPh": phonetic += 1
                    case "t": inText = phonetic == 0
                    default: break
                    }
                }
                func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
                    switch xmlLocalName(elementName) {
                    case "si": strings.append(current)
                    case "rPh": phonetic -= 1
                    case "t": inText = false
                    default: break
                    }
                }
                func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }
            }
            let d = Delegate()
            let parser = XMLParser(data: data)
            parser.delegate = d
            _ = parser.parse()
            return d.strings
        }
    }

    /// The indexes of the cell formats (`s` of a cell) whose number format shows a date.
    enum DateStyles {
        static func parse(_ data: Data) -> Set<Int> {
            final class Delegate: NSObject, XMLParserDelegate {
                var custom: [Int: String] = [:]
                var xfs: [Int] = []
                var inCellXfs = false
                func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                            qualifiedName qName: String?, attributes a: [String: String] = [:]) {
                    switch xmlLocalName(elementName) {
                    case "numFmt": if let id = a["numFmtId"].flatMap(Int.init) { custom[id] = a["formatCode"] ?? "" }
                    case "cellXfs": inCellXfs = true
                    case "xf" where inCellXfs: xfs.append(a["numFmtId"].flatMap(Int.init) ?? 0)
                    default: break
                    }
                }
                func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
                    if xmlLocalName(elementName) == "cellXfs" { inCellXfs = false }
                }
            }
            let d = Delegate()
            let parser = XMLParser(data: data)
            parser.delegate = d
            _ = parser.parse()
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
        static func parse(_ data: Data, shared: [String], dateStyles: Set<Int>) -> (rows: [XLSXSheet.Row], merged: [XLSXSheet.Range]) {
            final class Delegate: NSObject, XMLParserDelegate {
                let shared: [String]
                let dateStyles: Set<Int>
                var rows: [XLSXSheet.Row] = []
                var merged: [XLSXSheet.Range] = []
                var rowNumber = 0
                var cells: [Int: CellValue] = [:]
                var column = -1
                var type = "n"
                var style = 0
                var value = ""
                var inValue = false
                var inInline = false
                var phonetic = 0
                init(shared: [String], dateStyles: Set<Int>) { self.shared = shared; self.dateStyles = dateStyles }

                func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                            qualifiedName qName: String?, attributes a: [String: String] = [:]) {
                    switch xmlLocalName(elementName) {
                    case "row":
                        rowNumber = a["r"].flatMap(Int.init) ?? rowNumber + 1
                        cells = [:]
                        column = -1
                    case "c":
                        if let r = a["r"], let ref = XLSXSheet.parseReference(r) { column = ref.column } else { column += 1 }
                        type = a["t"] ?? "n"
                        style = a["s"].flatMap(Int.init) ?? 0
                        value = ""
                    case "v": inValue = true
                    case "is": inInline = true
                    case "rPh": phonetic += 1
                    case "t": if inInline && phonetic == 0 { inValue = true }
                    case "mergeCell":
                        let parts = (a["ref"] ?? "").split(separator: ":").map(String.init)
                        if let lo = parts.first.flatMap(XLSXSheet.parseReference),
                           let hi = XLSXSheet.parseReference(parts.last ?? "") {
                            merged.append(.init(firstRow: lo.row, firstColumn: lo.column, lastRow: hi.row, lastColumn: hi.column))
                        }
                    default: break
                    }
                }

                func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
                    switch xmlLocalName(elementName) {
                    case "v", "t": inValue = false
                    case "is": inInline = false
                    case "rPh": phonetic -= 1
                    case "c": cells[column] = cell()
                    case "row": rows.append(XLSXSheet.Row(number: rowNumber, cells: cells))
                    default: break
                    }
                }

                func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { value += string } }

                func cell() -> CellValue {
                    switch type {
                    case "s": return Int(value).flatMap { $0 < shared.count ? .text(shared[$0]) : nil } ?? .empty
                    case "inlineStr", "str": return value.isEmpty ? .empty : .text(value)
                    case "b": return .boolean(value == "1")
                    case "e": return .text(value)
                    case "d": return .text(String(value.prefix(10)))
                    default:
                        guard let d = Double(value) else { return value.isEmpty ? .empty : .text(value) }
                        if dateStyles.contains(style), let date = XLSXReader.date(fromSerial: d) { return .text(date) }
                        return .number(d)
                    }
                }
            }
            let d = Delegate(shared: shared, dateStyles: dateStyles)
            let parser = XMLParser(data: data)
            parser.delegate = d
            _ = parser.parse()
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
