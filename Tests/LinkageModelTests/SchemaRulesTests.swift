import GRDB
import XCTest
@testable import LinkageModel

/// The rules of DOMAIN.md are rows of a new register, with the seed's numbers.
final class SchemaRulesTests: XCTestCase {
    func testQuotaRulesAreTheLinkageTableOfTheSeed() throws {
        let f = try SchemaFixture()
        let rows = try f.register.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT role, villages, rural_households, communities, urban_households FROM quota_rule")
        }
        var quotas: [String: [Int]] = [:]
        for row in rows {
            quotas[row["role"]] = [row["villages"], row["rural_households"], row["communities"], row["urban_households"]]
        }
        // role: poor villages, rural households, communities, urban households
        XCTAssertEqual(quotas, [
            "principal_leader": [1, 2, 2, 1],
            "deputy_head_subdistricts": [1, 2, 2, 1],
            "other_leader": [1, 2, 1, 1],
            "township_principal": [1, 2, 0, 0],
            "township_other": [0, 1, 0, 0],
            "subdistrict_principal": [0, 0, 1, 2],
            "subdistrict_other": [0, 0, 0, 1],
            "department_principal": [0, 1, 0, 1],
            "department_other": [0, 1, 0, 0],
        ])
        XCTAssertEqual(try f.int("SELECT count(*) FROM quota_rule WHERE note IS NULL"), 0, "every role says who it is")
    }

    func testEveryCadreRoleHasAQuotaRule() throws {
        let f = try SchemaFixture()
        try f.execute("INSERT INTO unit (id, name, kind) VALUES (1, '区委', 'four_bodies')")
        let (roles, cadreRoles) = try f.register.queue.read { db in
            let allowed = try SchemaCatalog(db)["cadre"]?["role"]?.allowed ?? []
            return (try String.fetchAll(db, sql: "SELECT DISTINCT role FROM quota_rule ORDER BY role"),
                    Set(allowed.compactMap { v -> String? in if case .text(let role) = v { return role } else { return nil } }))
        }
        // Every role cadre.role's CHECK allows has a quota rule …
        XCTAssertFalse(cadreRoles.isEmpty, "cadre.role's CHECK lists the roles")
        XCTAssertEqual(cadreRoles.subtracting(roles), [], "roles a cadre may hold but quota_rule has no rule for")
        // … and every rule is for a role a cadre may hold.
        for (i, role) in roles.enumerated() {
            try f.execute("INSERT INTO cadre (unit_id, name, role) VALUES (1, ?, ?)", ["干部\(i)", role])
        }
        f.assertRefused("INSERT INTO quota_rule (role, villages, rural_households, communities, urban_households) VALUES ('volunteer', 0, 1, 0, 0)",
                        code: .SQLITE_CONSTRAINT_CHECK)
    }

    func testUnitQuotaRulesLinkOneVillageOrNoFixedNumber() throws {
        let f = try SchemaFixture()
        let rows = try f.register.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT unit_kind, villages FROM unit_quota_rule")
        }
        var quotas: [String: Int] = [:]
        for row in rows { quotas[row["unit_kind"]] = row["villages"] }
        XCTAssertEqual(quotas, [
            "department": 1, "mass_org": 1, "enterprise": 1,
            "armed_forces": 0, "garrison": 0, "stationed": 0,
        ])
    }

    func testVisitStandardsAreTheThreeArrivalsOfTheSeed() throws {
        let f = try SchemaFixture()
        let rows = try f.register.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT actor, target, kind, min_count, min_days FROM visit_standard ORDER BY id")
        }
        let standards = rows.map { row -> String in
            let days: Double? = row["min_days"]
            return "\(row["actor"] as String) \(row["target"] as String) \(row["kind"] as String) ≥\(row["min_count"] as Int)"
                + (days.map { " ≥\($0) days" } ?? "")
        }
        XCTAssertEqual(standards, [
            "unit village visit ≥4 ≥30.0 days",
            "cadre household visit ≥2 ≥7.0 days",
            "unit village publicity ≥2",
            "cadre household talk ≥2",
        ])
        // A second row in force on the same days: refused by the overlap trigger (step 5).
        f.assertRefused("INSERT INTO visit_standard (actor, target, kind, min_count) VALUES ('unit', 'village', 'visit', 6)",
                        code: .SQLITE_CONSTRAINT_TRIGGER)
    }

    /// Other counties set other numbers: the rules are data an analyst changes, within their checks.
    func testRulesAreDataThatCanBeChangedWithinTheirChecks() throws {
        let f = try SchemaFixture()
        try f.execute("UPDATE visit_standard SET min_count = 6, min_days = 40 WHERE actor = 'unit' AND kind = 'visit'")
        try f.execute("UPDATE quota_rule SET rural_households = 3 WHERE role = 'township_other'")
        XCTAssertEqual(try f.int("SELECT rural_households FROM quota_rule WHERE role = 'township_other'"), 3)
        f.assertRefused("UPDATE quota_rule SET villages = -1 WHERE role = 'other_leader'", code: .SQLITE_CONSTRAINT_CHECK)
        f.assertRefused("UPDATE visit_standard SET min_days = 0 WHERE id = 1", code: .SQLITE_CONSTRAINT_CHECK)
        f.assertRefused("INSERT INTO unit_quota_rule (unit_kind, villages) VALUES ('company', 1)", code: .SQLITE_CONSTRAINT_CHECK)
    }

    func testIndicatorCatalogueHasEightConnectionsSixFacilitiesAndFourStrengthenings() throws {
        let f = try SchemaFixture()
        let groups = try f.register.queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT scope, group_name, value_type, count(*) AS n FROM indicator
                GROUP BY scope, group_name, value_type ORDER BY scope, group_name
                """).map { "\($0["scope"] as String) \($0["group_name"] as String) \($0["value_type"] as String) \($0["n"] as Int)" }
        }
        XCTAssertTrue(groups.contains("village 八通 boolean 8"), "\(groups)")
        XCTAssertTrue(groups.contains("village 六有 boolean 6"), "\(groups)")
        XCTAssertTrue(groups.contains("community 四个加强 boolean 4"), "\(groups)")
        XCTAssertEqual(try f.int("SELECT count(*) FROM indicator WHERE code = 'road' AND name = '通路'"), 1)
        f.assertRefused("INSERT INTO indicator (code, name, scope, group_name, value_type) VALUES ('Road', '通路', 'village', '八通', 'boolean')",
                        code: .SQLITE_CONSTRAINT_CHECK)
        f.assertRefused("INSERT INTO indicator (code, name, scope, group_name, value_type) VALUES ('toilet', '改厕', 'town', '三清五改', 'boolean')",
                        code: .SQLITE_CONSTRAINT_CHECK)
        try f.execute("INSERT INTO indicator (code, name, scope, group_name, value_type) VALUES ('toilet', '改厕', 'village', '三清五改', 'boolean')")
    }
}
