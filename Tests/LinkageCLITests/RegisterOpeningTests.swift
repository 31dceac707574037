import Foundation
import XCTest

/// Opening and locking: read-only runs leave nothing behind and work where nothing can be written;
/// a file that cannot be written, a held write lock and a full disk each say what they are, and
/// leave the register as it was.
final class RegisterOpeningTests: SmallRegisterTestCase {
    private func sideFiles(_ name: String = "test.db") -> [String] {
        ["-wal", "-shm", "-journal"].filter { fileExists(name + $0) }
    }

    func testReadingRunsLeaveTheFileAndNoSideFiles() throws {
        XCTAssertEqual(sideFiles(), [])
        let before = try bytes("test.db")
        for flags in [["--read-only"], [], ["--dry-run"]] {
            let r = try LinkageProcess.run(["--db", "test.db"] + flags + ["-e", "return households:count() > 0"], in: directory)
            XCTAssertTrue(r.exitCode == 0 && r.stdout.hasPrefix("true\n"), "\(flags): \(r)")
            XCTAssertEqual(sideFiles(), [], "\(flags) left side files")
            XCTAssertEqual(try bytes("test.db"), before, "\(flags) changed the file")
        }
        XCTAssertEqual(try linkage("--db", "test.db", "audit", "--verify").exitCode, 0)
        XCTAssertEqual(sideFiles(), [])
    }

    /// A read-only file system (a tmpfs mounted read-only; skipped where mounting is not allowed).
    func testReadOnlyFileSystem() throws {
        let mountPoint = path("ro")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard run("/bin/mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint.path) == 0 else {
            throw XCTSkip("mounting a tmpfs needs root; the read-only file system case is not tried here")
        }
        defer { _ = run("/bin/umount", mountPoint.path) }
        try FileManager.default.copyItem(at: path("test.db"), to: mountPoint.appendingPathComponent("test.db"))
        XCTAssertEqual(run("/bin/mount", "-o", "remount,ro", mountPoint.path), 0)
        let read = try linkage("--db", "ro/test.db", "--read-only", "-e", "return households:count() > 0")
        XCTAssertEqual(read.stdout, "true\n", "\(read)")
        let write = try linkage("--db", "ro/test.db", "-e", "return 1")
        XCTAssertEqual(write.exitCode, 2, "\(write)")
        XCTAssertTrue(write.stderr.contains("Read-only file system") && write.stderr.contains("use --read-only to read it"), write.stderr)
        let refused = try linkage("--db", "ro/test.db", "--read-only", "-e", "households:get(1):update{ members = 9 }")
        XCTAssertEqual(refused.exitCode, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("read-only"), refused.stderr)
    }

    /// An immutable file (chattr +i; skipped where the file system or the user cannot set it).
    func testImmutableFileNamesTheRealCause() throws {
        guard run("/usr/bin/chattr", "+i", path("test.db").path) == 0 else {
            throw XCTSkip("chattr +i is not possible here (needs root and a file system with attributes)")
        }
        defer { _ = run("/usr/bin/chattr", "-i", path("test.db").path) }
        let write = try linkage("--db", "test.db", "-e", "households:get(1):update{ members = 9 }")
        XCTAssertEqual(write.exitCode, 2, "\(write)")
        XCTAssertTrue(write.stderr.contains("immutable") && !write.stderr.contains("(--read-only)"), write.stderr)
        let read = try linkage("--db", "test.db", "--read-only", "-e", "return households:count() > 0")
        XCTAssertEqual(read.stdout, "true\n", "\(read)")
        XCTAssertEqual(sideFiles(), [])
    }

    /// Another program holds the write lock past --busy-timeout: the writer says so and writes nothing;
    /// a reader is not held up at all.
    func testAHeldWriteLockIsNamedAndReadersAreNotBlocked() throws {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [path("test.db").path, "BEGIN IMMEDIATE;", "UPDATE area SET name = name;", ".shell sleep 4", "ROLLBACK;"]
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        defer { holder.waitUntilExit() }
        Thread.sleep(forTimeInterval: 0.5)
        let started = Date()
        let reader = try linkage("--db", "test.db", "-e", "return households:count() > 0")
        XCTAssertEqual(reader.stdout, "true\n", "\(reader)")
        XCTAssertLessThan(Date().timeIntervalSince(started), 3, "a reader must not wait for the writer")
        let writer = try linkage("--db", "test.db", "--busy-timeout", "0.5", "-e", "households:get(1):update{ members = 9 }")
        XCTAssertEqual(writer.exitCode, 75, "\(writer)") // EX_TEMPFAIL: run it again
        XCTAssertTrue(writer.stderr.contains("another process holds the register's write lock") && writer.stderr.contains("--busy-timeout"), writer.stderr)
        holder.waitUntilExit()
        XCTAssertEqual(try evaluate("return households:get(1).members ~= 9"), "true\n")
    }

    /// The disk fills up during a write (the file size limit of the process, as a full disk would):
    /// an error that says so, exit 1, and the register intact and unchanged.
    func testAFullDiskIsAnErrorAndLosesNothing() throws {
        let before = try evaluate("return db.value('SELECT sum(members) FROM household')")
        // bash ignores SIGXFSZ so that writes past the limit fail with EFBIG instead of killing; the
        // write-ahead log cannot grow past 64 KB.
        let script = "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\""
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/bin/bash"),
                                           ["-c", script, try LinkageProcess.binary().path, "--db", "test.db", "-e",
                                            "db.exec('DELETE FROM survey') db.exec(\"WITH RECURSIVE y(n) AS (SELECT 1980 UNION ALL SELECT n + 1 FROM y WHERE n < 2100) INSERT INTO survey (household_id, year, score) SELECT h.id, y.n, 50 FROM household h, y\")"],
                                           in: directory, environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 60)
        XCTAssertEqual(r.exitCode, 1, "\(r)")
        XCTAssertTrue(r.stderr.lowercased().contains("full") || r.stderr.contains("disk"), r.stderr)
        XCTAssertEqual(try sqlite3("test.db", "PRAGMA integrity_check;"), "ok\n")
        XCTAssertEqual(try evaluate("return db.value('SELECT sum(members) FROM household')"), before)
        XCTAssertEqual(try linkage("--db", "test.db", "audit", "--verify").exitCode, 0)
    }

    @discardableResult
    private func run(_ executable: String, _ arguments: String...) -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return -1 }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
