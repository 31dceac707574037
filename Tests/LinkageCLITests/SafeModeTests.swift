import Foundation
import XCTest

/// `--safe` runs a colleague's script without programs, C code, the debug library, binary chunks
/// or file writes outside the working directory; the register's files are never written as files.
final class SafeModeTests: SmallRegisterTestCase {
    private func safe(_ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try linkage("--db", "test.db", "--safe", "-e", code)
        XCTAssertEqual(r.exitCode, 0, "\(r)", file: file, line: line)
        return r.stdout
    }

    func testProgramsCCodeAndDebugAreGone() throws {
        XCTAssertTrue(try safe("return pcall(os.execute, 'touch pwned')").hasPrefix("false\tos.execute is not available in --safe mode"))
        XCTAssertTrue(try safe("return pcall(io.popen, 'touch pwned')").hasPrefix("false\tio.popen is not available"))
        XCTAssertTrue(try safe("return pcall(package.loadlib, '/lib/x86_64-linux-gnu/libc.so.6', 'system')").hasPrefix("false\tpackage.loadlib is not available"))
        XCTAssertEqual(try safe("return debug, package.cpath, package.searchers[3]"), "nil\t\tnil\n")
        XCTAssertEqual(try safe("return load(string.dump(function() return 1 end))"), "nil\tattempt to load a binary chunk (mode is 't')\n")
        XCTAssertEqual(try safe("return load('return 2')(), load('return x', 'n', 't', { x = 3 })()"), "2\t3\n")
        XCTAssertFalse(fileExists("pwned"))
    }

    func testWritesStayInTheWorkingDirectory() throws {
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-safe-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: path("link").path, withDestinationPath: FileManager.default.temporaryDirectory.path)
        for target in [outside, "../escape.txt", "link/escape.txt", "./sub/../../escape.txt"] {
            let out = try safe("return io.open('\(target)', 'w')")
            XCTAssertTrue(out.hasPrefix("nil\t") && out.contains("only inside the working directory"), "\(target): \(out)")
            XCTAssertTrue(try safe("return select(2, pcall(io.output, '\(target)'))").contains("only inside the working directory"))
            XCTAssertEqual(try safe("return (os.rename('x', '\(target)'))"), "nil\n")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: outside))
        XCTAssertEqual(try safe("local f = assert(io.open('mine.txt', 'w')) f:write('ok') f:close() return io.open('mine.txt'):read('a')"), "ok\n")
        XCTAssertEqual(try safe("return #households:list() > 0"), "true\n", "the register is there as usual")
    }

    func testTheRegisterIsNeverOverwrittenAsAFile() throws {
        let before = try bytes("test.db")
        try FileManager.default.linkItem(at: path("test.db"), to: path("hard.db"))
        for target in ["test.db", "./test.db", "test.db-wal", "test.db-shm", "hard.db", directory.path + "/test.db"] {
            let out = try safe("return io.open('\(target)', 'w')")
            XCTAssertTrue(out.contains("it is the register") || out.contains("a file SQLite keeps beside the register"), "\(target): \(out)")
        }
        XCTAssertEqual(try bytes("test.db"), before, "a run that only reads writes nothing, not even an audit session")
    }
}
