import Foundation
import LinkageModel

/// The cells of a worksheet's rows as an `XMLStreamScanner` finds them: shared and inline strings,
/// numbers, booleans, dates (by their number format), errors, and the merged ranges. Each row goes
/// to `onRow` when it closes, as (column, value) pairs in the order written (an `.empty` value
/// clears its column: a cell with formatting only). What is wrong in well-formed XML (a reference
/// outside Excel's bounds, a row twice, a shared string that is not there) is an `XMLScanError`.
struct SheetRowHandler: XMLScanHandler {
    typealias Cells = [(column: Int, value: CellValue)]
    let shared: [String]
    let dateStyles: Set<Int>
    /// The cells (stored, not empty) the sheet may have in all, when it is read whole.
    let cellLimit: Int?
    var onRow: (Int, Cells) throws -> Void
    private(set) var merged: [XLSXSheet.Range] = []
    /// Whether every row came after the one before (as Excel writes them): a sheet can be read as a
    /// stream only then.
    private(set) var ascending = true
    private var seenRows = [UInt64](repeating: 0, count: XLSXSheet.maximumRows / 64 + 1)
    private var lastRow = 0
    private var cellCount = 0
    private var rowNumber = 0
    private var cells: Cells = []
    private var column = -1
    private var type: UInt8 = UInt8(ascii: "n")
    private var style = 0
    private var value: [UInt8] = []
    private var inValue = false, inInline = false
    private var phonetic = 0

    init(shared: [String], dateStyles: Set<Int>, cellLimit: Int? = nil, onRow: @escaping (Int, Cells) throws -> Void) {
        self.shared = shared
        self.dateStyles = dateStyles
        self.cellLimit = cellLimit
        self.onRow = onRow
    }

    var wantsText: Bool { inValue }

    private func fail(_ message: String) -> XMLScanError { XMLScanError(kind: .handler, message: message) }
    private var cellName: String { "cell \(XLSXSheet.columnName(column))\(rowNumber)" }

    mutating func start(_ name: UnsafeBufferPointer<UInt8>, _ a: XMLTag) throws {
        switch name.count {
        case 1 where name[0] == UInt8(ascii: "c"):
            if let r = a.raw("r") {
                guard let ref = XLSXSheet.parseReference(r) else {
                    let text = try a.value("r") ?? ""
                    throw fail("'\(MessageText.quoted(text))' in row \(rowNumber) is not a cell reference (A1 to XFD\(XLSXSheet.maximumRows))")
                }
                guard ref.row == rowNumber else { throw fail("cell \(String(decoding: r, as: UTF8.self)) is written inside row \(rowNumber)") }
                column = ref.column
            } else {
                guard column + 1 < XLSXSheet.maximumColumns else {
                    throw fail("row \(rowNumber) has more than the \(XLSXSheet.maximumColumns) columns Excel allows")
                }
                column += 1
            }
            type = UInt8(ascii: "n")
            if let t = a.raw("t") {
                // The types read by their first letter, when the whole name is one of them.
                if t.equals("s") || t.equals("str") || t.equals("b") || t.equals("e") || t.equals("d") || t.equals("inlineStr") {
                    type = t.equals("str") ? UInt8(ascii: "S") : t[0]
                } else { type = UInt8(ascii: "?") }
            }
            style = a.raw("s").flatMap { Self.integer($0) } ?? 0
            value.removeAll(keepingCapacity: true)
        case 1 where name[0] == UInt8(ascii: "v"): inValue = true
        case 1 where name[0] == UInt8(ascii: "t"): if inInline && phonetic == 0 { inValue = true }
        case 2 where name.equals("is"): inInline = true
        case 3 where name.equals("row"):
            if let r = try a.value("r") {
                guard let n = Int(r), (1...XLSXSheet.maximumRows).contains(n) else {
                    throw fail("the row number '\(MessageText.quoted(r))' is not one from 1 to \(XLSXSheet.maximumRows), as rows in Excel are")
                }
                rowNumber = n
            } else {
                guard rowNumber < XLSXSheet.maximumRows else { throw fail("the sheet has more than the \(XLSXSheet.maximumRows) rows Excel allows") }
                rowNumber += 1
            }
            let (word, bit) = (rowNumber / 64, UInt64(1) << UInt64(rowNumber % 64))
            guard seenRows[word] & bit == 0 else { throw fail("row \(rowNumber) appears twice") }
            seenRows[word] |= bit
            if rowNumber < lastRow { ascending = false }
            lastRow = rowNumber
            cells.removeAll(keepingCapacity: true)
            column = -1
        case 3 where name.equals("rPh"): phonetic += 1
        case 9 where name.equals("mergeCell"):
            let ref = try a.value("ref") ?? ""
            let parts = ref.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let lo = XLSXSheet.parseReference(parts[0].utf8),
                  let hi = XLSXSheet.parseReference(parts[parts.count - 1].utf8) else {
                throw fail("the merged range '\(MessageText.quoted(ref))' is not a range of cells such as A2:C2")
            }
            guard lo.row <= hi.row, lo.column <= hi.column else {
                throw fail("the merged range \(ref) is written backwards (its first cell is below or right of its last)")
            }
            merged.append(.init(firstRow: lo.row, firstColumn: lo.column, lastRow: hi.row, lastColumn: hi.column))
        default: break
        }
    }

    mutating func end(_ name: UnsafeBufferPointer<UInt8>) throws {
        switch name.count {
        case 1 where name[0] == UInt8(ascii: "v") || name[0] == UInt8(ascii: "t"): inValue = false
        case 1 where name[0] == UInt8(ascii: "c"):
            let cell = try self.cell()
            cells.append((column, cell))
            // Empty cells (formatting only) are not kept: they would widen the table for nothing.
            if case .empty = cell { return }
            cellCount += 1
            if let cellLimit, cellCount > cellLimit {
                throw fail("the sheet has more than the \(cellLimit) cells linkage reads from one sheet; split it into several files")
            }
        case 2 where name.equals("is"): inInline = false
        case 3 where name.equals("row"): try onRow(rowNumber, cells)
        case 3 where name.equals("rPh"): phonetic -= 1
        default: break
        }
    }

    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) throws { value.append(contentsOf: bytes) }

    /// A whole number written in decimal digits (and a sign, as Swift's `Int(_:)` reads it).
    static func integer<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        if bytes.count <= 18, !bytes.isEmpty, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
        }
        return Int(String(decoding: bytes, as: UTF8.self))
    }

    private var text: String { String(decoding: value, as: UTF8.self) }

    private func cell() throws -> CellValue {
        switch type {
        case UInt8(ascii: "s"):
            guard let i = Self.integer(value), shared.indices.contains(i) else {
                throw fail("\(cellName) refers to shared string '\(MessageText.quoted(text))', but the workbook has \(shared.count) (numbered from 0)")
            }
            return .text(shared[i])
        case UInt8(ascii: "i"), UInt8(ascii: "S"): return value.isEmpty ? .empty : .text(text)
        case UInt8(ascii: "b"): return .boolean(value.count == 1 && value[0] == UInt8(ascii: "1"))
        case UInt8(ascii: "e"): return .text(text)
        case UInt8(ascii: "d"): return .text(String(text.prefix(10)))
        default:
            // Up to 15 digits a Double holds exactly: read without making a string.
            var d: Double
            let digits = value.first == UInt8(ascii: "-") ? value.dropFirst() : value[...]
            if !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                d = Double(digits.reduce(0) { $0 * 10 + Int($1 - 48) })
                if value.first == UInt8(ascii: "-") { d = -d }
            } else {
                guard let parsed = Double(text) else { return value.isEmpty ? .empty : .text(text) }
                d = parsed
            }
            guard d.isFinite else { throw fail("\(cellName) holds '\(MessageText.quoted(text))', which is not a number a spreadsheet writes") }
            if dateStyles.contains(style), let date = XLSXReader.date(fromSerial: d) { return .text(date) }
            return .number(d)
        }
    }

    /// Cells in the order written, as a dictionary by column: a later cell of a column replaces an
    /// earlier one, an empty one clears it.
    static func dictionary(_ cells: Cells) -> [Int: CellValue] {
        var out: [Int: CellValue] = [:]
        for (c, v) in cells { if case .empty = v { out[c] = nil } else { out[c] = v } }
        return out
    }
}

/// A worksheet read as a stream for an import: each pass (``forEachRow(_:)``) unpacks the sheet's
/// entry a piece at a time and scans it (``XMLStreamScanner``), handing each row on as it closes,
/// so memory stays flat whatever the number of rows. The shared strings and the date styles are
/// held (they are per distinct string and per format).
///
/// Opening it (``open(_:file:sheet:limits:)``) reads the sheet once to survey it: the XML is
/// checked whole (a damaged file is refused before an import begins, as when it was read whole),
/// and the survey finds what the rows need before the first is handed on: the header (the first
/// non-blank row), the blank rows, the used columns and the merged ranges, which Excel writes after
/// the rows. A sheet with merged ranges over several cells is surveyed a second time with the
/// ranges known, filling them as the rows go by: the header, the columns filled and the bound on
/// overlapping ranges then see the merged values. A sheet whose rows are not in order (Excel's
/// always are) cannot be filled as a stream and is read whole, within ``XLSXLimits/cells``.
struct XLSXSheetStream: Sendable {
    /// The rows an import holds at once (``Importer``'s batch): the bound on a sheet's width.
    static var batchRows: Int { Importer.batchSize }

    let input: XLSXArchive.Input
    let file: String
    let sheet: Sheet
    var sheetName: String { sheet.name }
    var place: String { sheet.place }
    let limits: XLSXLimits
    let merged: [XLSXSheet.Range]
    /// The non-blank rows' numbers, in order.
    let rows: [Int32]
    /// The used columns: one past the last that holds a cell in a non-blank row.
    let width: Int
    /// The columns with a value (not blank) in some row, merged values included.
    let filled: Set<Int>
    /// The first non-blank row, merged values filled.
    let header: (number: Int, cells: [CellValue])?

    /// The sheet as it is read whole (its rows out of order): nil when it streams.
    let whole: XLSXSheet?

    /// The worksheet found in a workbook: its name, its place for messages ("f.xlsx: the sheet
    /// '名单' (xl/worksheets/sheet1.xml)"), its entry, and what its cells refer to.
    struct Sheet: Sendable {
        let name: String
        let place: String
        let entry: XLSXArchive.Entry
        let shared: [String]
        let dateStyles: Set<Int>
    }

    /// The opened workbook: its archive and the worksheet to read.
    struct Workbook {
        var archive: XLSXArchive
        let sheet: Sheet
    }

    /// Opens the workbook and finds the worksheet (`wanted` by name, else the first); the sheet's
    /// entry is checked (its declared size against the limits) before the shared strings are read.
    static func workbook(_ input: XLSXArchive.Input, file: String, sheet wanted: String?, limits: XLSXLimits) throws -> Workbook {
        var archive = try XLSXArchive(input, file: file, limits: limits)
        guard let workbook = try archive.read("xl/workbook.xml") else {
            throw ExchangeError("\(file) is a ZIP archive but not an XLSX workbook (no xl/workbook.xml)")
        }
        let sheets = try XLSXReader.XMLElements(workbook, names: ["sheet"], part: "xl/workbook.xml", file: file)
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
           let target = try XLSXReader.XMLElements(rels, names: ["Relationship"], part: "xl/_rels/workbook.xml.rels", file: file)
               .first(where: { $0.attributes["Id"] == rid })?.attributes["Target"] {
            sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        let sheetPlace = "the sheet '\(MessageText.quoted(sheetName))' (\(MessageText.quoted(sheetPath)))"
        guard let entry = archive.entry(sheetPath) else {
            throw ExchangeError("\(file): \(sheetPlace) is missing from the archive; \(XLSXArchive.damagedHint)")
        }
        try archive.check(entry, held: false)
        let shared = try archive.read("xl/sharedStrings.xml").map {
            try XLSXReader.SharedStrings.parse($0, file: file, limit: limits.cells)
        } ?? []
        let dateStyles = try archive.read("xl/styles.xml").map { try XLSXReader.DateStyles.parse($0, file: file) } ?? []
        return Workbook(archive: archive, sheet: Sheet(name: sheetName, place: "\(file): \(sheetPlace)", entry: entry, shared: shared, dateStyles: dateStyles))
    }

    /// One pass over the sheet's XML: every row to `onRow`, then the handler (its merged ranges).
    static func scan(_ archive: XLSXArchive, _ w: Sheet,
                     cellLimit: Int? = nil, onRow: @escaping (Int, SheetRowHandler.Cells) throws -> Void) throws -> SheetRowHandler {
        var scanner = XMLStreamScanner(handler: SheetRowHandler(shared: w.shared, dateStyles: w.dateStyles, cellLimit: cellLimit, onRow: onRow))
        do {
            try archive.unpack(w.entry, held: false) { try scanner.feed($0) }
            try scanner.finish()
        } catch let e as XMLScanError {
            throw e.exchangeError(place: w.place)
        }
        return scanner.handler
    }

    static func open(_ input: XLSXArchive.Input, file: String, sheet wanted: String?, limits: XLSXLimits = XLSXLimits()) throws -> XLSXSheetStream {
        let w = try workbook(input, file: file, sheet: wanted, limits: limits)
        let parts = w.sheet
        // The survey: non-blank rows, used columns, the columns with values, the first row.
        final class Survey {
            var rows: [Int32] = []
            var width = 0
            var filled = Set<Int>()
            var header: (number: Int, cells: [CellValue])?
            var headerCells: SheetRowHandler.Cells = []
        }
        let survey = Survey()
        let handler = try scan(w.archive, parts) { number, cells in
            var blank = true, last = -1
            for (c, v) in cells where !v.isEmpty { blank = false; survey.filled.insert(c) }
            guard !blank else { return }
            for (c, v) in cells { if case .empty = v {} else { last = max(last, c) } }
            survey.width = max(survey.width, last + 1)
            if survey.rows.isEmpty { survey.headerCells = cells; survey.header = (number, []) }
            survey.rows.append(Int32(number))
        }
        var whole: XLSXSheet?
        if !handler.ascending {
            whole = try XLSXReader.read(w, limits: limits)
        }
        var filled = survey.filled
        var header = survey.header.map { h in
            var dense = [CellValue](repeating: .empty, count: survey.width)
            for (c, v) in survey.headerCells where c < survey.width { dense[c] = v }
            return (number: h.number, cells: dense)
        }
        let spanning = handler.merged.filter { $0.lastRow > $0.firstRow || $0.lastColumn > $0.firstColumn }
        if whole == nil, !spanning.isEmpty, survey.width > 0 {
            // Again with the ranges known: the header and the columns as the merged values fill them.
            var filler = MergeFiller(handler.merged, width: survey.width, rows: survey.rows, budget: limits.cells, place: w.sheet.place)
            var again = Set<Int>()
            header = nil
            var row = [CellValue](repeating: .empty, count: survey.width)
            _ = try scan(w.archive, parts) { number, cells in
                guard try Self.dense(cells, number: number, into: &row, filler: &filler) else { return }
                if header == nil { header = (number, row) }
                for (c, v) in row.enumerated() where !v.isEmpty { again.insert(c) }
            }
            filled = again
        }
        return XLSXSheetStream(input: input, file: file, sheet: w.sheet, limits: limits, merged: handler.merged, rows: survey.rows, width: survey.width,
                               filled: filled, header: header, whole: whole)
    }

    /// The row's cells laid out by column in `row` (its width), merged values filled; false (and
    /// `row` untouched) for a blank row, which is skipped.
    static func dense(_ cells: SheetRowHandler.Cells, number: Int, into row: inout [CellValue], filler: inout MergeFiller) throws -> Bool {
        guard cells.contains(where: { !$0.value.isEmpty }) else { return false }
        for i in row.indices { row[i] = .empty }
        for (c, v) in cells where c < row.count { row[c] = v }
        try filler.fill(number, &row)
        return true
    }

    /// Blank rows between the first and the last non-blank row.
    var blankRows: [Int] {
        if let whole { return whole.blankRows }
        var blank: [Int] = []
        for (a, b) in zip(rows, rows.dropFirst()) where b > a + 1 { blank += (Int(a) + 1)..<Int(b) }
        return blank
    }

    /// Every non-blank row in order, merged values filled, `width` cells each (the first `count`
    /// of them handed on: `row` is valid during the call).
    func forEachRow(_ body: (Int, ArraySlice<CellValue>) throws -> Void, count: Int) throws {
        if let whole {
            for r in whole.rows { try body(r.number, (0..<count).map { r.cells[$0] ?? .empty }[...]) }
            return
        }
        let archive = try XLSXArchive(input, file: file, limits: limits)
        var filler = MergeFiller(merged, width: width, rows: rows, budget: limits.cells, place: place)
        var row = [CellValue](repeating: .empty, count: width)
        // The scanner's callback escapes its closure: rows go through a box, and the body is called
        // without escaping through a pointer to it.
        try withoutActuallyEscaping(body) { body in
            _ = try Self.scan(archive, sheet) { number, cells in
                guard try Self.dense(cells, number: number, into: &row, filler: &filler) else { return }
                try body(number, row[..<min(count, row.count)])
            }
        }
    }
}

/// Merged ranges filled as the rows go by, in order: a range's value (its first cell) stands for
/// every cell of it in the rows that hold data, as ``XLSXReader/fillMerged(_:into:width:budget:place:)``
/// fills a sheet read whole, with the same result: ranges are applied in the order written, each
/// taking its value from its first cell as the ranges before it left it. The cells filled are
/// bounded by `budget` (ranges that together cover more must overlap, which Excel never writes).
struct MergeFiller {
    private let ranges: [XLSXSheet.Range]
    private let width: Int
    private let rows: [Int32]
    private let budget: Int
    private let place: String
    /// Range indexes by first row, and the next to start.
    private let byStart: [Int]
    private var next = 0
    /// Ranges that have their value, by index: each applies to the rows through its last.
    private var active: [(index: Int, value: CellValue)] = []
    private var visited = 0

    init(_ merged: [XLSXSheet.Range], width: Int, rows: [Int32], budget: Int, place: String) {
        self.ranges = merged
        self.width = width
        self.rows = rows
        self.budget = budget
        self.place = place
        self.byStart = merged.indices
            .filter { merged[$0].lastRow > merged[$0].firstRow || merged[$0].lastColumn > merged[$0].firstColumn }
            .sorted { (merged[$0].firstRow, $0) < (merged[$1].firstRow, $1) }
    }

    /// Fills row `number` (non-blank; rows come in order).
    mutating func fill(_ number: Int, _ row: inout [CellValue]) throws {
        guard width > 0, next < byStart.count || !active.isEmpty else { return }
        active.removeAll { ranges[$0.index].lastRow < number }
        // Ranges whose first row is this one take their value here; those that began on a blank row never do.
        var starting: [Int] = []
        while next < byStart.count, ranges[byStart[next]].firstRow <= number {
            if ranges[byStart[next]].firstRow == number { starting.append(byStart[next]) }
            next += 1
        }
        if starting.isEmpty {
            for (index, value) in active { apply(ranges[index], value, &row) }
            return
        }
        // In the order written: a range starting here reads its first cell after the ranges before it filled the row.
        var merged: [(index: Int, value: CellValue)] = []
        var a = 0
        for s in starting {
            while a < active.count, active[a].index < s { apply(ranges[active[a].index], active[a].value, &row); merged.append(active[a]); a += 1 }
            let range = ranges[s]
            guard range.firstColumn < row.count, case let top = row[range.firstColumn], !Self.isAbsent(top) else { continue }
            let columns = range.firstColumn...min(range.lastColumn, width - 1)
            let first = Self.firstIndex(rows, atLeast: range.firstRow), end = Self.firstIndex(rows, atLeast: range.lastRow + 1)
            guard first < end else { continue }
            visited += (end - first) * columns.count
            if visited > budget {
                throw ExchangeError("\(place): the merged ranges overlap (\(range) among them); unmerge the cells in Excel and save the file again")
            }
            apply(range, top, &row)
            merged.append((s, top))
        }
        while a < active.count { apply(ranges[active[a].index], active[a].value, &row); merged.append(active[a]); a += 1 }
        active = merged
    }

    /// A cell the sheet does not have (an empty one is not kept), as against one that is blank text.
    private static func isAbsent(_ v: CellValue) -> Bool { if case .empty = v { return true } else { return false } }

    private func apply(_ range: XLSXSheet.Range, _ value: CellValue, _ row: inout [CellValue]) {
        guard range.firstColumn < width else { return }
        for c in range.firstColumn...min(range.lastColumn, width - 1) where row[c].isEmpty { row[c] = value }
    }

    private static func firstIndex(_ rows: [Int32], atLeast number: Int) -> Int {
        var lo = 0, hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(rows[mid]) < number { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
