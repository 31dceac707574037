import Foundation
import XCTest

/// A CLI test whose `test.db` starts with the small fixture register (areas, villages, a few
/// households, units and cadres), made by running the fixture script through the real binary.
class SmallRegisterTestCase: LinkageCLITestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("LinkageScriptingTests/Fixtures/small-register.lua").path

    override func setUpWithError() throws {
        try super.setUpWithError()
        let r = try linkage("--db", "test.db", "run", Self.fixture)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
    }
}
