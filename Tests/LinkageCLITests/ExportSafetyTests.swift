import Foundation
import XCTest

/// What an export may write: never the register or the files SQLite keeps beside it, however the
/// path names them; and CSV text that a spreadsheet would run as a formula defused, numbers not.
final class ExportSafetyTests: LinkageCLITestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        XCTAssertEqual(try linkage("--db", "r.db", "sample", "--scale", "20", "--seed", "1").exitCode, 0)
    }

    /// Every way to name the register or a side file, for `export -o` and for export.* in Lua,
    /// in every mode: refused with a message, the register's bytes unchanged, no side file made.
    func testAnExportNeverWritesOverTheRegisterOrItsSideFiles() throws {
        try FileManager.default.createSymbolicLink(atPath: path("link.db").path, withDestinationPath: "r.db")
        try FileManager.default.linkItem(atPath: path("r.db").path, toPath: path("hard.db").path)
        try FileManager.default.createDirectory(at: path("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path("sub/up").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: path("dangling").path, withDestinationPath: "r.db-journal")
        let names = ["r.db", "./r.db", path("r.db").path, "sub/../r.db", "link.db", "hard.db", "sub/up/r.db",
                     "r.db-wal", "r.db-shm", "r.db-journal", "sub/up/r.db-journal", "dangling"]
        let before = try sha256("r.db")
        for name in names {
            let what = name.hasSuffix("-wal") || name.hasSuffix("-shm") || name.hasSuffix("-journal") || name == "dangling"
                ? "a file SQLite keeps beside the register" : "it is the register"
            for mode in [[], ["--read-only"], ["--dry-run"]] {
                let lua = try linkage(["--db", "r.db"] + mode + ["-e", "return export.csv(households:limit(2), '\(name)')"])
                XCTAssertEqual(lua.exitCode, 1, "\(name) \(mode): \(lua)")
                XCTAssertTrue(lua.stderr.contains("cannot write \(name): ") && lua.stderr.contains(what), "\(name): \(lua.stderr)")
            }
            for format in ["csv", "xlsx", "json"] {
                let cli = try linkage(["--db", "r.db", "export", "households", "--format", format, "-o", name])
                XCTAssertEqual(cli.exitCode, 2, "\(name) \(format): \(cli)")
                XCTAssertTrue(cli.stderr.contains("an export never writes over the register"), "\(name): \(cli.stderr)")
            }
        }
        XCTAssertEqual(try sha256("r.db"), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("r.db-journal").path), "no side file was made")
        // The register opened through a link protects the file it points to.
        let viaLink = try linkage(["--db", "link.db", "export", "households", "-o", "r.db-wal"])
        XCTAssertEqual(viaLink.exitCode, 2, "\(viaLink)")
        // Another name beside the register is written as ever.
        XCTAssertEqual(try linkage(["--db", "r.db", "export", "households", "-o", "r.db.csv"]).exitCode, 0)
        XCTAssertEqual(try linkage(["--db", "r.db", "-e", "return export.csv(households:limit(2), 'r.db-wal.csv')"]).stdout, "2\n")
    }

    static let cells = """
        SELECT '=HYPERLINK(\"http://x\")' AS a, '+1' AS b, '-2+3' AS c, '@SUM(A1)' AS d, char(9) || 'tab' AS e,
               char(13) || 'cr' AS f, -5 AS g, -2.5 AS h, 'a=b' AS i, '' AS j, NULL AS k
        """

    func testFormulaTextIsDefusedInCSVAndNumbersAreNot() throws {
        let defused = try linkage(["--db", "r.db", "export", "--sql", Self.cells])
        XCTAssertEqual(defused.exitCode, 0, "\(defused)")
        XCTAssertEqual(defused.stdout, "a,b,c,d,e,f,g,h,i,j,k\r\n\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2+3,'@SUM(A1),'\ttab,\"'\rcr\",-5,-2.5,a=b,,\r\n")
        let raw = try linkage(["--db", "r.db", "export", "--raw-cells", "--sql", Self.cells])
        XCTAssertEqual(raw.stdout, "a,b,c,d,e,f,g,h,i,j,k\r\n\"=HYPERLINK(\"\"http://x\"\")\",+1,-2+3,@SUM(A1),\ttab,\"\rcr\",-5,-2.5,a=b,,\r\n")
        // The same in Lua, to a file; raw_cells = true keeps them raw.
        let sql = Self.cells.replacingOccurrences(of: "\n", with: " ")
        XCTAssertEqual(try evaluate("return export.csv(db.query([[\(sql)]]), 'd.csv', { columns = { 'a', 'c', 'g', 'h' } })", db: "r.db"), "1\n")
        XCTAssertEqual(try String(contentsOf: path("d.csv"), encoding: .utf8), "a,c,g,h\r\n\"'=HYPERLINK(\"\"http://x\"\")\",'-2+3,-5,-2.5\r\n")
        XCTAssertEqual(try evaluate("return export.csv(db.query([[\(sql)]]), 'r.csv', { raw_cells = true, columns = { 'a', 'g' } })", db: "r.db"), "1\n")
        XCTAssertEqual(try String(contentsOf: path("r.csv"), encoding: .utf8), "a,g\r\n\"=HYPERLINK(\"\"http://x\"\")\",-5\r\n")
    }
}
