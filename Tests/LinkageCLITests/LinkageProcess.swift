import Foundation
import XCTest

/// What one run of a program produced.
struct ProcessResult: CustomStringConvertible {
    let exitCode: Int32
    let stdout: String
    let stderr: String
    let stdoutData: Data

    var description: String {
        "exit code \(exitCode)\n--- stdout ---\n\(stdout)--- stderr ---\n\(stderr)--------------"
    }
}

enum LinkageProcessError: Error, CustomStringConvertible {
    case binaryNotFound(searched: [String])
    case timedOut(String, seconds: Double)

    var description: String {
        switch self {
        case .binaryNotFound(let searched):
            return "the linkage binary was not found next to the test bundle; run `swift build` first "
                + "(with the same --scratch-path as `swift test`), or set LINKAGE_BINARY. Looked in: "
                + searched.joined(separator: ", ")
        case .timedOut(let command, let seconds):
            return "\(command) did not finish within \(seconds) s and was terminated"
        }
    }
}

/// Runs the real `linkage` executable (and the sqlite3 CLI) as subprocesses.
enum LinkageProcess {
    /// The build products directory holding the test bundle, which also holds `linkage` after
    /// `swift build`.
    static func productDirectories() -> [URL] {
        var dirs: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            dirs.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // On Linux the .xctest "bundle" is the running executable itself.
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if exe.path != "/proc/self/exe" { dirs.append(exe.deletingLastPathComponent()) }
        dirs.append(Bundle.main.bundleURL)
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let first = CommandLine.arguments.first {
            dirs.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        var seen = Set<String>()
        return dirs.map { $0.standardizedFileURL }.filter { seen.insert($0.path).inserted }
    }

    static func binary() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["LINKAGE_BINARY"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let candidates = productDirectories().map { $0.appendingPathComponent("linkage") }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
                return candidate
            }
        }
        throw LinkageProcessError.binaryNotFound(searched: candidates.map(\.path))
    }

    /// The environment of the test process without LINKAGE_DB, so that a developer's own setting
    /// cannot leak into a test.
    static var cleanEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LINKAGE_DB")
        return env
    }

    /// Runs `linkage` with `arguments` in `directory`.
    static func run(
        _ arguments: [String],
        in directory: URL,
        environment: [String: String]? = nil,
        stdin: String? = nil,
        timeout: Double = 120,
        interruptAfter: Double? = nil
    ) throws -> ProcessResult {
        try execute(binary(), arguments, in: directory, environment: environment ?? cleanEnvironment,
                    stdin: stdin, timeout: timeout, interruptAfter: interruptAfter)
    }

    /// Runs the sqlite3 command-line shell on `database` with `sql` as its input.
    static func sqlite3(_ database: URL, _ sql: String) throws -> ProcessResult {
        let shell = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        } ?? "/usr/bin/sqlite3"
        return try execute(URL(fileURLWithPath: shell), ["-batch", "-bail", database.path],
                           in: database.deletingLastPathComponent(), environment: cleanEnvironment,
                           stdin: sql, timeout: 60)
    }

    /// Runs `executable` and collects its output. Output goes to temporary files, so neither pipe
    /// can fill up and block the child however much it writes.
    static func execute(
        _ executable: URL,
        _ arguments: [String],
        in directory: URL,
        environment: [String: String],
        stdin: String?,
        timeout: Double,
        interruptAfter: Double? = nil
    ) throws -> ProcessResult {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("linkage-cli-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))

        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        defer {
            try? out.close()
            try? err.close()
            try? input.close()
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()

        let deadline = Date().addingTimeInterval(timeout)
        // SIGINT, as Ctrl-C at a terminal sends it.
        var interruptAt = interruptAfter.map { Date().addingTimeInterval($0) }
        while process.isRunning {
            if let at = interruptAt, Date() > at {
                process.interrupt()
                interruptAt = nil
            }
            if Date() > deadline {
                process.terminate()
                process.waitUntilExit()
                throw LinkageProcessError.timedOut(
                    ([executable.lastPathComponent] + arguments).joined(separator: " "), seconds: timeout)
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        process.waitUntilExit()

        let stdoutData = (try? Data(contentsOf: outURL)) ?? Data()
        let stderrData = (try? Data(contentsOf: errURL)) ?? Data()
        return ProcessResult(
            exitCode: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self),
            stdoutData: stdoutData)
    }
}

/// A fresh temporary directory per test, removed afterwards; the base of the CLI tests.
class LinkageCLITestCase: XCTestCase {
    private(set) var directory: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        _ = try LinkageProcess.binary() // fails the test with "run swift build first" when missing
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("linkage-cli-test-\(UUID().uuidString)")
            .resolvingSymlinksInPath()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
        directory = nil
        try super.tearDownWithError()
    }

    /// Fills `db` with the scripting tests' small register (Tests/LinkageScriptingTests/Fixtures).
    func loadSmallRegister(_ db: String = "test.db", file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LinkageScriptingTests/Fixtures/small-register.lua").path
        let result = try linkage("--db", db, "run", fixture)
        XCTAssertEqual(result.exitCode, 0, "\(result)", file: file, line: line)
    }

    /// A path inside the test's directory.
    func path(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Writes `text` to a file in the test's directory and returns its URL.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let url = path(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Runs linkage in the test's directory.
    func linkage(_ arguments: String..., environment: [String: String]? = nil, stdin: String? = nil) throws -> ProcessResult {
        try LinkageProcess.run(arguments, in: directory, environment: environment, stdin: stdin)
    }

    /// Runs `linkage --db DB -e CODE` and requires it to succeed; returns its stdout.
    func evaluate(_ code: String, db: String = "test.db", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try linkage("--db", db, "-e", code)
        XCTAssertEqual(result.exitCode, 0, "linkage -e \(code) failed:\n\(result)", file: file, line: line)
        return result.stdout
    }

    func fileExists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: path(name).path)
    }

    func bytes(_ name: String) throws -> Data {
        try Data(contentsOf: path(name))
    }

    /// Runs the sqlite3 shell on a file of the test's directory and requires it to succeed.
    @discardableResult
    func sqlite3(_ name: String, _ sql: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try LinkageProcess.sqlite3(path(name), sql)
        XCTAssertEqual(result.exitCode, 0, "sqlite3 \(name) failed:\n\(result)", file: file, line: line)
        return result.stdout
    }
}
