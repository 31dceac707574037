import GRDB

/// One step of the register's schema. A register's version is the number of steps it has applied.
public struct Migration: Sendable {
    public let id: String
    public let apply: @Sendable (Database) throws -> Void

    public init(_ id: String, apply: @escaping @Sendable (Database) throws -> Void) {
        self.id = id
        self.apply = apply
    }
}
