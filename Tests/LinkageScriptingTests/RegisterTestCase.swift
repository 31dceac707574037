import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// A test with a register of its own in a temporary directory, optionally filled by
/// Fixtures/small-register.lua, and a way to run Lua against it as `linkage -e` does.
class RegisterTestCase: XCTestCase {
    var directory: URL!
    var register: Register!
    /// Whether the register starts with the small fixture's rows.
    var usesFixture: Bool { false }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/small-register.lua").path

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-\(type(of: self))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        register = try Register(path: directory.appendingPathComponent("test.db").path)
        if usesFixture {
            try ScriptEngine.with(register) { engine in _ = try engine.runSession(audit: nil, dryRun: false) { try engine.runFile(Self.fixture, arguments: []) } }
        }
    }

    override func tearDownWithError() throws {
        register = nil
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs a chunk in one transaction, as `linkage -e` does, and returns its results.
    @discardableResult
    func run(_ code: String) throws -> [LuaValue] {
        try ScriptEngine.with(register) { engine in
            var results: [LuaValue] = []
            _ = try engine.runSession(audit: nil, dryRun: false) { results = try engine.lua.run(code, chunkName: "=test") }
            return results
        }
    }

    func assertError(_ code: String, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try run(code), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
        }
    }
}
