import Foundation
import XCTest

/// The Lua that ships with linkage lives in the Lua folders of LinkageScripting and LinkageConsole,
/// where luac can check it and editors can read it, and nowhere else.
final class LuaSourcesTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    private static let targets = ["Sources/LinkageScripting", "Sources/LinkageConsole"].map { root.appendingPathComponent($0) }

    private func files(in directory: URL, ending suffix: String) throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { directory.appendingPathComponent($0) }
    }

    func testEveryLuaFileCompiles() throws {
        for sources in Self.targets {
            let lua = try files(in: sources.appendingPathComponent("Lua"), ending: ".lua")
            XCTAssertFalse(lua.isEmpty, "no .lua files under \(sources.path)/Lua")
            for file in lua {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["luac5.4", "-p", file.path]
                let errors = Pipe()
                process.standardError = errors
                try process.run()
                let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                // env exits 127 when luac5.4 is missing: say how to get it rather than "syntax error".
                XCTAssertNotEqual(process.terminationStatus, 127, "luac5.4 is not installed (Debian lua5.4; scripts/setup.sh installs it)")
                XCTAssertEqual(process.terminationStatus, 0, "\(file.lastPathComponent): \(message)")
            }
        }
    }

    /// A heuristic: a multi-line string literal with a line that begins like Lua code is Lua that
    /// crept back into Swift. Help text and examples are written otherwise.
    func testNoLuaInSwiftStringLiterals() throws {
        let starts = ["local ", "function ", "return function"]
        for file in try Self.targets.flatMap({ try files(in: $0, ending: ".swift") }) {
            let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
            var inside = false
            for (index, line) in lines.enumerated() {
                let text = line.trimmingCharacters(in: .whitespaces)
                // A literal opens with `"""` (or `#"""`) at the end of a line and closes with `"""` first.
                if !inside {
                    if text.hasSuffix("\"\"\"") || text.hasSuffix("\"\"\"#") { inside = true }
                    continue
                }
                if text.hasPrefix("\"\"\"") { inside = false; continue }
                if starts.contains(where: text.hasPrefix) {
                    XCTFail("\(file.lastPathComponent):\(index + 1) holds Lua in a string literal; move it to Lua/*.lua: \(text)")
                    break
                }
            }
        }
    }
}
