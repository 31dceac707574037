import Foundation
import XCTest

/// The console through the real binary: with standard input a pipe, and at a pseudo-terminal
/// driven as a person would (Fixtures/pty_session.py).
final class ConsoleTests: SmallRegisterTestCase {
    private static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pty_session.py").path

    /// Runs the console in a pseudo-terminal through `steps`; returns the transcript.
    private func terminal(_ steps: [[Any]], _ arguments: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: steps), as: UTF8.self)
        var environment = LinkageProcess.cleanEnvironment
        environment["XDG_STATE_HOME"] = path("state").path
        environment["NO_COLOR"] = "1"
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/python3"),
                                           [Self.driver, json, try LinkageProcess.binary().path, "--db", "test.db"] + arguments,
                                           in: directory, environment: environment, stdin: nil, timeout: 90)
        XCTAssertEqual(r.exitCode, 0, "\(r)", file: file, line: line)
        return r.stdout
    }

    func testAPipeRunsChunksWithoutPrompts() throws {
        let r = try linkage("--db", "test.db", stdin: """
            1 + 1
            for i = 1, 2 do
              print(i * 10)
            end
            households:where{ township = '玉泉镇' }:count() > 0
            local h = households:get(1) return h.resident_id
            """)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertEqual(r.stdout, "2\n10\n20\ntrue\n620502********0014\n")
        XCTAssertFalse(r.stdout.contains("linkage>"))
    }

    func testAPipeExitsOneWhenAChunkFailedAndEachChunkIsItsOwnTransaction() throws {
        let r = try linkage("--db", "test.db", stdin: """
            local _ = households:get(1):update{ members = 41 }
            local _ = households:get(2):update{ members = 42 } error('boom')
            return households:get(1).members, households:get(2).members
            """)
        XCTAssertEqual(r.exitCode, 1, "\(r)")
        XCTAssertTrue(r.stderr.contains("stdin:1: boom"), r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix("41\t") && !r.stdout.contains("42"), r.stdout)
        XCTAssertEqual(try evaluate("return households:get(1).members"), "41\n", "the first chunk committed")
    }

    func testBeginRollbackChangesAndSandbox() throws {
        let r = try linkage("--db", "test.db", stdin: """
            :begin
            local _ = households:get(1):update{ members = 77 }
            :changes
            :rollback
            return households:get(1).members == 77
            """)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        XCTAssertTrue(r.stdout.contains("the open transaction would change:") && r.stdout.contains("members:"), r.stdout)
        XCTAssertTrue(r.stdout.hasSuffix("false\n"), r.stdout)
        let before = try bytes("test.db")
        let sandbox = try linkage("--db", "test.db", "repl", "--sandbox", stdin: "local _ = households:get(1):update{ members = 78 }\nreturn households:get(1).members\n")
        XCTAssertEqual(sandbox.stdout, "78\n", "\(sandbox)")
        XCTAssertTrue(sandbox.stderr.contains("sandbox: everything was rolled back"), sandbox.stderr)
        XCTAssertEqual(try bytes("test.db"), before)
        let readOnly = try linkage("--db", "test.db", "--read-only", stdin: "households:get(1):update{ members = 79 }\n")
        XCTAssertEqual(readOnly.exitCode, 1)
        XCTAssertTrue(readOnly.stderr.contains("read-only"), readOnly.stderr)
    }

    func testCommandsTimerTablesSchemaLoadAndOnce() throws {
        try write("more.lua", "answer = 6 * 7")
        let r = try linkage("--db", "test.db", stdin: """
            :timer on
            return households:count() > 0
            :timer off
            :schema survey
            :load more.lua
            answer
            :once out.txt
            answer + 1
            :nonsense
            """)
        XCTAssertEqual(r.exitCode, 1, "\(r)") // :nonsense
        XCTAssertTrue(r.stderr.contains(" s, 1 statement, 1 row read"), r.stderr)
        XCTAssertTrue(r.stdout.contains("CREATE TABLE survey"), r.stdout)
        XCTAssertTrue(r.stdout.contains("42\n"), r.stdout)
        XCTAssertEqual(String(decoding: try bytes("out.txt"), as: UTF8.self), "43\n")
        XCTAssertTrue(r.stderr.contains("unknown command :nonsense"), r.stderr)
    }

    func testTerminalEditingCompletionInterruptAndHistory() throws {
        let transcript = try terminal([
            ["expect", "linkage> "],
            ["send", "1 + 1\r"], ["expect", "2\n"], ["expect", "linkage> "],
            ["send", "for i = 1, 2 do\r"], ["expect", "\\.\\.\\.> "], ["send", "print(i * 10) end\r"], ["expect", "20\n"],
            ["expect", "linkage> "],
            ["send", "households:wh\t"], ["expect", "households:where"], ["send", "{ township = \"玉\t"], ["expect", "玉泉镇"],
            ["send", "\" }:count() > 0\r"], ["expect", "true\n"], ["expect", "linkage> "],
            ["send", "io.write('run', 'ning\\n') while true do end\r"], ["expect", "running\n"], ["sigint"],
            ["expect", "interrupted; the chunk was rolled back"], ["expect", "linkage> "],
            ["send", "half a line"], ["expect", "half a line"], ["sigint"], ["expect", "linkage> "],
            ["send", "return 5\r"], ["expect", "5\n"], ["expect", "linkage> "],
            ["eof"], ["exit"],
        ])
        XCTAssertTrue(transcript.contains("--- exit 0"), transcript)
        // libedit's own format: a header line, and spaces written as \040.
        let history = String(decoding: try bytes("state/linkage/history"), as: UTF8.self).replacingOccurrences(of: "\\040", with: " ")
        XCTAssertTrue(history.contains("return 5"), history)
        XCTAssertFalse(history.contains("half a line"), "a line cleared with Ctrl-C is not kept")
        // File names after :load; the saved script runs as one chunk.
        try write("more.lua", "print('loaded ' .. 6 * 7)")
        let load = try terminal([["expect", "linkage> "], ["send", ":load mo\t"], ["expect", "re\\.lua"], ["send", "\r"],
                                 ["expect", "loaded 42\n"], ["expect", "linkage> "], ["eof"], ["exit"]])
        XCTAssertTrue(load.contains("--- exit 0"), load)
        // A second session finds the first one's lines (Up recalls the last).
        let second = try terminal([["expect", "linkage> "], ["send", "\u{1B}[A"], ["expect", ":load more.lua"], ["send", "\r"], ["expect", "loaded 42\n"], ["expect", "linkage> "],
                                   ["send", "\u{1B}[A\u{1B}[A\u{1B}[A"], ["expect", "return 5"], ["send", "\r"],
                                   ["expect", "5\n"], ["expect", "linkage> "], ["eof"], ["exit"]])
        XCTAssertTrue(second.contains("--- exit 0"), second)
    }

    func testCtrlCStopsALongStatement() throws {
        let transcript = try terminal([
            ["expect", "linkage> "],
            ["send", "io.write('go\\n') return db.value('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n')\r"],
            ["expect", "go\n"], ["sigint"], ["expect", "interrupted"], ["expect", "linkage> "], ["eof"], ["exit"],
        ])
        XCTAssertTrue(transcript.contains("--- exit 0"), transcript)
    }
}
