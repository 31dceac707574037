import Foundation
import GRDB
import GRDBSQLite
import XCTest
@testable import LinkageModel

/// SQLite's errors in linkage's words (DatabaseFailure), sorted by result code on a real register,
/// while GRDB's own DatabaseError keeps GRDB's description (no conformance added to it).
final class DatabaseFailureTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-failure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func refusal(_ body: () throws -> Void) -> DatabaseError? {
        do { try body() } catch let e as DatabaseError { return e } catch { XCTFail("not a DatabaseError: \(error)") }
        return nil
    }

    func testGRDBsErrorIsLeftAsGRDBDescribesIt() {
        let error: any Error = DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "CHECK constraint failed: x > 0", sql: "INSERT …")
        XCTAssertFalse(error is LocalizedError, "linkage adds no conformance to GRDB's DatabaseError")
        XCTAssertTrue(String(describing: error).contains("SQLite error 19"), String(describing: error))
        XCTAssertEqual(DatabaseFailure.from(error, readOnlySession: false)?.message, "CHECK constraint failed: x > 0")
        XCTAssertNil(DatabaseFailure.from(QueryError("not SQLite's"), readOnlySession: false))
    }

    func testAConstraintKeepsSQLitesMessageAndItsExtendedCode() throws {
        let register = try Register(path: directory.appendingPathComponent("r.db").path)
        let error = refusal {
            try register.queue.write { db in
                try db.execute(sql: "CREATE TEMP TABLE t (x INTEGER CHECK (x > 0)); INSERT INTO t VALUES (0)")
            }
        }
        let failure = try XCTUnwrap(error.map { DatabaseFailure($0, readOnlySession: false) })
        XCTAssertEqual(failure.code, SQLITE_CONSTRAINT | (1 << 8)) // SQLITE_CONSTRAINT_CHECK
        XCTAssertEqual(failure.message, "CHECK constraint failed: x > 0")
        XCTAssertFalse(failure.isAnotherWriter)
    }

    func testAWriteToARegisterOpenedReadOnlySaysSo() throws {
        let path = directory.appendingPathComponent("r.db").path
        _ = try Register(path: path)
        let register = try Register(path: path, mode: .readOnly)
        let error = refusal { try register.queue.inDatabase { try $0.execute(sql: "DELETE FROM household") } }
        let failure = try XCTUnwrap(error.map { DatabaseFailure($0, readOnlySession: true) })
        XCTAssertEqual(failure, .readOnlySession)
        XCTAssertTrue(failure.message.contains("open read-only (--read-only)"), failure.message)
        XCTAssertEqual(DatabaseFailure(error!, readOnlySession: false), .readOnlyFile(detail: error!.message ?? ""))
    }

    func testAHeldWriteLockIsAnotherWriter() throws {
        let path = directory.appendingPathComponent("r.db").path
        let holder = try Register(path: path)
        let waiter = try Register(path: path, busyTimeout: 0)
        try holder.queue.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            let error = refusal { try waiter.queue.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") } }
            let failure = try XCTUnwrap(error.map { DatabaseFailure($0, readOnlySession: false) })
            XCTAssertTrue(failure.isAnotherWriter, "\(failure)")
            XCTAssertTrue(failure.message.contains("--busy-timeout"), failure.message)
        }
    }
}
