import Foundation
import GRDB
import LinkageModel
import LinkageSample
import LuaBridge
import XCTest
@testable import LinkageScripting

/// The record methods that return related rows (c:households(date), v:households() …), declared
/// once in the model (Catalog.recordRelations), against SQL written here by hand on the sample
/// district; and the statements they run start from an index, never from every row.
final class RelationTests: XCTestCase {
    /// The sample district (7,790 households, fully linked, with handovers, visits, activities,
    /// problems and surveys), generated once for the class: the tests only read it.
    nonisolated(unsafe) private static var directory: URL!
    nonisolated(unsafe) private static var register: Register!

    override class func setUp() {
        super.setUp()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("linkage-relations-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            register = try Register(path: directory.appendingPathComponent("sample.db").path)
            _ = try SampleGenerator.generate(into: register, options: SampleOptions(newFile: true))
        } catch {
            XCTFail("cannot make the sample district: \(error)")
        }
    }

    override class func tearDown() {
        try? register?.queue.close()
        register = nil
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    private var register: Register { Self.register }

    /// The rows of each relation, written by hand: `:id` is the record, `:d` the date.
    private static let handWritten: [String: String] = {
        let active = "l.start_date <= :d AND (l.end_date IS NULL OR l.end_date > :d)"
        func linked(_ table: String, _ from: String, _ to: String, kind: String? = nil) -> String {
            "SELECT DISTINCT t.id FROM link AS l JOIN \(table) AS t ON t.id = l.\(to) WHERE l.\(from) = :id AND \(active)"
                + (kind.map { " AND t.kind = '\($0)'" } ?? "") + " ORDER BY t.id"
        }
        func children(_ table: String, _ column: String, kind: String? = nil) -> String {
            "SELECT id FROM \(table) WHERE \(column) = :id" + (kind.map { " AND kind = '\($0)'" } ?? "") + " ORDER BY id"
        }
        return [
            "household.cadres": linked("cadre", "household_id", "cadre_id"),
            "household.links": children("link", "household_id"),
            "household.visits": children("visit", "household_id"),
            "household.activities": children("activity", "household_id"),
            "household.problems": children("problem", "household_id"),
            "household.surveys": children("survey", "household_id"),
            "village.cadres": linked("cadre", "village_id", "cadre_id"),
            "village.units": linked("unit", "village_id", "unit_id"),
            "village.households": children("household", "village_id"),
            "village.links": children("link", "village_id"),
            "village.visits": children("visit", "village_id"),
            "village.activities": children("activity", "village_id"),
            "village.problems": children("problem", "village_id"),
            "area.villages": children("village", "area_id", kind: "village"),
            "area.communities": children("village", "area_id", kind: "community"),
            "area.units": children("unit", "area_id"),
            "area.households": "SELECT h.id FROM household AS h JOIN village AS v ON v.id = h.village_id WHERE v.area_id = :id ORDER BY h.id",
            "unit.villages": linked("village", "unit_id", "village_id", kind: "village"),
            "unit.communities": linked("village", "unit_id", "village_id", kind: "community"),
            "unit.cadres": children("cadre", "unit_id"),
            "unit.links": children("link", "unit_id"),
            "unit.visits": children("visit", "unit_id"),
            "unit.activities": children("activity", "unit_id"),
            "cadre.households": linked("household", "cadre_id", "household_id"),
            "cadre.villages": linked("village", "cadre_id", "village_id", kind: "village"),
            "cadre.communities": linked("village", "cadre_id", "village_id", kind: "community"),
            "cadre.links": children("link", "cadre_id"),
            "cadre.visits": children("visit", "cadre_id"),
            "cadre.activities": children("activity", "cadre_id"),
        ]
    }()

    /// Each record table's collections (a village record may be a community) and every how many
    /// records one is checked, so that each table gives a few hundred.
    private static let records: [(table: String, collections: [String], step: Int)] = [
        ("household", ["households"], 23), ("village", ["villages", "communities"], 1), ("area", ["areas"], 1),
        ("unit", ["units"], 1), ("cadre", ["cadres"], 23),
    ]

    /// A Lua table constructor of strings, for passing the SQL into a chunk.
    private func luaStrings(_ d: [String: String]) -> String {
        "{ " + d.sorted { $0.key < $1.key }.map { "[\"\($0.key)\"] = [[\($0.value)]]" }.joined(separator: ", ") + " }"
    }

    func testEveryRelationIsWrittenByHandHere() {
        XCTAssertEqual(Set(Catalog.recordRelations.map { "\($0.table).\($0.name)" }), Set(Self.handWritten.keys),
                       "a relation of the model without hand-written SQL in this test, or the reverse")
        XCTAssertEqual(Set(Catalog.recordRelations.map(\.table)), Set(Self.records.map(\.table)))
    }

    /// Every relation method gives the rows of the hand-written SQL, on several dates (the sample's
    /// handovers end links mid-year), with the date given as a string or { as_of = … }, and for
    /// links{ as_of = … }.
    func testEveryRelationMethodGivesTheRowsOfTheHandWrittenSQL() throws {
        let results = try ScriptEngine.with(register) { engine in
            try engine.lua.run("""
                local sql = \(luaStrings(Self.handWritten))
                local records = { \(Self.records.map { r in "{ \"\(r.table)\", { \(r.collections.map { "\"\($0)\"" }.joined(separator: ", ")) }, \(r.step) }" }.joined(separator: ", ")) }
                local function ids(rows) local t = {} for i, r in ipairs(rows) do t[i] = r.id end return table.concat(t, ",") end
                local function sorted(list) table.sort(list) return table.concat(list, ",") end
                local checked, nonempty, failures = 0, 0, {}
                linkage.as_of("2012-07-15")
                local function check(what, got, want)
                  checked = checked + 1
                  if want ~= "" then nonempty = nonempty + 1 end
                  if got ~= want and #failures < 10 then failures[#failures + 1] = what .. ": got {" .. got .. "}, SQL gives {" .. want .. "}" end
                end
                for _, r in ipairs(records) do
                  local tname, collections, step = r[1], r[2], r[3]
                  for _, cname in ipairs(collections) do
                    for rec in _G[cname]:where("id % ? = 0", step) do
                      for key, text in pairs(sql) do
                        local name = key:match("^" .. tname .. "%.(.+)$")
                        if name then
                          local what = cname .. ":get(" .. rec.id .. "):" .. name
                          if text:find(":d", 1, true) then
                            for _, d in ipairs({ "2012-03-01", "2012-07-15", "2012-12-31" }) do
                              local want = ids(db.query(text, { id = rec.id, d = d }))
                              check(what .. "('" .. d .. "')", sorted(rec[name](rec, d):pluck("id")), want)
                              check(what .. "{ as_of = '" .. d .. "' }", sorted(rec[name](rec, { as_of = d }):pluck("id")), want)
                            end
                            check(what .. "() on as_of", sorted(rec[name](rec):pluck("id")), ids(db.query(text, { id = rec.id, d = "2012-07-15" })))
                          else
                            check(what .. "()", sorted(rec[name](rec):pluck("id")), ids(db.query(text, { id = rec.id })))
                            if name == "links" then
                              local d = "2012-07-15"
                              local want = ids(db.query("SELECT id FROM link AS l WHERE " .. tname .. "_id = :id AND l.start_date <= :d AND (l.end_date IS NULL OR l.end_date > :d) ORDER BY id", { id = rec.id, d = d }))
                              check(what .. "{ as_of = '" .. d .. "' }", sorted(rec[name](rec, { as_of = d }):pluck("id")), want)
                            end
                          end
                        end
                      end
                    end
                  end
                end
                return checked, nonempty, table.concat(failures, "\\n")
                """)
        }
        guard results.count == 3, case .integer(let checked) = results[0], case .integer(let nonempty) = results[1] else { return XCTFail("\(results)") }
        XCTAssertEqual(results[2], .string(""))
        XCTAssertGreaterThan(checked, 3000)
        XCTAssertGreaterThan(nonempty, checked / 3, "most comparisons should find rows, or they prove little")
    }

    /// The statements a relation method runs start from an index: through link, the link index
    /// of the record's column (SQLite reads the record's links, then the linked rows by id); by
    /// foreign key, the index of that key. None scans a table, nor starts from an index that holds
    /// most of it (idx_village_kind): in a province register that is a millisecond against seconds.
    func testRelationStatementsStartFromAnIndexAndScanNoTable() throws {
        // What the methods run: the first record of each collection, each relation's :sql().
        let firsts = try ScriptEngine.with(register) { engine in
            try engine.lua.run("""
                local out = {}
                for _, c in ipairs({ "households", "villages", "communities", "areas", "units", "cadres" }) do
                  local rec = _G[c]:order_by("id"):first()
                  local mt = getmetatable(rec)
                  for key in pairs(\(luaStrings(Self.handWritten))) do
                    local name = key:match("^" .. mt.__table .. "%.(.+)$")
                    if name then out[#out + 1] = { key = key, id = rec.id, sql = (rec[name](rec, "2012-06-30"):sql()) } end
                  end
                end
                return out
                """)
        }
        guard case .array(let rows) = firsts.first, rows.count > Catalog.recordRelations.count else { return XCTFail("\(firsts)") }
        try register.queue.read { db in
            let schema = try SchemaCatalog(db)
            for row in rows {
                guard case .string(let key) = row["key"], case .integer(let id) = row["id"], case .string(let luaSQL) = row["sql"],
                      let relation = Catalog.recordRelations.first(where: { "\($0.table).\($0.name)" == key }) else { return XCTFail("\(row)") }
                let query = relation.query(id: id, asOf: "2012-06-30")
                let select = try SQLGenerator(schema: schema, query: query).select()
                XCTAssertEqual(luaSQL, select.description, "\(key): the method runs the model's query")
                if relation.isDated {
                    XCTAssertTrue(select.text.contains(".id IN (SELECT l."), "\(key): \(select.text)")
                }
                for sql in [select, try SQLGenerator(schema: schema, query: query).count()] {
                    let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql.text,
                                                arguments: StatementArguments(sql.arguments.map(\.databaseValue)))
                        .map { $0["detail"] as String }
                    let shown = "\(key): \(sql.text)\n  " + plan.joined(separator: "\n  ")
                    XCTAssertFalse(plan.contains { $0.hasPrefix("SCAN ") }, "scans a table: \(shown)")
                    if relation.isDated {
                        XCTAssertTrue(plan.first?.hasPrefix("SEARCH \(relation.target.table) USING INTEGER PRIMARY KEY (rowid=?)") == true,
                                      "does not read the linked rows by id: \(shown)")
                        XCTAssertTrue(plan.contains { $0.contains("USING INDEX idx_link_\(relation.table)_id (\(relation.table)_id=?)") },
                                      "not from the link index: \(shown)")
                    } else {
                        XCTAssertTrue(plan.first?.contains("INDEX") == true && plan.first?.contains("(\(relation.table)_id=?)") == true,
                                      "not from the index of the foreign key: \(shown)")
                    }
                }
            }
        }
    }

    /// A date that is not a real day is an error naming it, also right after a good one (the
    /// last good date is remembered, so a loop checks its date once).
    func testARelationDateIsCheckedEveryTime() throws {
        try ScriptEngine.with(register) { engine in
            _ = try engine.lua.run("local c = cadres:get(1) c:households('2012-06-30'):count() c:households('2012-06-30')")
            for bad in ["'2012-02-30'", "{ as_of = '2012-6-30' }"] {
                XCTAssertThrowsError(try engine.lua.run("local c = cadres:get(1) c:households('2012-06-30') return c:households(\(bad))")) { error in
                    XCTAssertTrue("\(error)".contains("as_of must be a date written YYYY-MM-DD"), "\(error)")
                }
            }
        }
    }
}
