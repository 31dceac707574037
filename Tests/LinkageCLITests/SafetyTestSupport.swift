import Foundation
import XCTest

/// What the safety tests (XLSX import, export) share: arguments built as arrays, and the SHA-256
/// of a file, to prove a register byte for byte unchanged.
extension LinkageCLITestCase {
    func linkage(_ arguments: [String]) throws -> ProcessResult {
        try LinkageProcess.run(arguments, in: directory)
    }

    func sha256(_ name: String) throws -> String {
        let r = try LinkageProcess.execute(URL(fileURLWithPath: "/usr/bin/env"), ["sha256sum", name], in: directory,
                                           environment: LinkageProcess.cleanEnvironment, stdin: nil, timeout: 30)
        XCTAssertEqual(r.exitCode, 0, "\(r)")
        return r.stdout
    }
}
