/// A mistake in a query or an edit, named by field and reason, with what would be right.
public struct QueryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of refusal it is, for a caller that adds advice of its own (never read from the words).
    public enum Kind: Sendable, Equatable {
        /// A value, field or request that is wrong as given.
        case invalid
        /// A link past a quota or household_cadres_max, which `allow_over_quota` would make anyway.
        case overQuota
    }

    public let message: String
    public let kind: Kind

    public init(_ message: String, kind: Kind = .invalid) {
        self.message = message
        self.kind = kind
    }

    public var description: String { message }
}
