import Foundation
import GRDB
import XCTest
@testable import LinkageModel

final class RegisterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-register-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func assertRefused(_ path: String, _ expected: RegisterError, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Register(path: path), file: file, line: line) { error in
            XCTAssertEqual(error as? RegisterError, expected, file: file, line: line)
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(before, after, "the refused file is byte-identical", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + "-wal"), "no WAL was created", file: file, line: line)
    }

    func testNewRegisterIsCreatedAtTheCurrentVersionInWALMode() throws {
        let p = path("new.db")
        let register = try Register(path: p)
        XCTAssertEqual(try register.schemaVersion(), Schema.currentVersion)
        try register.queue.read { db in
            XCTAssertEqual(try String.fetchOne(db, sql: "PRAGMA journal_mode"), "wal")
            XCTAssertEqual(try Int32.fetchOne(db, sql: "PRAGMA application_id"), Register.applicationID)
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), 1)
            XCTAssertEqual(try Int.fetchOne(db, sql: "PRAGMA busy_timeout"), 5000)
        }
    }

    func testReopeningACurrentRegisterKeepsItsData() throws {
        let p = path("keep.db")
        try Register(path: p).queue.write { try $0.execute(sql: "CREATE TABLE note (x); INSERT INTO note VALUES (1)") }
        let again = try Register(path: p)
        XCTAssertEqual(try again.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM note") }, 1)
    }

    func testAnEmptyFileBecomesARegister() throws {
        let p = path("empty.db")
        _ = FileManager.default.createFile(atPath: p, contents: Data())
        XCTAssertEqual(try Register(path: p).schemaVersion(), Schema.currentVersion)
    }

    func testATextFileIsRefusedAndLeftByteIdentical() throws {
        let p = path("notes.txt")
        try "户主姓名,身份证号\n张三,620502198001010011\n".write(toFile: p, atomically: true, encoding: .utf8)
        try assertRefused(p, .notSQLite(path: p))
    }

    func testAShortBinaryFileIsRefused() throws {
        let p = path("short.bin")
        try Data([0x53, 0x51, 0x4c]).write(to: URL(fileURLWithPath: p))
        try assertRefused(p, .notSQLite(path: p))
    }

    func testAnotherApplicationsSQLiteFileIsRefusedAndLeftByteIdentical() throws {
        let p = path("other.sqlite")
        let other = try DatabaseQueue(path: p)
        try other.write { try $0.execute(sql: "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)") }
        try other.close()
        try assertRefused(p, .foreignDatabase(path: p))
    }

    func testARegisterFromANewerVersionIsRefusedAndLeftByteIdentical() throws {
        let p = path("newer.db")
        do {
            let r = try Register(path: p)
            try r.queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA user_version = \(Schema.currentVersion + 1)")
                try db.execute(sql: "PRAGMA journal_mode = DELETE") // fold the WAL back into the file
            }
            try r.queue.close()
        }
        try assertRefused(p, .newerSchema(path: p, found: Schema.currentVersion + 1, supported: Schema.currentVersion))
    }

    func testAMissingDirectoryIsAClearError() {
        let p = path("no/such/dir/x.db")
        XCTAssertThrowsError(try Register(path: p)) { error in
            XCTAssertEqual(error as? RegisterError, .missingDirectory(path: p))
            XCTAssertTrue((error as? RegisterError)?.errorDescription?.contains("does not exist") == true)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("no")))
    }

    func testADirectoryIsNotARegister() {
        XCTAssertThrowsError(try Register(path: directory.path)) { error in
            XCTAssertEqual(error as? RegisterError, .isDirectory(path: directory.path))
        }
    }

    func testReadOnlyNeedsAnExistingCurrentRegisterAndRefusesWrites() throws {
        let p = path("ro.db")
        XCTAssertThrowsError(try Register(path: p, mode: .readOnly)) { error in
            XCTAssertEqual(error as? RegisterError, .notFound(path: p))
        }
        _ = try Register(path: p)
        let ro = try Register(path: p, mode: .readOnly)
        XCTAssertThrowsError(try ro.queue.write { try $0.execute(sql: "CREATE TABLE x (y)") })
    }

    func testOpeningAnOlderRegisterMigratesIt() throws {
        let p = path("old.db")
        do {
            let q = try DatabaseQueue(path: p)
            try Register.migrator(upTo: 1).migrate(q)
            XCTAssertEqual(try q.read { try Int.fetchOne($0, sql: "PRAGMA user_version") }, 1)
            try q.close()
        }
        XCTAssertEqual(try Register(path: p).schemaVersion(), Schema.currentVersion)
    }
}
