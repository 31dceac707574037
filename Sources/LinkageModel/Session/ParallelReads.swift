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
    /// Whether the caller is being stopped (a script's Ctrl-C or time limit): the other
    /// connections' statements ask it as SQLite's progress handler, and the first connection asks
    /// it while it waits for them, so the work stops with the caller's own statement. Read from
    /// several threads: it must change nothing.
    public var shouldStop: (@Sendable () -> Bool)?

    /// `open` makes one more read-only connection to the same register file.
    public init(width: Int = ProcessInfo.processInfo.activeProcessorCount, open: @escaping @Sendable () throws -> DatabaseQueue) {
        self.width = max(1, width)
        self.open = open
    }

    /// The same, stopping when `test` says so (see ``shouldStop``).
    public func stopping(when test: @escaping @Sendable () -> Bool) -> ParallelReads {
        var copy = self
        copy.shouldStop = test
        return copy
    }

    /// The results of `jobs`, in order. `db` must be in a read transaction (`queue.read`): its
    /// snapshot is the one every job reads.
    public func run<T>(_ db: Database, _ jobs: [(Database) throws -> T]) throws -> [T] {
        let helpers = helpers(db, jobs: jobs.count)
        guard helpers > 0 else { return try jobs.map { try $0(db) } }
        let state = try ParallelReadState(jobs: jobs, fingerprint: ParallelReads.fingerprint(db))
        let open = self.open, stop = shouldStop
        let group = ParallelReads.start(helpers) { state.helper(open, stop) }
        state.work(on: db)
        group.wait()
        return try state.results()
    }

    /// Jobs that each hand rows to a sink, run on several connections, their rows handed to
    /// `each` in the jobs' order, as if one connection ran them one after the other; returns
    /// each job's result, in order. The first connection runs the job whose turn it is straight
    /// into `each`; a job run ahead of its turn (on another connection, or on the first while it
    /// waits) puts its rows aside in a ``RowSpool`` until its turn comes. `db` as for ``run(_:_:)``.
    public func stream<T>(_ db: Database, _ jobs: [(Database, RowSink) throws -> T], each: RowSink) throws -> [T] {
        let helpers = helpers(db, jobs: jobs.count)
        guard helpers > 0 else { return try jobs.map { try $0(db, each) } }
        let state = try OrderedStreamState(jobs: jobs, fingerprint: ParallelReads.fingerprint(db))
        let open = self.open, stop = shouldStop
        let group = ParallelReads.start(helpers) { state.helper(open, stop) }
        defer { group.wait() }
        return try state.inOrder(on: db, each, stop: stop)
    }

    public typealias RowSink = ([SQLValue]) throws -> Void

    /// Runs `body` on a new connection made by `open`, in a read transaction, when that sees the
    /// state `fingerprint` was taken from; otherwise (or when it cannot be opened) does nothing.
    /// Its statements are interrupted once `stop` says so.
    static func onSameState(_ open: () throws -> DatabaseQueue, _ fingerprint: String, stop: (@Sendable () -> Bool)?,
                            _ body: (Database) -> Void) {
        guard let queue = try? open() else { return }
        defer { try? queue.close() }
        try? queue.inDatabase { db in
            let test = stop.map(StopTest.init)
            if let test {
                sqlite3_progress_handler(db.sqliteConnection, 10_000, { context in
                    Unmanaged<StopTest>.fromOpaque(context!).takeUnretainedValue().test() ? 1 : 0
                }, Unmanaged.passUnretained(test).toOpaque())
            }
            defer {
                if test != nil { sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil) }
                withExtendedLifetime(test) {}
            }
            try db.execute(sql: "BEGIN DEFERRED")
            defer { try? db.execute(sql: "ROLLBACK") }
            guard try ParallelReads.fingerprint(db) == fingerprint else { return }
            body(db)
        }
    }

    /// How many more connections `jobs` jobs may use on `db`: none when `db` is not in a read
    /// transaction or holds changes of its own that no other connection sees.
    private func helpers(_ db: Database, jobs: Int) -> Int {
        let n = min(width, jobs) - 1
        guard n > 0, db.isInsideTransaction, sqlite3_txn_state(db.sqliteConnection, nil) != SQLITE_TXN_WRITE else { return 0 }
        return n
    }

    /// Starts `count` threads running `body`; wait on the group for them.
    private static func start(_ count: Int, _ body: @escaping @Sendable () -> Void) -> DispatchGroup {
        let group = DispatchGroup()
        for _ in 0..<count { DispatchQueue.global().async(group: group, execute: body) }
        return group
    }

    /// What moves with every committed write: the audit log's last change (every table of the
    /// register is audited by its triggers) and the schema's version.
    static func fingerprint(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: """
            SELECT coalesce((SELECT max(rowid) FROM audit_change), 0) || ':' || (SELECT schema_version FROM pragma_schema_version)
            """) ?? ""
    }
}

/// A stop test, boxed for SQLite's progress handler.
private final class StopTest: Sendable {
    let test: @Sendable () -> Bool
    init(_ test: @escaping @Sendable () -> Bool) { self.test = test }
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
    func helper(_ open: () throws -> DatabaseQueue, _ stop: (@Sendable () -> Bool)?) {
        ParallelReads.onSameState(open, fingerprint, stop: stop) { work(on: $0) }
    }

    func results() throws -> [T] {
        if let failure { throw failure }
        return done.map { $0! }
    }
}

/// The jobs of one `ParallelReads.stream`: which are taken, which are done, and the rows of
/// those done ahead of their turn.
private final class OrderedStreamState<T>: @unchecked Sendable {
    private let turn = NSCondition()
    private let jobs: [(Database, ParallelReads.RowSink) throws -> T]
    private let fingerprint: String
    private var taken: [Bool]
    private var finished: [Bool]
    private var spools: [RowSpool?]
    private var results: [T?]
    private var failure: Error?
    /// The connections running jobs, to interrupt when one fails.
    private var running: [OpaquePointer] = []

    init(jobs: [(Database, ParallelReads.RowSink) throws -> T], fingerprint: String) {
        self.jobs = jobs
        self.fingerprint = fingerprint
        taken = Array(repeating: false, count: jobs.count)
        finished = taken
        spools = Array(repeating: nil, count: jobs.count)
        results = Array(repeating: nil, count: jobs.count)
    }

    /// The first job not yet taken after `from`, now taken; nil when none is left or one failed.
    private func take(after from: Int = -1) -> Int? {
        guard failure == nil, let i = taken.indices.first(where: { $0 > from && !taken[$0] }) else { return nil }
        taken[i] = true
        return i
    }

    /// Runs job `i` on `db`, its rows into a spool of its own. Called without the lock held.
    private func ahead(_ i: Int, on db: Database) {
        do {
            let spool = try RowSpool()
            let result = try jobs[i](db) { try spool.append($0) }
            turn.lock(); spools[i] = spool; results[i] = result
        } catch {
            turn.lock(); fail(error)
        }
        finished[i] = true
        turn.broadcast()
        turn.unlock()
    }

    /// Records the first failure and stops the helpers' statements. Called with the lock held.
    private func fail(_ error: Error) {
        guard failure == nil else { return }
        failure = error
        for connection in running { sqlite3_interrupt(connection) }
    }

    /// On its own connection, when it sees what the first one sees: takes jobs until none is left.
    func helper(_ open: () throws -> DatabaseQueue, _ stop: (@Sendable () -> Bool)?) {
        ParallelReads.onSameState(open, fingerprint, stop: stop) { db in
            turn.lock()
            running.append(db.sqliteConnection!)
            while let i = take() {
                turn.unlock()
                ahead(i, on: db)
                turn.lock()
            }
            running.removeAll { $0 == db.sqliteConnection }
            turn.unlock()
        }
    }

    /// The first connection: each job in its turn, run here into `each` when no one has taken
    /// it, or its spool read back once it is done; while the job whose turn it is runs
    /// elsewhere, it runs a later one ahead.
    /// While it waits, it asks `stop` every 50 ms, and stops everything when told to.
    func inOrder(on db: Database, _ each: ParallelReads.RowSink, stop: (@Sendable () -> Bool)?) throws -> [T] {
        turn.lock(); running.append(db.sqliteConnection!); turn.unlock()
        defer { turn.lock(); running.removeAll { $0 == db.sqliteConnection }; turn.unlock() }
        /// The first failure, which stopped the rest (an interrupted statement's error is not it).
        func failed(_ error: Error) -> Error {
            turn.lock(); defer { turn.unlock() }
            fail(error)
            return failure!
        }
        for i in jobs.indices {
            turn.lock()
            while true {
                if let failure { turn.unlock(); throw failure }
                if !taken[i] {
                    taken[i] = true
                    turn.unlock()
                    do {
                        let result = try jobs[i](db, each)
                        turn.lock(); results[i] = result; turn.unlock()
                    } catch {
                        throw failed(error)
                    }
                    break
                }
                if finished[i] {
                    let spool = spools[i]!
                    spools[i] = nil
                    turn.unlock()
                    do { try spool.replay(each) } catch {
                        throw failed(error)
                    }
                    break
                }
                if let j = take(after: i) {
                    turn.unlock()
                    ahead(j, on: db)
                    turn.lock()
                    continue
                }
                guard let stop else { turn.wait(); continue }
                turn.wait(until: Date(timeIntervalSinceNow: 0.05))
                if failure == nil, stop() {
                    fail(DatabaseError(resultCode: .SQLITE_INTERRUPT, message: "interrupted"))
                }
            }
        }
        turn.lock(); defer { turn.unlock() }
        return results.map { $0! }
    }
}
