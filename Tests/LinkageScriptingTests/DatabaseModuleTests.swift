import Foundation
import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

final class DatabaseModuleTests: RegisterTestCase {
    private func makeScratch(rows: Int = 3) throws {
        try run("""
            db.exec("CREATE TEMP TABLE scratch (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, note TEXT)")
            for i = 1, \(rows) do db.exec("INSERT INTO scratch (name, score) VALUES (?, ?)", "n" .. i, i / 2) end
            """)
    }

    func testQueryReturnsRowsWithTypedValuesAndNilsAbsent() throws {
        try makeScratch()
        let r = try run("return db.query('SELECT id, name, score, note FROM scratch ORDER BY id')")
        XCTAssertEqual(r.count, 1)
        let rows = r[0]
        XCTAssertEqual(rows[1]["id"], 1)
        XCTAssertEqual(rows[1]["name"], "n1")
        XCTAssertEqual(rows[1]["score"], 0.5)
        XCTAssertEqual(rows[1]["note"], .nil)
        XCTAssertEqual(rows[3]["score"], 1.5)
        XCTAssertEqual(try run("return #db.query('SELECT * FROM scratch WHERE id > ?', 1)"), [2])
        XCTAssertEqual(try run("return #db.query('SELECT * FROM scratch WHERE id > 99')"), [0])
    }

    func testIntegersStayIntegersAndFloatsFloats() throws {
        XCTAssertEqual(try run("local r = db.query('SELECT 3 AS i, 3.0 AS f, 9007199254740993 AS big')[1] return math.type(r.i), math.type(r.f), r.big"),
                       ["integer", "float", .integer(9_007_199_254_740_993)])
        XCTAssertEqual(try run("return db.value('SELECT ?', 9223372036854775807)"), [.integer(Int64.max)])
    }

    func testPositionalAndNamedParameters() throws {
        XCTAssertEqual(try run("return db.value('SELECT ? || ?', 'a', 'b')"), ["ab"])
        XCTAssertEqual(try run("return db.value('SELECT ? + ?', {40, 2})"), [42])
        XCTAssertEqual(try run("return db.value('SELECT :a || @b || $c', {a = 'x', b = 'y', c = 'z'})"), ["xyz"])
        XCTAssertEqual(try run("return db.value('SELECT ?1 || ?1', 'r')"), ["rr"])
        XCTAssertEqual(try run("return db.value('SELECT ? IS NULL', nil), db.value('SELECT ?', true)"), [1, 1])
    }

    func testParameterMistakesAreClearErrors() throws {
        XCTAssertThrowsError(try run("db.value('SELECT ? + ?', 1)")) { e in
            XCTAssertTrue("\(e)".contains("SQL expects 2 bound values, got 1"), "\(e)")
        }
        XCTAssertThrowsError(try run("db.value('SELECT :name', {other = 1})")) { e in
            XCTAssertTrue("\(e)".contains("no value for SQL parameter :name"), "\(e)")
        }
        XCTAssertThrowsError(try run("db.value('SELECT ?, ?', {1, 2}, 3)")) { e in
            XCTAssertTrue("\(e)".contains("cannot bind a table"), "\(e)")
        }
    }

    func testRowsStreamsAndBreakingOutFinalizesTheStatement() throws {
        try makeScratch(rows: 10)
        XCTAssertEqual(try run("local n = 0 for r in db.rows('SELECT * FROM scratch') do n = n + r.id end return n"), [55])
        // A statement still stepping would lock the table against DROP.
        XCTAssertEqual(try run("""
            for r in db.rows('SELECT * FROM scratch') do if r.id == 2 then break end end
            db.exec('DROP TABLE scratch')
            return db.value("SELECT count(*) FROM sqlite_temp_master WHERE name = 'scratch'")
            """), [0])
    }

    func testRowsRunsInConstantMemory() throws {
        try run("db.exec('CREATE TEMP TABLE big (id INTEGER PRIMARY KEY, payload TEXT)')")
        try run("db.exec(\"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) INSERT INTO big SELECT i, printf('%050d', i) FROM n\")")
        let r = try run("""
            collectgarbage()
            local low, high, n = math.huge, 0, 0
            for r in db.rows('SELECT * FROM big') do
              n = n + 1
              if n % 20000 == 0 then
                local kb = collectgarbage('count')
                low, high = math.min(low, kb), math.max(high, kb)
              end
            end
            return n, high - low
            """)
        XCTAssertEqual(r[0], 200_000)
        guard case .number(let spreadKB) = r[1] else { return XCTFail("\(r)") }
        XCTAssertLessThan(spreadKB, 2048, "Lua heap spread while streaming 200,000 rows")
    }

    func testExecReturnsChangedRowsAndRunsStatementScripts() throws {
        try makeScratch(rows: 5)
        XCTAssertEqual(try run("return db.exec('UPDATE scratch SET note = ? WHERE id <= ?', 'x', 3)"), [3])
        XCTAssertEqual(try run("return db.exec('CREATE TEMP TABLE a(x); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);')"), [2])
        XCTAssertThrowsError(try run("db.exec('INSERT INTO a VALUES (?); INSERT INTO a VALUES (2)', 1)")) { e in
            XCTAssertTrue("\(e)".contains("several SQL statements"), "\(e)")
        }
    }

    func testSQLErrorsAreLuaErrorsWithSQLitesMessage() throws {
        XCTAssertEqual(try run("local ok, e = pcall(db.exec, 'SELEC 1') return ok, e"),
                       [false, "test:1: SQL error: near \"SELEC\": syntax error (in: SELEC 1)"])
        XCTAssertThrowsError(try run("db.query('SELECT * FROM nowhere')")) { e in
            XCTAssertTrue("\(e)".contains("no such table: nowhere"), "\(e)")
        }
    }

    func testConstraintViolationFailsAndChangesNothing() throws {
        try makeScratch()
        XCTAssertThrowsError(try run("db.exec(\"UPDATE scratch SET note = 'changed'\") db.exec(\"INSERT INTO scratch (name) VALUES ('n1')\")")) { e in
            XCTAssertTrue("\(e)".contains("UNIQUE constraint failed: scratch.name"), "\(e)")
        }
        XCTAssertEqual(try run("return db.value('SELECT count(*) FROM scratch WHERE note IS NOT NULL')"), [0])
    }

    func testALinkToAMissingHouseholdIsRefusedByTheForeignKey() throws {
        XCTAssertThrowsError(try run("db.exec(\"INSERT INTO link (cadre_id, household_id, start_date) VALUES (1, 424242, '2012-03-01')\")")) { e in
            XCTAssertTrue("\(e)".contains("FOREIGN KEY constraint failed"), "\(e)")
        }
    }

    func testInjectionAttemptsAreStoredAsText() throws {
        try makeScratch()
        let evil = "'; DROP TABLE scratch; --"
        XCTAssertEqual(try run("db.exec('INSERT INTO scratch (name) VALUES (?)', ...) return db.value('SELECT name FROM scratch WHERE id = 4')".replacingOccurrences(of: "...", with: "[[\(evil)]]")), [.string(evil)])
        XCTAssertEqual(try run("return db.value('SELECT count(*) FROM scratch')"), [4])
    }

    func testTransactionCommitsOrRollsBackAndNests() throws {
        try makeScratch()
        let r = try run("""
            local a = db.transaction(function(x) db.exec("UPDATE scratch SET note = 'a' WHERE id = 1") return x end, 'ok')
            local ok, e = pcall(db.transaction, function()
              db.exec("UPDATE scratch SET note = 'b' WHERE id = 2")
              db.transaction(function() db.exec("UPDATE scratch SET note = 'c' WHERE id = 3") end)
              error('undo both', 0)
            end)
            return a, ok, e, db.value("SELECT group_concat(coalesce(note, '-'), '') FROM scratch ORDER BY id")
            """)
        XCTAssertEqual(r, ["ok", false, "undo both", "a--"])
        XCTAssertEqual(try run("return db.value(\"SELECT group_concat(coalesce(note, '-'), '') FROM scratch\")"), ["a--"], "the outer run committed")
    }

    func testAFailingRunChangesNothing() throws {
        try makeScratch()
        XCTAssertThrowsError(try run("db.exec(\"UPDATE scratch SET note = 'x'\") db.exec('DELETE FROM scratch WHERE id = 1') error('half way')"))
        XCTAssertEqual(try run("return db.value('SELECT count(*) FROM scratch'), db.value('SELECT count(note) FROM scratch')"), [3, 0])
    }
}
