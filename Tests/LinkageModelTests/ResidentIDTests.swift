import XCTest
@testable import LinkageModel

final class ResidentIDTests: XCTestCase {
    func testTheStandardsExampleIsValid() throws {
        XCTAssertEqual(try ResidentID("34052419800101001X").value, "34052419800101001X")
        XCTAssertEqual(try ResidentID("34052419800101001x").value, "34052419800101001X", "a lower-case x is read as X")
    }

    func testCheckCharacterIsComputed() {
        XCTAssertEqual(ResidentID.checkCharacter(for: "34052419800101001".map { Int(String($0))! }), "X")
    }

    func testEachProblemIsNamed() {
        XCTAssertThrowsError(try ResidentID("3405241980010100")) { XCTAssertEqual($0 as? ResidentID.Problem, .length(16)) }
        XCTAssertThrowsError(try ResidentID("34052419800101001Y")) { XCTAssertEqual($0 as? ResidentID.Problem, .characters) }
        XCTAssertThrowsError(try ResidentID("340524198002300010")) { XCTAssertEqual($0 as? ResidentID.Problem, .birthDate("19800230")) }
        XCTAssertThrowsError(try ResidentID("340524198001010011")) { error in
            XCTAssertEqual(error as? ResidentID.Problem, .checkCharacter(found: "1", expected: "X"))
            XCTAssertTrue("\(error)".contains("mistyped"))
        }
    }

    func testUnknownAreaCodesAreAccepted() throws {
        let digits = "99999919900101002"
        let id = digits + String(ResidentID.checkCharacter(for: digits.map { Int(String($0))! }))
        XCTAssertNoThrow(try ResidentID(id))
    }

    func testMaskingKeepsAreaAndLastFour() {
        XCTAssertEqual(ResidentID.masked("62050219800101123X"), "620502********123X")
    }
}
