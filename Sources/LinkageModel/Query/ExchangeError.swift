/// A file that cannot be read or written at all (missing, empty, not a spreadsheet …): an input error.
/// In the model because `ExportTable.query` raises it for a statement that writes.
public struct ExchangeError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
