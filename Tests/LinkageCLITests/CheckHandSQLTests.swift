import Foundation
import XCTest

/// Every check of `linkage check` against the same question asked again in plain SQL:
/// bench/checks_hand.sql, written from DOMAIN.md and docs/schema.md rather than from the engine's
/// SQL, run by the sqlite3 CLI. The register is a partly linked sample district (so coverage has
/// findings) plus hand-made cases at the edges of the rules: links that began before or during the
/// year, a handover, a link ending on the day, departed and excluded cadres still linked,
/// households unhooked after and before the target, a third cadre, an unlinked community, a
/// problem escalated after the day. The engine must name the same records as the hand SQL, check
/// by check, at the year's end and in mid-year, except where ``KnownDifference`` says why not.
final class CheckHandSQLTests: LinkageCLITestCase {
    static let handSQL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("bench/checks_hand.sql")

    /// The hand-made cases, tagged in link.note and problem.description so the tests can find
    /// them. Cadres are serving department_other cadres with no links (quota: one rural household),
    /// households rural ones with none, so each case starts from nothing.
    static let cases = """
        PRAGMA foreign_keys = ON;
        CREATE TEMP TABLE c AS SELECT id, row_number() OVER (ORDER BY id) AS k FROM cadre AS x
            WHERE role = 'department_other' AND left_on IS NULL AND NOT EXISTS (SELECT 1 FROM link WHERE cadre_id = x.id)
            ORDER BY id LIMIT 15;
        CREATE TEMP TABLE h AS SELECT id, row_number() OVER (ORDER BY id) AS k FROM household AS x
            WHERE kind = 'rural' AND NOT EXISTS (SELECT 1 FROM link WHERE household_id = x.id)
            ORDER BY id LIMIT 15;
        CREATE TEMP VIEW pair AS SELECT c.k, c.id AS cadre, h.id AS household FROM c JOIN h USING (k);
        -- linked from 1 March: 306 of 366 days owe 2 visits, 5.9 days, 2 talks; visited 2.3 + 2.3 + 1.3 days
        INSERT INTO link (cadre_id, household_id, start_date, note) SELECT cadre, household, '2012-03-01', 'case: pro-rated' FROM pair WHERE k = 1;
        INSERT INTO visit (cadre_id, household_id, date, days, kind)
            SELECT cadre, household, d, n, kind FROM pair,
                (SELECT '2012-04-10' AS d, 2.3 AS n, 'visit' AS kind UNION ALL SELECT '2012-08-15', 2.3, 'visit'
                 UNION ALL SELECT '2012-10-20', 1.3, 'visit' UNION ALL SELECT '2012-05-01', 1, 'talk' UNION ALL SELECT '2012-09-01', 1, 'talk')
            WHERE k = 1;
        -- handed over on 1 July: the old link owes half a year (182 days), the successor's the other half (184)
        INSERT INTO link (cadre_id, household_id, start_date, end_date, end_reason, successor_cadre_id, note)
            SELECT cadre, household, '2011-06-01', '2012-07-01', '调离', (SELECT id FROM c WHERE k = 3), 'case: handed over' FROM pair WHERE k = 2;
        INSERT INTO link (cadre_id, household_id, start_date, note)
            SELECT (SELECT id FROM c WHERE k = 3), household, '2012-07-01', 'case: successor' FROM pair WHERE k = 2;
        INSERT INTO visit (cadre_id, household_id, date, days, kind)
            SELECT cadre, household, '2012-03-01', 4, 'visit' FROM pair WHERE k = 2
            UNION ALL SELECT cadre, household, '2012-07-15', 2, 'visit' FROM pair WHERE k = 2 -- after the handover: not the old link's
            UNION ALL SELECT (SELECT id FROM c WHERE k = 3), household, '2012-08-01', 3.5, 'visit' FROM pair WHERE k = 2
            UNION ALL SELECT (SELECT id FROM c WHERE k = 3), household, '2012-09-01', 1, 'talk' FROM pair WHERE k = 2;
        -- linked since the year before, never visited: the whole standard
        INSERT INTO link (cadre_id, household_id, start_date, note) SELECT cadre, household, '2011-06-01', 'case: whole year' FROM pair WHERE k = 4;
        -- a cadre who left on 1 October without handing over; an excluded cadre whose link ends next year
        INSERT INTO link (cadre_id, household_id, start_date, note) SELECT cadre, household, '2012-02-01', 'case: left' FROM pair WHERE k = 5;
        UPDATE cadre SET left_on = '2012-10-01' WHERE id = (SELECT id FROM c WHERE k = 5);
        INSERT INTO link (cadre_id, household_id, start_date, end_date, end_reason, note)
            SELECT cadre, household, '2012-02-01', '2013-06-30', '调离', 'case: excluded' FROM pair WHERE k = 6;
        UPDATE cadre SET role = NULL, excluded = 'teacher' WHERE id = (SELECT id FROM c WHERE k = 6);
        -- unhooked on 1 November (脱贫): covered once the target is met (k = 7), not before (k = 8)
        UPDATE household SET exit_year = 2012, food_secure = 1, clothing_secure = 1, education_secured = 1,
            medical_secured = 1, housing_secured = (SELECT k = 7 FROM h WHERE h.id = household.id)
            WHERE id IN (SELECT id FROM h WHERE k IN (7, 8));
        INSERT INTO link (cadre_id, household_id, start_date, end_date, end_reason, note)
            SELECT cadre, household, '2012-02-01', '2012-11-01', '脱贫', 'case: unhooked' FROM pair WHERE k IN (7, 8);
        -- the target met only next year, and no link this year
        UPDATE household SET exit_year = 2013, food_secure = 1, clothing_secure = 1, education_secured = 1,
            medical_secured = 1, housing_secured = 1, address = 'case: target next year' WHERE id = (SELECT id FROM h WHERE k = 9);
        -- three cadres for one household (household_cadres_max is 2)
        INSERT INTO link (cadre_id, household_id, start_date, note)
            SELECT c.id, (SELECT id FROM h WHERE k = 10), '2012-02-01', 'case: third cadre' FROM c WHERE k IN (9, 10, 11);
        -- a link that ends on the last day of the year: not linked on it
        INSERT INTO link (cadre_id, household_id, start_date, end_date, end_reason, note)
            SELECT cadre, household, '2012-02-01', '2012-12-31', '其他', 'case: ends on the day' FROM pair WHERE k = 12;
        -- exits next year, lacks safe housing, linked all year (with a prosperity lead, so that
        -- outcomes has one finding for it)
        UPDATE household SET exit_year = 2013, housing_secured = 0 WHERE id = (SELECT id FROM h WHERE k = 13);
        INSERT INTO link (cadre_id, household_id, start_date, note) SELECT cadre, household, '2012-02-01', 'case: exits next year' FROM pair WHERE k = 13;
        INSERT INTO activity (action, cadre_id, household_id, date, title) SELECT 'prosperity', cadre, household, '2012-05-01', '制定发展规划' FROM pair WHERE k = 13;
        -- a cadre who links a village that is not poor (and the household of the quota)
        UPDATE village SET poor = 0 WHERE id = (SELECT v.id FROM village AS v WHERE v.kind = 'village'
            ORDER BY (SELECT count(*) FROM link WHERE village_id = v.id), v.id LIMIT 1);
        INSERT INTO link (cadre_id, village_id, start_date, note)
            SELECT cadre, (SELECT id FROM village WHERE kind = 'village' AND poor = 0), '2012-02-01', 'case: not a poor village' FROM pair WHERE k = 14;
        INSERT INTO link (cadre_id, household_id, start_date, note) SELECT cadre, household, '2012-02-01', 'case: quota household' FROM pair WHERE k = 14;
        -- a community whose links all end on 1 September
        UPDATE link SET end_date = '2012-09-01', end_reason = '其他'
            WHERE end_date IS NULL AND village_id = (SELECT min(v.id) FROM village AS v WHERE v.kind = 'community'
                AND EXISTS (SELECT 1 FROM link WHERE village_id = v.id AND end_date IS NULL));
        -- reported on 1 May, escalated on 15 July, never followed up
        INSERT INTO problem (reported_by_cadre_id, household_id, reported_on, description, status, escalated_on)
            SELECT cadre, household, '2012-05-01', 'case: escalated after the day', 'escalated', '2012-07-15' FROM pair WHERE k = 1;
        -- activities on the last day of the year count, on the first of the next do not
        INSERT INTO activity (action, cadre_id, household_id, date, title)
            SELECT 'prosperity', cadre, household, '2012-12-31', '制定发展规划' FROM pair WHERE k = 1
            UNION ALL SELECT 'prosperity', cadre, household, '2013-01-01', '理清增收思路' FROM pair WHERE k = 1;
        SELECT count(*) FROM link WHERE note LIKE 'case: %';
        """

    override func setUpWithError() throws {
        try super.setUpWithError()
        let made = try linkage("--db", "d.db", "sample", "--scale", "2000", "--linked", "partial")
        XCTAssertEqual(made.exitCode, 0, "\(made)")
        XCTAssertEqual(try sqlite3("d.db", Self.cases).trimmingCharacters(in: .whitespacesAndNewlines), "15", "every case was made")
    }

    /// One finding, as both sides name it.
    struct Finding: Hashable, Comparable, CustomStringConvertible {
        let check, severity, table, id: String
        var description: String { "\(check) \(severity) \(table) \(id)" }
        static func < (a: Finding, b: Finding) -> Bool { a.description < b.description }
    }

    /// The findings of a period, counted (problems may be found twice: deadline and follow-up),
    /// and each finding's `expected` text.
    struct Findings {
        var counts: [Finding: Int] = [:]
        var expected: [Finding: [String]] = [:]
        mutating func add(_ f: Finding, _ text: String) {
            counts[f, default: 0] += 1
            expected[f, default: []].append(text)
        }
        func of(_ check: String) -> Set<Finding> { Set(counts.keys.filter { $0.check == check }) }
    }

    /// The engine's findings: `linkage check` in JSON, the real binary.
    func engine(asOf: String) throws -> Findings {
        let r = try linkage("--db", "d.db", "check", "--year", "2012", "--as-of", asOf, "--format", "json", "-o", "engine.json")
        XCTAssertEqual(r.exitCode, 1, "the register has error-severity findings: \(r)")
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: bytes("engine.json")) as? [[String: Any]])
        var found = Findings()
        for row in rows {
            let f = Finding(check: row["check"] as! String, severity: row["severity"] as! String,
                            table: row["subject_table"] as! String, id: "\(row["subject_id"]!)")
            found.add(f, row["expected"] as? String ?? "")
        }
        return found
    }

    /// The hand-written SQL's findings for the same period, through the sqlite3 CLI.
    func hand(asOf: String) throws -> Findings {
        let text = try String(contentsOf: Self.handSQL, encoding: .utf8)
        let sections = text.components(separatedBy: "\n-- check: ").dropFirst()
        XCTAssertEqual(sections.count, 7, "bench/checks_hand.sql has the seven checks")
        let periodEnd = min(asOf, "2012-12-31")
        var script = """
            .parameter set :as_of "'\(asOf)'"
            .parameter set :year_start "'2012-01-01'"
            .parameter set :period_end "'\(periodEnd)'"
            .parameter set :year_days 366
            .separator "\t"

            """
        for section in sections {
            let statement = section.drop { $0 != "\n" }.trimmingCharacters(in: .whitespacesAndNewlines)
            script += "SELECT \"check\", severity, subject_table, subject_id, expected FROM (\(statement.dropLast()));\n"
        }
        var found = Findings()
        for line in try sqlite3("d.db", script).split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            found.add(Finding(check: f[0], severity: f[1], table: f[2], id: f[3]), f[4])
        }
        return found
    }

    /// Records the tests find by their tag.
    func id(_ sql: String) throws -> String {
        try sqlite3("d.db", sql).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func link(_ note: String) throws -> String { try id("SELECT id FROM link WHERE note = 'case: \(note)'") }

    /// Where the engine and the hand SQL disagree today, and why. Each is a finding the engine has
    /// and the hand SQL has not (or the reverse); if the engine is changed to agree, the test fails
    /// naming the entry: delete it then.
    struct KnownDifference {
        let onlyEngine: [Finding]
        let onlyHand: [Finding]
        let why: String
    }

    func knownDifferences(asOf: String) throws -> [KnownDifference] {
        let proRated = try link("pro-rated"), exitsNextYear = try id("SELECT household_id FROM link WHERE note = 'case: exits next year'")
        let notPoor = try id("SELECT cadre_id FROM link WHERE note = 'case: not a poor village'")
        let escalated = try id("SELECT id FROM problem WHERE description = 'case: escalated after the day'")
        // None today: the engine was corrected where the hand SQL found it wrong (a poor village
        // listed twice by actions, a problem escalated after the day, a REAL sum of days, villages
        // that are not poor counted towards a quota, a household exiting after the year).
        let known: [KnownDifference] = []
        _ = (proRated, exitsNextYear, notPoor, escalated)
        return known
    }

    /// The engine and the hand SQL find the same records for every check, but for the known
    /// differences and poor villages the engine lists twice under actions (see below).
    func assertSameFindings(asOf: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let (e, h) = (try engine(asOf: asOf), try hand(asOf: asOf))
        var onlyEngine = Set(e.counts.keys).subtracting(h.counts.keys)
        var onlyHand = Set(h.counts.keys).subtracting(e.counts.keys)
        for known in try knownDifferences(asOf: asOf) {
            XCTAssertTrue(Set(known.onlyEngine).isSubset(of: onlyEngine) && Set(known.onlyHand).isSubset(of: onlyHand),
                          "as of \(asOf), this known difference is gone — remove it from knownDifferences: \(known.why)", file: file, line: line)
            onlyEngine.subtract(known.onlyEngine)
            onlyHand.subtract(known.onlyHand)
        }
        XCTAssertEqual(onlyEngine.sorted(), [], "as of \(asOf), found by the engine only", file: file, line: line)
        XCTAssertEqual(onlyHand.sorted(), [], "as of \(asOf), found by the hand SQL only", file: file, line: line)
        for check in ["coverage", "quotas", "visits", "actions", "outcomes", "problems", "staff"] {
            XCTAssertFalse(e.of(check).isEmpty, "as of \(asOf), the register gives \(check) something to find", file: file, line: line)
        }
        let twice = Set(e.counts.filter { $0.value > h.counts[$0.key] ?? $0.value }.map(\.key))
        XCTAssertEqual(twice.sorted(), [], "as of \(asOf), findings the engine repeats", file: file, line: line)
        XCTAssertEqual(Set(h.counts.filter { $0.value > e.counts[$0.key] ?? $0.value }.map(\.key)), [], "findings the hand SQL repeats", file: file, line: line)
        // Visits: every link both find owes the same, pro-rated (engine "2 visits, 5.9 days, 2
        // talks", hand "visit 2, days 5.9, talk 2").
        for f in e.of("visits").intersection(h.of("visits")) {
            XCTAssertEqual(Self.owed(e.expected[f]![0]), Self.owed(h.expected[f]![0]), "as of \(asOf), link \(f.id) owes", file: file, line: line)
        }
    }

    /// "2 visits, 5.9 days, 2 talks" or "visit 2, days 5.9, talk 2" as ["visit": 2, "days": 5.9, "talk": 2].
    static func owed(_ text: String) -> [String: Double] {
        var owed: [String: Double] = [:]
        for item in text.components(separatedBy: ", ") {
            let words = item.split(separator: " ").map(String.init)
            guard words.count == 2 else { continue }
            let (number, name) = Double(words[0]) != nil ? (words[0], words[1]) : (words[1], words[0])
            owed[name.hasSuffix("s") && name != "days" ? String(name.dropLast()) : name] = Double(number)
        }
        return owed
    }

    func testEveryCheckFindsWhatTheHandSQLFindsAtTheYearsEnd() throws {
        try assertSameFindings(asOf: "2012-12-31")
    }

    func testEveryCheckFindsWhatTheHandSQLFindsInMidYear() throws {
        try assertSameFindings(asOf: "2012-06-30")
    }

    /// The cases at the rules' edges, by name: what each should (and should not) find.
    func testTheCasesAreFoundAsTheRulesSay() throws {
        let year = try engine(asOf: "2012-12-31"), june = try engine(asOf: "2012-06-30")
        func has(_ found: Findings, _ check: String, _ table: String, _ id: String) -> Bool {
            found.counts.keys.contains { $0.check == check && $0.table == table && $0.id == id }
        }
        func household(_ note: String) throws -> String { try id("SELECT household_id FROM link WHERE note = 'case: \(note)' LIMIT 1") }
        func cadre(_ note: String) throws -> String { try id("SELECT cadre_id FROM link WHERE note = 'case: \(note)'") }
        let unhooked = { (met: Int) in try self.id("SELECT h.id FROM link AS l JOIN household AS h ON h.id = l.household_id WHERE l.note = 'case: unhooked' AND h.housing_secured = \(met)") }
        let metNextYear = try id("SELECT id FROM household WHERE address = 'case: target next year'")
        XCTAssertFalse(has(year, "coverage", "household", try unhooked(1)), "unhooked once the target was met: covered")
        XCTAssertTrue(has(year, "coverage", "household", try unhooked(0)), "unhooked before 两不愁三保障 were met")
        XCTAssertTrue(has(year, "coverage", "household", metNextYear), "the target is met only in 2013")
        XCTAssertTrue(has(year, "coverage", "household", try household("third cadre")), "three cadres, at most two")
        XCTAssertTrue(has(year, "coverage", "household", try household("ends on the day")), "a link is off on its end date")
        XCTAssertFalse(has(june, "coverage", "household", try household("ends on the day")))
        XCTAssertTrue(has(year, "staff", "cadre", try cadre("left")), "left on 2012-10-01, still linked")
        XCTAssertFalse(has(june, "staff", "cadre", try cadre("left")), "still serving in June")
        XCTAssertTrue(has(year, "staff", "cadre", try cadre("excluded")), "excluded, with a link that ends in 2013")
        XCTAssertFalse(has(year, "quotas", "cadre", try cadre("left")), "a departed cadre has no quota")
        XCTAssertFalse(has(year, "visits", "link", try link("successor")), "the successor made its half year")
        XCTAssertFalse(has(june, "visits", "link", try link("pro-rated")), "by June it owed 1 visit, 2.3 days, 1 talk and had them")
    }

    /// The numbers owed, pro-rated, as worked out by hand: share = days linked in [1 January, the
    /// period's end] / 366; visits and talks round(2 × share), days round(7 × share, 1).
    func testVisitsOweTheStandardProRated() throws {
        let rows = { (asOf: String) throws -> [String: String] in
            let r = try self.linkage("--db", "d.db", "export", "--check", "visits", "--year", "2012", "--as-of", asOf, "--format", "json", "-o", "v.json")
            XCTAssertEqual(r.exitCode, 0, "\(r)")
            let all = try XCTUnwrap(JSONSerialization.jsonObject(with: self.bytes("v.json")) as? [[String: Any]])
            return Dictionary(uniqueKeysWithValues: all.map { ("\($0["subject_id"]!)", $0["expected"] as! String) })
        }
        let year = try rows("2012-12-31"), june = try rows("2012-06-30")
        // Linked since 2011: the whole year, 2 × 366/366; by 30 June 182/366 → 0.995 → 1, 3.48 → 3.5.
        XCTAssertEqual(year[try link("whole year")], "2 visits, 7.0 days, 2 talks")
        XCTAssertEqual(june[try link("whole year")], "1 visits, 3.5 days, 1 talks")
        // Handed over on 1 July: 182 days in either period; visited once for 4 days before, no talk.
        XCTAssertEqual(year[try link("handed over")], "1 visits, 3.5 days, 1 talks")
        XCTAssertEqual(june[try link("handed over")], "1 visits, 3.5 days, 1 talks")
        // From 1 March: 306/366 → 1.67 → 2 visits, 5.85 → 5.9 days; it has 2.3 + 2.3 + 1.3 = 5.9 days
        // (as a REAL sum 5.8999999999999995, which must still meet it) and its visits and talks.
        XCTAssertNil(year[try link("pro-rated")], "5.9 of 5.9 days: met")
        XCTAssertNil(june[try link("pro-rated")], "122/366 → 1 visit, 2.3 days, 1 talk: met")
        // The same numbers from the hand SQL, for these and every other link both find.
        let hand = try hand(asOf: "2012-06-30")
        let whole = Finding(check: "visits", severity: "warning", table: "link", id: try link("whole year"))
        XCTAssertEqual(Self.owed(hand.expected[whole]![0]), ["visit": 1, "days": 3.5, "talk": 1])
    }

    /// A rule changed from a day changes the quotas found from that day, with no code change, and
    /// exactly as the hand SQL predicts: from 1 July township_other cadres link two rural
    /// households, so those holding one are now short and those holding two now meet it.
    func testAQuotaRuleChangeChangesTheFindingsAsTheHandSQLPredicts() throws {
        let before = try engine(asOf: "2012-12-31").of("quotas"), juneBefore = try engine(asOf: "2012-06-30").of("quotas")
        let set = try linkage("--db", "d.db", "rules", "set", "quota", "role=township_other", "rural_households=2", "--from", "2012-07-01")
        XCTAssertEqual(set.exitCode, 0, "\(set)")
        let after = try engine(asOf: "2012-12-31").of("quotas")
        XCTAssertEqual(try engine(asOf: "2012-06-30").of("quotas"), juneBefore, "the rule of June is kept")
        XCTAssertEqual(after, try hand(asOf: "2012-12-31").of("quotas"), "the hand SQL")
        // Serving township_other cadres by what they hold on 31 December.
        let holding = { (rural: Int) throws -> Set<String> in
            Set(try self.sqlite3("d.db", """
                SELECT c.id FROM cadre AS c WHERE c.role = 'township_other' AND (c.left_on IS NULL OR c.left_on > '2012-12-31')
                  AND (SELECT count(*) FROM link AS l WHERE l.cadre_id = c.id AND l.start_date <= '2012-12-31'
                       AND (l.end_date IS NULL OR l.end_date > '2012-12-31')) = \(rural)
                  AND NOT EXISTS (SELECT 1 FROM link AS l JOIN household AS h ON h.id = l.household_id WHERE l.cadre_id = c.id
                       AND h.kind = 'urban' AND l.start_date <= '2012-12-31' AND (l.end_date IS NULL OR l.end_date > '2012-12-31'))
                  AND NOT EXISTS (SELECT 1 FROM link AS l WHERE l.cadre_id = c.id AND l.village_id IS NOT NULL
                       AND l.start_date <= '2012-12-31' AND (l.end_date IS NULL OR l.end_date > '2012-12-31'));
                """).split(separator: "\n").map(String.init))
        }
        let ids = { (s: Set<Finding>) in Set(s.map(\.id)) }
        XCTAssertEqual(ids(after.subtracting(before)), try holding(1), "holding one rural household: short from July")
        XCTAssertEqual(ids(before.subtracting(after)), try holding(2), "holding two: over the old rule, meeting the new")
        XCTAssertFalse(after.subtracting(before).isEmpty, "the change is seen")
    }
}
