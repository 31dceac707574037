import Foundation
import GRDB
import GRDBSQLite

/// Read-only work split over several connections that all read the register as one connection
/// sees it, so a report's parts run on every core and still add up to one state of the register.
///
/// SQLite runs one statement on one core. A province's visits measure or assessment is a few
/// long scans that do not depend on each other: run on two connections they take half the time.
/// Each extra connection begins its read transaction after the first one's and checks that no
/// write was committed in between (the audit log's last change and the schema version, which
/// every write moves); when one was, or when the first connection has uncommitted changes of its
/// own (a script's transaction), the jobs run one after the other on the first connection, which
/// gives the same answer, only later.
public struct ParallelReads: Sendable {
    /// How many connections at most, the first included.
    public let width: Int
    public let open: @Sendable () throws -> DatabaseQueue

    /// `open` makes one more read-only connection to the same register file.
    public init(width: Int = ProcessInfo.processInfo.activeProcessorCount, open: @escaping @Sendable () throws -> DatabaseQueue) {
        self.width = max(1, width)
        self.open = open
    }

    /// The results of `jobs`, in order. `db` must be in a read transaction (`queue.read`): its
    /// snapshot is the one every job reads.
    public func run<T>(_ db: Database, _ jobs: [(Database) throws -> T]) throws -> [T] {
        let helpers = min(width, jobs.count) - 1
        guard helpers > 0, db.isInsideTransaction, sqlite3_txn_state(db.sqliteConnection, nil) != SQLITE_TXN_WRITE else {
            return try jobs.map { try $0(db) }
        }
        let state = try ParallelReadState(jobs: jobs, fingerprint: ParallelReads.fingerprint(db))
        let group = DispatchGroup()
        for _ in 0..<helpers {
            let open = self.open
            DispatchQueue.global().async(group: group) {
                state.helper(open)
            }
        }
        state.work(on: db)
        group.wait()
        return try state.results()
    }

    /// What moves with every committed write: the audit log's last change (every table of the
    /// register is audited by its triggers) and the schema's version.
    static func fingerprint(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: """
            SELECT coalesce((SELECT max(rowid) FROM audit_change), 0) || ':' || (SELECT schema_version FROM pragma_schema_version)
            """) ?? ""
    }
}

/// The jobs and their results, shared by the threads of one `ParallelReads.run`.
private final class ParallelReadState<T>: @unchecked Sendable {
    private let lock = NSLock()
    private let jobs: [(Database) throws -> T]
    private let fingerprint: String
    private var next = 0
    private var done: [T?]
    private var failure: Error?

    init(jobs: [(Database) throws -> T], fingerprint: String) {
        self.jobs = jobs
        self.fingerprint = fingerprint
        done = Array(repeating: nil, count: jobs.count)
    }

    /// The next job to run, nil when none is left or one failed.
    private func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard failure == nil, next < jobs.count else { return nil }
        next += 1
        return next - 1
    }

    /// Runs jobs on `db` until none is left.
    func work(on db: Database) {
        while let i = take() {
            do {
                let result = try jobs[i](db)
                lock.lock(); done[i] = result; lock.unlock()
            } catch {
                lock.lock(); if failure == nil { failure = error }; lock.unlock()
            }
        }
    }

    /// On its own connection, when that connection sees what the first one sees; otherwise it
    /// leaves the jobs to the others. A connection that cannot be opened takes no job either.
    func helper(_ open: () throws -> DatabaseQueue) {
        guard let queue = try? open() else { return }
        defer { try? queue.close() }
        try? queue.inDatabase { db in
            try db.execute(sql: "BEGIN DEFERRED")
            defer { try? db.execute(sql: "ROLLBACK") }
            guard try ParallelReads.fingerprint(db) == fingerprint else { return }
            work(on: db)
        }
    }

    func results() throws -> [T] {
        if let failure { throw failure }
        return done.map { $0! }
    }
}
