import Foundation
import XCTest

/// assign.* on the sample district with no links, through the real binary: the same register
/// gives the same proposal, the rules (not code) decide it, a shortfall is reported, and a link
/// allowed past its quota warns and is found by `linkage check`.
final class AssignCLITests: LinkageCLITestCase {
    /// Every proposed link as "linker id → target id: reason", one a line.
    private static let dump = """
        local p = assign.all{ as_of = '2012-03-01' }
        local out = {}
        for i, e in ipairs(p) do
          out[i] = getmetatable(e.linker).__table .. ' ' .. rawget(e.linker, 'id') .. ' → ' .. getmetatable(e.target).__table .. ' '
            .. rawget(e.target, 'id') .. ': ' .. e.reason
        end
        return table.concat(out, '\\n')
        """

    private func district(_ name: String) throws {
        let r = try linkage("sample", "--db", name, "--linked", "none")
        XCTAssertEqual(r.exitCode, 0, "\(r)")
    }

    func testTheSameRegisterGivesTheSameProposal() throws {
        try district("a.db")
        try district("b.db")
        let first = try evaluate(Self.dump, db: "a.db")
        XCTAssertGreaterThan(first.split(separator: "\n").count, 8000, first.prefix(500).description)
        XCTAssertEqual(try evaluate(Self.dump, db: "a.db"), first, "two runs on one register")
        XCTAssertEqual(try evaluate(Self.dump, db: "b.db"), first, "two registers made alike")
        XCTAssertEqual(try sqlite3("a.db", "SELECT count(*) FROM link"), "0\n", "proposing writes nothing")
    }

    func testARuleChangeChangesTheProposalWithNoCodeChange() throws {
        try district("d.db")
        let count = "local p = assign.all{ as_of = '2012-03-01' } local n = 0 for _, e in ipairs(p) do if e.kind == 'rural household' then n = n + 1 end end return n"
        let places = """
            SELECT sum(q.rural_households) FROM cadre c JOIN quota_rule q ON q.role = c.role
            AND q.valid_from <= '2012-03-01' AND (q.valid_until IS NULL OR q.valid_until > '2012-03-01') WHERE c.excluded IS NULL
            """
        let before = try sqlite3("d.db", places)
        XCTAssertEqual(try evaluate(count, db: "d.db"), before, "every place of the rural quota is proposed")
        let set = try linkage("--db", "d.db", "rules", "set", "quota", "role=township_other", "rural_households=2", "--from", "2012-01-01")
        XCTAssertEqual(set.exitCode, 0, "\(set)")
        let after = try sqlite3("d.db", places)
        XCTAssertNotEqual(after, before)
        XCTAssertEqual(try evaluate(count, db: "d.db"), after, "the new quota, with no change of code")
    }

    func testQuotasOfZeroLeaveHouseholdsUncoveredAndTheProposalSaysWhy() throws {
        try district("z.db")
        for role in ["principal_leader", "deputy_head_subdistricts", "other_leader", "township_principal", "township_other",
                     "subdistrict_principal", "subdistrict_other", "department_principal", "department_other"] {
            let r = try linkage("--db", "z.db", "rules", "set", "quota", "role=\(role)", "villages=0", "rural_households=0",
                                "communities=0", "urban_households=0", "--from", "2012-01-01")
            XCTAssertEqual(r.exitCode, 0, "\(r)")
        }
        let out = try evaluate("""
            local p = assign.all{ as_of = '2012-03-01' }
            local lines = { #p }
            for _, u in ipairs(p.uncovered) do lines[#lines + 1] = u.what .. ': ' .. u.count .. ': ' .. u.reason end
            return table.concat(lines, '\\n')
            """, db: "z.db")
        let lines = out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "255", "units still cover the 214 poor villages and 41 communities: \(out)")
        // Every household that has not met its target (不脱钩: those that have need no cadre).
        for kind in ["rural", "urban"] {
            let n = try sqlite3("z.db", """
                SELECT count(*) FROM household WHERE kind = '\(kind)' AND NOT (exit_year IS NOT NULL AND exit_year <= 2012 AND food_secure
                  AND clothing_secure AND education_secured AND medical_secured AND housing_secured)
                """).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertTrue(lines.contains { $0.hasPrefix("\(kind) households: \(n): no eligible cadre has spare quota for \(kind) households") }, out)
        }
        XCTAssertTrue(out.contains("quota_rule in force on 2012-03-01"), out)
        // Without the units of no fixed number, the villages the unit quotas do not reach stay uncovered too.
        let closed = try evaluate("local p = assign.villages{ as_of = '2012-03-01', open_units = false } return p.uncovered[1].what, p.uncovered[1].count", db: "z.db")
        XCTAssertTrue(closed.hasPrefix("poor villages\t"), closed)
    }

    func testALinkPastItsQuotaWarnsAndTheCheckListsIt() throws {
        try loadSmallRegister()
        let refused = try linkage("--db", "test.db", "-e", "cadres:get(2):link(households:get(1), '2012-03-01') cadres:get(2):link(households:get(2), '2012-03-01')")
        XCTAssertEqual(refused.exitCode, 1)
        XCTAssertTrue(refused.stderr.contains("王芳 (cadre 2, township_other) would link 2 rural households on 2012-03-01, over the quota of 1"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("allow_over_quota"), refused.stderr)
        XCTAssertEqual(try sqlite3("test.db", "SELECT count(*) FROM link"), "0\n", "the run is rolled back")
        let allowed = try linkage("--db", "test.db", "-e", "cadres:get(2):link(households:get(1), '2012-03-01') cadres:get(2):link(households:get(2), { since = '2012-03-01', allow_over_quota = true })")
        XCTAssertEqual(allowed.exitCode, 0, "\(allowed)")
        XCTAssertTrue(allowed.stderr.contains("warning: 王芳 (cadre 2, township_other) links 2 rural households from 2012-03-01, over the quota of 1"), allowed.stderr)
        let check = try linkage("--db", "test.db", "export", "--check", "quotas", "--as-of", "2012-06-30")
        XCTAssertTrue(check.stdout.contains("quotas,error,cadre 2 王芳,太京镇人民政府,\"villages 0, rural 1, communities 0, urban 0\",\"villages 0, rural 2, communities 0, urban 0\",township_other: rural households 2 > 1 (over)"), check.stdout)
    }

    func testACadreWhoLeftIsNoLongerUnderQuota() throws {
        // 陈静 (department_other, 1 rural household) hands her household to her colleague 张伟:
        // once staying on, once leaving.
        for (db, left) in [("stays.db", "false"), ("leaves.db", "true")] {
            try loadSmallRegister(db)
            XCTAssertEqual(try evaluate("""
                cadres:get(5):link(households:get(1), '2012-03-01')
                local n, to = cadres:get(5):handover(nil, { date = '2012-09-01', reason = '调离', left = \(left) })
                return n, to.name
                """, db: db), "1\t张伟\n")
        }
        let stays = try linkage("--db", "stays.db", "export", "--check", "quotas", "--as-of", "2012-10-01")
        XCTAssertTrue(stays.stdout.contains("quotas,warning,cadre 5 陈静,区财政局"), "under quota while serving: \(stays.stdout)")
        let leaves = try linkage("--db", "leaves.db", "export", "--check", "quotas", "--as-of", "2012-10-01")
        XCTAssertFalse(leaves.stdout.contains("cadre 5 陈静"), "a departed cadre is not under quota: \(leaves.stdout)")
        XCTAssertTrue(try sqlite3("leaves.db", "SELECT left_on FROM cadre WHERE id = 5") == "2012-09-01\n")
        let staff = try linkage("--db", "leaves.db", "check", "--only", "staff", "--as-of", "2012-10-01")
        XCTAssertEqual(staff.exitCode, 0, "the departed cadre holds nothing: \(staff)")
    }
}
