import Foundation
import GRDB
import GRDBSQLite
import XCTest
@testable import LinkageModel

/// Jobs that hand rows on, run on several connections (``ParallelReads/stream(_:_:each:)``, what
/// `linkage check` runs its checks with): the rows come in the jobs' order whoever ran them, a
/// job's failure is the stream's, and rows run ahead wait in a ``RowSpool`` on disk.
final class ParallelStreamTests: XCTestCase {
    private var f: SchemaFixture!

    override func setUpWithError() throws {
        f = try SchemaFixture()
        try f.seed()
    }

    override func tearDownWithError() throws { f = nil }

    private var parallel: ParallelReads { ParallelReads(width: 2, open: f.register.parallelReads.open) }

    /// Job `i` yields rows (i, 0 …) from SQL, after a pause long enough for the second connection
    /// to take a job; it returns the connection it ran on.
    private func jobs(_ count: Int, rows: Int) -> [(Database, ParallelReads.RowSink) throws -> Int] {
        (0..<count).map { i in { db, sink in
            usleep(UInt32(20_000 * (count - i)))
            let cursor = try Row.fetchCursor(db, sql: """
                WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k + 1 < ?)
                SELECT ?, k, 'job ' || ? || ' row ' || k, k / 7.0 FROM n
                """, arguments: [rows, i, i])
            while let row = try cursor.next() { try sink((0..<4).map { SQLValue(row[$0] as DatabaseValue) }) }
            return Int(bitPattern: db.sqliteConnection)
        } }
    }

    func testRowsComeInTheJobsOrderFromEveryConnection() throws {
        let jobs = jobs(6, rows: 3_000)
        var streamed: [[SQLValue]] = [], alone: [[SQLValue]] = []
        let (connections, first) = try f.register.queue.read { db in
            let connections = try parallel.stream(db, jobs) { streamed.append($0) }
            for job in jobs { _ = try job(db) { alone.append($0) } }
            return (connections, Int(bitPattern: db.sqliteConnection))
        }
        XCTAssertEqual(Set(connections).count, 2, "two connections ran jobs")
        XCTAssertTrue(connections.contains(first))
        XCTAssertEqual(streamed.count, 18_000)
        XCTAssertEqual(streamed, alone, "the same rows in the same order as one connection running the jobs one by one")
    }

    func testInAWriteTransactionEveryJobRunsOnTheFirstConnection() throws {
        let jobs = jobs(3, rows: 10)
        var streamed: [[SQLValue]] = []
        let (connections, first) = try f.register.queue.write { db in
            try db.execute(sql: "UPDATE household SET income = income")
            return (try parallel.stream(db, jobs) { streamed.append($0) }, Int(bitPattern: db.sqliteConnection))
        }
        XCTAssertEqual(Set(connections), [first], "no other connection sees this transaction's changes")
        XCTAssertEqual(streamed.map { $0[0] }, (0..<3).flatMap { i in Array(repeating: SQLValue.integer(Int64(i)), count: 10) })
    }

    struct Refused: Error, Equatable { let job: Int }

    func testAFailingJobIsTheStreamsFailureAndStopsTheRest() throws {
        var jobs = jobs(5, rows: 100)
        jobs[3] = { _, _ in throw Refused(job: 3) }
        // a job that would run for minutes unless interrupted
        jobs[4] = { db, _ in
            _ = try Int.fetchOne(db, sql: "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n) SELECT count(*) FROM n")
            return 0
        }
        var seen = 0
        let started = Date()
        XCTAssertThrowsError(try f.register.queue.read { db in try parallel.stream(db, jobs) { _ in seen += 1 } }) { error in
            XCTAssertEqual(error as? Refused, Refused(job: 3))
        }
        XCTAssertLessThanOrEqual(seen, 300, "no row of a job after the failed one")
        XCTAssertLessThan(Date().timeIntervalSince(started), 60, "the endless job was interrupted")
    }

    /// Jobs that take 0.2 s on the first connection and run until interrupted on any other: the
    /// first connection soon waits for one running elsewhere.
    private func endlessElsewhere(first: @escaping @Sendable () -> OpaquePointer?) -> [(Database, ParallelReads.RowSink) throws -> Int] {
        (0..<3).map { _ in { db, _ in
            if db.sqliteConnection == first() { usleep(200_000); return 0 }
            _ = try Int.fetchOne(db, sql: "WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n) SELECT count(*) FROM n")
            return 1
        } }
    }

    /// `stop` answers true from `thread` (the first connection's, or any other) once 0.5 s have passed.
    private func stopTest(onFirst: Bool, _ firstThread: LockedBox<pthread_t?>) -> @Sendable () -> Bool {
        let after = Date(timeIntervalSinceNow: 0.5)
        return {
            guard Date() > after, let first = firstThread.value else { return false }
            return (pthread_equal(pthread_self(), first) != 0) == onFirst
        }
    }

    /// A script's Ctrl-C or --timeout stops the checks running on the other connections, whether
    /// the first connection notices while it waits for them or their own statements do.
    func testAStopTestStopsTheJobsOnEveryConnection() throws {
        for onFirst in [true, false] {
            let firstConnection = LockedBox<OpaquePointer?>(nil), firstThread = LockedBox<pthread_t?>(nil)
            let stopping = parallel.stopping(when: stopTest(onFirst: onFirst, firstThread))
            let started = Date()
            XCTAssertThrowsError(try f.register.queue.read { db in
                firstConnection.value = db.sqliteConnection
                firstThread.value = pthread_self()
                return try stopping.stream(db, endlessElsewhere { firstConnection.value }) { _ in }
            }) { error in
                XCTAssertEqual((error as? DatabaseError)?.resultCode, .SQLITE_INTERRUPT, "\(error)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(started), 60, onFirst ? "the waiting connection stopped the others" : "the others' statements stopped")
        }
    }

    func testAFailingConsumerStopsTheStream() throws {
        struct Full: Error {}
        XCTAssertThrowsError(try f.register.queue.read { db in
            try parallel.stream(db, jobs(4, rows: 50)) { row in if row[0] == .integer(1) { throw Full() } }
        }) { XCTAssertTrue($0 is Full) }
    }

    func testASpoolGivesBackEveryValueInOrderAcrossItsChunks() throws {
        let spool = try RowSpool()
        let long = String(repeating: "联村联户", count: 200_000) // 2.4 MB: longer than a chunk
        var rows: [[SQLValue]] = []
        for i in 0..<30_000 {
            var row: [SQLValue] = [.integer(Int64(i) * (i % 2 == 0 ? 1 : -1_000_000_007)), .real(Double(i) / 3), .text("户主\(i)"), .null]
            if i % 9_999 == 0 { row.append(.text(long)) }
            if i % 5_000 == 1 { row += [.blob([0, 1, 255, UInt8(i % 256)]), .text(""), .integer(.min), .real(-0.0)] }
            rows.append(row)
            try spool.append(row)
        }
        var back: [[SQLValue]] = []
        try spool.replay { back.append($0) }
        XCTAssertEqual(spool.count, rows.count)
        XCTAssertEqual(back, rows)
        let files = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
        XCTAssertFalse(files.contains { $0.hasPrefix("linkage-spool.") }, "the spool's file is unlinked as soon as it is made")
    }
}

/// SQLite's memory statistics are off (SQLiteShim), so connections reading at once on several
/// threads do not queue on one mutex for every allocation (province check: 21.2 s → 12.8 s).
final class SQLiteSetUpTests: XCTestCase {
    func testMemoryStatisticsAreOffOnceARegisterIsOpened() throws {
        let f = try SchemaFixture()
        try f.seed()
        guard Register.sqliteSetUp == SQLITE_OK else {
            throw XCTSkip("a database was opened in this test process before the first register (sqlite3_config: \(Register.sqliteSetUp))")
        }
        _ = try f.register.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM household") }
        XCTAssertEqual(sqlite3_memory_used(), 0, "SQLite counts no memory when its statistics are off")
    }
}

/// A value shared between a test's thread and the jobs' threads.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
