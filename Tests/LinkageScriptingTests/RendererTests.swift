import LinkageModel
import LuaBridge
import XCTest
@testable import LinkageScripting

/// Runs `code` on `lua` and renders what it returns, as the console shows it.
private func render(_ code: String, _ options: RenderOptions, in lua: LuaState) throws -> String {
    let base = lua.stack.top
    defer { lua.stack.top = base }
    try lua.load(code, chunkName: "=test")
    try lua.callOnStack(nargs: 0)
    return try TextModule.render(lua, valuesAbove: base, options: options)
}

/// The renderer on plain Lua values: no register needed.
final class RendererTests: XCTestCase {
    var lua: LuaState!

    override func setUpWithError() throws {
        lua = LuaState()
        try TextModule.install(in: lua)
    }

    override func tearDown() { lua.close() }

    func show(_ code: String, width: Int = 80, mode: RenderOptions.Mode = .table, color: Bool = false, depth: Int = 4) throws -> String {
        try render(code, RenderOptions(width: width, mode: mode, color: color, depth: depth), in: lua)
    }

    func testScalarsShowAsPrintShowsThemTabSeparated() throws {
        XCTAssertEqual(try show("return 1, 'a', nil, true, 2.5"), "1\ta\tnil\ttrue\t2.5")
        XCTAssertEqual(try show("return"), "")
        XCTAssertEqual(try show("return setmetatable({}, { __tostring = function() return 'custom' end })"), "custom")
    }

    func testWidthAndTruncateInLua() throws {
        XCTAssertEqual(try show("return linkage.width('e\\u{301}李😀'), linkage.width('👨‍👩‍👧'), linkage.width(42)"), "5\t2\t2")
        XCTAssertEqual(try show("return linkage.truncate('李家村', 4), linkage.truncate('abc', 5), linkage.truncate('🇨🇳🇺🇸', 3)"), "李…\tabc\t🇨🇳…")
    }

    func testTablesPrettyPrintSortedWithArraysAsLists() throws {
        XCTAssertEqual(try show("return {}"), "{}")
        let t = "return { 1, 2, 'three', x = { y = 'z\\n' }, ['not ident'] = 1, [true] = 0 }"
        XCTAssertEqual(try show(t), #"{ 1, 2, "three", ["not ident"] = 1, x = { y = "z\n" }, [true] = 0 }"#)
        XCTAssertEqual(try show(t, width: 40), #"""
            {
              1,
              2,
              "three",
              ["not ident"] = 1,
              x = { y = "z\n" },
              [true] = 0
            }
            """#)
    }

    func testACycleIsMarked() throws {
        XCTAssertEqual(try show("local t = { name = 'loop' }; t.self = t; t.list = { t }; return t"),
                       #"{ list = { <cycle> }, name = "loop", self = <cycle> }"#)
    }

    func testNestingStopsAtTheDepth() throws {
        let t = "return { a = { b = { c = { d = { e = 1 } } } } }"
        XCTAssertEqual(try show(t), "{ a = { b = { c = { d = {…} } } } }")
        XCTAssertEqual(try show(t, depth: 2), "{ a = { b = {…} } }")
    }

    /// Chinese, accents, an emoji ZWJ family and a flag line up by their display width.
    let mixed = "return { { id = 1, name = '李家村', n = 3 }, { id = 2, name = 'Zoe\\u{301} Chloé', n = 12.5 }, { id = 3, name = '👨‍👩‍👧 family 🇨🇳', n = -1 } }"

    func testRowsAlignByDisplayWidth() throws {
        XCTAssertEqual(try show(mixed), """
            id     n  name
            --  ----  ------------
             1     3  李家村
             2  12.5  Zoé Chloé
             3    -1  👨‍👩‍👧 family 🇨🇳
            """)
        XCTAssertEqual(try show(mixed, mode: .box), """
            ┌────┬──────┬──────────────┐
            │ id │    n │ name         │
            ├────┼──────┼──────────────┤
            │  1 │    3 │ 李家村       │
            │  2 │ 12.5 │ Zoé Chloé    │
            │  3 │   -1 │ 👨‍👩‍👧 family 🇨🇳 │
            └────┴──────┴──────────────┘
            """)
        XCTAssertEqual(try show(mixed, mode: .csv), "id,n,name\n1,3,李家村\n2,12.5,Zoé Chloé\n3,-1,👨‍👩‍👧 family 🇨🇳")
    }

    func testFortyColumnsCutCellsWithoutSplittingCharacters() throws {
        XCTAssertEqual(try show(mixed, width: 22, mode: .box), """
            ┌────┬──────┬────────┐
            │ id │    n │ name   │
            ├────┼──────┼────────┤
            │  1 │    3 │ 李家村 │
            │  2 │ 12.5 │ Zoé C… │
            │  3 │   -1 │ 👨‍👩‍👧 fa… │
            └────┴──────┴────────┘
            """)
        // Too narrow for every column at a useful width: the last ones are named instead.
        XCTAssertEqual(try show(mixed, width: 20, mode: .box), """
            ┌────┬──────┐
            │ id │    n │
            ├────┼──────┤
            │  1 │    3 │
            │  2 │ 12.5 │
            │  3 │   -1 │
            └────┴──────┘
            … 1 more column: na…
            """)
        let long = "return { { id = 1, name = '太京镇窝驼村一组', note = 'a long note about the household that goes on', ['line\\nbreak'] = 'x\\ty\\nz' } }"
        XCTAssertEqual(try show(long, width: 40), """
            id  line↵break  name         note
            --  ----------  -----------  -----------
             1  x y↵z       太京镇窝驼…  a long not…
            """)
        XCTAssertEqual(try show("return { { a = 'aaaaaaaaaa', b = 'bbbbbbbbbb', c = 'cccccccccc', d = 'dddddddddd', e = 'eeeeeeeeee', f = 'ffffffffff' } }", width: 40), """
            a       b       c       d        e
            ------  ------  ------  -------  -------
            aaaaa…  bbbbb…  ccccc…  dddddd…  eeeeee…
            … 1 more column: f
            """)
    }

    func testColourOnlyWhenAsked() throws {
        XCTAssertEqual(try show("return { { id = 1 } }", color: true), "\u{1B}[1mid\u{1B}[0m\n\u{1B}[2m--\u{1B}[0m\n 1")
    }
}

/// The renderer on records, lists of records and queries of the small fixture register.
final class RendererRegisterTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    func show(_ code: String, width: Int = 80, mode: RenderOptions.Mode = .table, rows: Int = 20) throws -> String {
        try ScriptEngine.with(register) { engine in
            try TextModule.install(in: engine.lua, schema: engine.queries.schema)
            var text = ""
            _ = try engine.runSession(audit: nil, dryRun: false) {
                text = try render(code, RenderOptions(width: width, mode: mode, rows: rows), in: engine.lua)
            }
            return text
        }
    }

    let village1 = """
        id      = 1
        area_id = 1
        code    = 620502101201
        name    = 窝驼村
        kind    = village
        poor    = 1
        """

    func testARecordIsAVerticalListOfItsFields() throws {
        XCTAssertEqual(try show("return villages:get(1)"), village1)
        XCTAssertEqual(try show("return villages:get(1)", mode: .line), village1)
    }

    func testAListOfRecordsIsATableInTheSchemasColumnOrder() throws {
        XCTAssertEqual(try show("return villages:where{ area = 1 }:list()"), """
            id  area_id  code          name    kind     poor
            --  -------  ------------  ------  -------  ----
             1        1  620502101201  窝驼村  village     1
             2        1  620502101202  石咀村  village     1
            """)
        XCTAssertEqual(try show("return villages:list()", width: 40), """
            id  area_…  code    name    kind    poor
            --  ------  ------  ------  ------  ----
             1       1  62050…  窝驼村  villa…     1
             2       1  62050…  石咀村  villa…     1
             3       2  62050…  烟铺村  villa…     1
            """)
    }

    func testAQueryShowsItsFirstRowsAndHowManyThereAre() throws {
        XCTAssertEqual(try show("return households:select('head_name', 'village.name')", rows: 3), """
            id  head_name  village.name
            --  ---------  ------------
             1  户主1      窝驼村
             2  户主2      石咀村
             3  户主3      烟铺村
            … 15 rows in all
            """)
        XCTAssertEqual(try show("return households:where{ kind = 'urban' }:select('head_name')"), """
            id  head_name
            --  ---------
            13  居民13
            14  居民14
            15  居民15
            3 rows
            """)
        XCTAssertEqual(try show("return households:where{ members = 99 }"), "0 rows")
    }

    /// Columns past the edge are named, not squeezed; a resident ID cut short is masked first.
    func testAWideQueryOnFortyColumns() throws {
        XCTAssertEqual(try show("return households:where{ kind = 'urban' }", width: 40), """
            id  village…  kind   head_na…  resident…
            --  --------  -----  --------  ---------
            13         4  urban  居民13    620502**…
            14         4  urban  居民14    620502**…
            15         4  urban  居民15    620502**…
            … 9 more columns: attribute, main_cause…
            3 rows
            """)
    }

    func testFileModesFormatRowsAsExportDoes() throws {
        let q = "return villages:where{ area = 1 }"
        let csv = "id,area_id,code,name,kind,poor\n1,1,620502101201,窝驼村,village,1\n2,1,620502101202,石咀村,village,1"
        XCTAssertEqual(try show(q, mode: .csv), csv)
        XCTAssertEqual(try show(q + ":list()", mode: .csv), csv)
        let json = """
            [
              {"id": 1, "area_id": 1, "code": "620502101201", "name": "窝驼村", "kind": "village", "poor": 1},
              {"id": 2, "area_id": 1, "code": "620502101202", "name": "石咀村", "kind": "village", "poor": 1}
            ]
            """
        XCTAssertEqual(try show(q, mode: .json), json)
        XCTAssertEqual(try show(q + ":list()", mode: .json), json)
        let markdown = """
            | id | area_id | code | name | kind | poor |
            | ---: | ---: | --- | --- | --- | ---: |
            | 1 | 1 | 620502101201 | 窝驼村 | village | 1 |
            | 2 | 1 | 620502101202 | 石咀村 | village | 1 |
            """
        XCTAssertEqual(try show(q, mode: .markdown), markdown)
        XCTAssertEqual(try show(q + ":list()", mode: .markdown), markdown)
        XCTAssertEqual(try show("return villages:get(1)", mode: .csv), "id,area_id,code,name,kind,poor\n1,1,620502101201,窝驼村,village,1")
        XCTAssertEqual(try show("return { { a = '=1+1', b = 'x,\"y\"', c = true } }", mode: .csv), "a,b,c\n'=1+1,\"x,\"\"y\"\"\",1")
    }

    func testLineModeListsEachRow() throws {
        XCTAssertEqual(try show("return villages:where{ area = 1 }:select('name')", mode: .line), """
            id   = 1
            name = 窝驼村

            id   = 2
            name = 石咀村
            2 rows
            """)
    }
}
