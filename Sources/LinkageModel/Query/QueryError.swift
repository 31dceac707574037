/// A mistake in a query or an edit, named by field and reason, with what would be right.
public struct QueryError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
