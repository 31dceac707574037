import Foundation
import LinkageModel

/// Writes rows as they are read, as CSV or JSON, to a sink in 64 KB pieces: an export holds one
/// row at a time, whatever the row count. `Exporter.csv` and `Exporter.json` write whole tables
/// through it, so streaming and whole-table output are the same bytes.
public final class RowWriter: RowSink {
    public enum Format: Sendable { case csv(bom: Bool, rawCells: Bool), json }

    private let format: Format
    private let columns: [String]
    private let sink: (Data) throws -> Void
    private let mask: Bool
    private var buffer = ""
    public private(set) var rows = 0

    /// `mask`: resident IDs and mobile numbers in text masked (Privacy.mask), as linkage prints them.
    public init(_ format: Format, columns: [String], mask: Bool = false, sink: @escaping (Data) throws -> Void) {
        self.format = format
        self.columns = columns
        self.sink = sink
        self.mask = mask
        if case .csv(let bom, let rawCells) = format {
            if bom { buffer += "\u{FEFF}" }
            buffer += CSV.text([rawCells ? columns : columns.map(Exporter.defused)])
        }
    }

    /// To a file handle (standard output, or a file opened for writing).
    public convenience init(_ format: Format, columns: [String], mask: Bool = false, to handle: FileHandle) {
        self.init(format, columns: columns, mask: mask) { try handle.write(contentsOf: $0) }
    }

    public func write(_ row: [SQLValue]) throws {
        let row = mask ? row.map(Privacy.mask) : row
        switch format {
        case .csv(_, let rawCells):
            buffer += CSV.text([row.map { value in
                guard !rawCells, case .text(let s) = value else { return Exporter.text(value) }
                return Exporter.defused(s)
            }])
        case .json:
            buffer += rows == 0 ? "[\n  {" : ",\n  {"
            buffer += zip(columns, row).map { "\(Exporter.jsonString($0)): \(Exporter.jsonValue($1))" }.joined(separator: ", ")
            buffer += "}"
        }
        rows += 1
        if buffer.utf8.count >= 1 << 16 { try flush() }
    }

    /// Ends the output (JSON's closing bracket) and writes what is left.
    public func finish() throws {
        if case .json = format { buffer += rows == 0 ? "[]\n" : "\n]\n" }
        try flush()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try sink(Data(buffer.utf8))
        buffer = ""
    }
}
