import Foundation
import LinkageModel
import LinkageExchange
import LuaBridge
import XCTest
@testable import LinkageScripting

/// Problems and materials from Lua: record methods that write through the run's session (and so
/// the audit log), refresh the record, and refuse mistakes without writing; contact cards and
/// logs as rows export.* writes in their own column order.
final class ProblemAndMaterialScriptTests: RegisterTestCase {
    override var usesFixture: Bool { true }

    func testLifeCycleRefreshesTheRecordAndIsAudited() throws {
        let out = try run("""
            local h = households:get(1)
            local p = h:report_problem{ by = cadres:get(1), on = '2012-05-01', description = '危房改造资金不足' }
            local same = p
            p:escalate{ date = '2012-05-10' }:follow_up{ date = '2012-05-20', note = '已报区扶贫办' }
            p:close{ date = '2012-06-01', resolution = '纳入危房改造计划' }
            local u = communities:get(4):report_problem{ by = units:get(2), on = '2012-07-01', description = '路灯损坏' }
            return same.status, same.escalated_on, same.closed_on, same.resolution, #p:followups(), p:followups()[1].note,
              h:problems():count(), u.reporter_unit.name, u.village.name, tostring(getmetatable(p:followups()[1]).__table)
            """)
        XCTAssertEqual(out.map { $0.stringValue ?? "\($0)" },
                       ["closed", "2012-05-10", "2012-06-01", "纳入危房改造计划", "1", "已报区扶贫办", "1", "区财政局", "环城社区", "problem_followup"])
        let audited = try run("""
            local seen = {}
            for r in db.rows("SELECT table_name, action FROM audit_change WHERE table_name LIKE 'problem%' ORDER BY id") do
              seen[#seen + 1] = r.table_name .. ' ' .. r.action
            end
            return table.concat(seen, ', ')
            """)
        XCTAssertEqual(audited, [.string("problem insert, problem update, problem_followup insert, problem update, problem insert")])
    }

    /// Each mistake is a Lua error with the model's message, caught by pcall with nothing written.
    func testRefusalsWriteNothing() throws {
        try run("""
            local p = households:get(1):report_problem{ by = cadres:get(1), on = '2012-05-01', description = '饮水困难' }
            p:escalate{ date = '2012-05-10' }
            p:close{ date = '2012-06-01', resolution = '修建水窖' }
            """)
        let cases: [(String, String)] = [
            ("local c = cadres:get(1); c.id = 99; households:get(1):report_problem{ by = c, on = '2012-05-01', description = 'x' }", "there is no cadre with id 99"),
            ("local h = households:get(1); h.id = 99; h:report_problem{ by = units:get(1), on = '2012-05-01', description = 'x' }", "there is no household with id 99"),
            ("households:get(1):report_problem{ by = households:get(2), on = '2012-05-01', description = 'x' }", "by = the cadre or unit record"),
            ("households:get(1):report_problem{ on = '2012-05-01', description = 'x' }", "by = the cadre or unit record"),
            ("households:get(1):report_problem{ by = cadres:get(1), on = '2012-13-01', description = 'x' }", "on must be a date"),
            ("households:get(1):report_problem{ by = cadres:get(1), on = '2012-05-01', description = '' }", "description is empty"),
            ("households:get(1):report_problem{ by = cadres:get(1), on = '2012-05-01', description = 42 }", "description must be text"),
            ("villages:get(1):report_problem('2012-05-01')", "give the fields by name"),
            ("problems:get(1):close{ date = '2012-07-01', resolution = 'again' }", "already closed on 2012-06-01"),
            ("problems:get(1):escalate{ date = '2012-07-01' }", "a closed problem is not escalated"),
            ("problems:get(1):follow_up{ date = '2012-04-01', note = '早' }", "it cannot be followed up before, on 2012-04-01"),
            ("problems:get(1):follow_up{ date = '2012-07-01', note = '晚' }", "a follow-up on 2012-07-01 comes after it"),
            ("problems:get(1):follow_up{ date = '2012-05-15', note = '  ' }", "note is empty"),
            ("local p = problems:get(1); p.id = 42; p:escalate{ date = '2012-07-01' }", "there is no problem with id 42"),
        ]
        for (code, message) in cases {
            let out = try run("""
                local before = db.value("SELECT group_concat(p.status || p.reported_on || coalesce(p.closed_on, ''), ';') || '/' || (SELECT count(*) FROM problem_followup) FROM problem AS p")
                local changes = db.value("SELECT total_changes()")
                local ok, err = pcall(function() \(code) end)
                local after = db.value("SELECT group_concat(p.status || p.reported_on || coalesce(p.closed_on, ''), ';') || '/' || (SELECT count(*) FROM problem_followup) FROM problem AS p")
                return ok, tostring(err), before == after, db.value("SELECT total_changes()") == changes
                """)
            XCTAssertEqual(out.first, .boolean(false), code)
            XCTAssertTrue(out[1].stringValue?.contains(message) == true, "\(code): \(out[1])")
            XCTAssertEqual(Array(out.dropFirst(2)), [.boolean(true), .boolean(true)], "\(code) wrote something")
        }
    }

    func testReadOnlyRunRefusesAReport() throws {
        let readOnly = try Register(path: register.path, mode: .readOnly)
        XCTAssertThrowsError(try ScriptEngine.with(readOnly) { engine in
            _ = try engine.runSession(audit: nil, dryRun: false) {
                _ = try engine.lua.run("households:get(1):report_problem{ by = cadres:get(1), on = '2012-05-01', description = 'x' }")
            }
        })
        XCTAssertEqual(try run("return problems:count()"), [.integer(0)])
    }

    func testMaterialsAreRowsInTheirColumnOrderThatExportWritesAndPrintAligns() throws {
        let dir = directory.path
        let out = try run("""
            local c = cadres:get(1)
            c:link(households:get(1), '2012-03-01') c:link(households:get(2), '2012-03-01')
            units:get(2):link(villages:get(1), '2012-03-01') units:get(3):link(villages:get(1), '2012-03-01')
            c:update{ phone = '13912345678', title = '镇长' }
            local card = units:get(1):contact_card{ as_of = '2012-06-30' }
            assert(#card == 2 and card[1]['联系单位'] == '区教育局、区财政局' and card[2]['联系单位'] == nil)
            assert(#areas:get(2):contact_card('2012-06-30') == 0 and #c:contact_card('2012-02-29') == 0)
            export.csv(card, '\(dir)/card.csv')
            export.xlsx(card, '\(dir)/card.xlsx', { sheet = '联系卡' })
            households:get(1):report_problem{ by = c, on = '2012-05-01', description = '饮水困难' }
            db.exec("INSERT INTO visit (unit_id, village_id, date, days, kind) VALUES (2, 1, '2012-04-03', 1, 'publicity')")
            local log = units:get(2):linkage_log(2012)
            return tostring(card), #log, log[1]['类别'], log[2]['内容'], export.markdown(log)
            """)
        let text = out[0].stringValue ?? ""
        XCTAssertTrue(text.hasPrefix("联系卡 · 太京镇人民政府 · 2012-06-30\n\n乡镇    村      组  户主   联系干部"), text)
        // In Lua the rows hold the data, as records do; what is printed or exported is masked.
        XCTAssertTrue(text.contains("13912345678"), text)
        XCTAssertEqual(Array(out[1...3]), [.integer(2), .string("集中宣讲"), .string("共 1 次")])
        XCTAssertTrue(out[4].stringValue?.hasPrefix("| 日期 | 干部 | 单位 | 类别 | 对象 | 村 | 乡镇 | 天数 | 内容 |") == true, "\(out[4])")
        let csv = try String(contentsOfFile: directory.appendingPathComponent("card.csv").path, encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("乡镇,村,组,户主,联系干部,干部单位,职务,联系电话,联系起始,联系单位\r\n太京镇,窝驼村,,户主1,李明,太京镇人民政府,镇长,139****5678,2012-03-01,区教育局、区财政局\r\n"), csv)
        let sheet = try XLSXReader.read(directory.appendingPathComponent("card.xlsx"))
        XCTAssertEqual(sheet.name, "联系卡")
        XCTAssertEqual(sheet.rows.count, 3)
        XCTAssertEqual(sheet.rows[0].cells[9]?.text, "联系单位")
        XCTAssertEqual(sheet.rows[2].cells[3]?.text, "户主2")
    }

    func testMaterialsRefuseOtherRecordsAndBadOptions() {
        assertError("return households:get(1).contact_card", contains: "unknown field 'contact_card' of household")
        assertError("cadres:get(1):linkage_log{ year = '二〇一二' }", contains: "year must be a whole number")
        assertError("cadres:get(1):linkage_log(1900)", contains: "year must be between 1980 and 2100")
        assertError("cadres:get(1):contact_card{ as_of = '2012-6-30' }", contains: "as_of must be a date")
        assertError("local c = cadres:get(1); c.contact_card({ id = 1 })", contains: "call it on a cadre, unit or area record")
    }
}
