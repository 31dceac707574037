import GRDB
import LinkageModel

/// The cadre roles of `quota_rule`, in a fixed order (an index into per-role arrays).
enum SampleRole: Int, CaseIterable, Sendable {
    case principalLeader, deputyHeadSubdistricts, otherLeader, townshipPrincipal, townshipOther,
         subdistrictPrincipal, subdistrictOther, departmentPrincipal, departmentOther

    var code: String {
        switch self {
        case .principalLeader: return "principal_leader"
        case .deputyHeadSubdistricts: return "deputy_head_subdistricts"
        case .otherLeader: return "other_leader"
        case .townshipPrincipal: return "township_principal"
        case .townshipOther: return "township_other"
        case .subdistrictPrincipal: return "subdistrict_principal"
        case .subdistrictOther: return "subdistrict_other"
        case .departmentPrincipal: return "department_principal"
        case .departmentOther: return "department_other"
        }
    }
}

/// What one cadre of a role links: the row of `quota_rule`.
struct SampleQuota: Sendable {
    var villages = 0, rural = 0, communities = 0, urban = 0
}

enum SampleExclusion: String, Sendable {
    case teacher, medical, enterpriseStaff = "enterprise_staff", logistics
}

/// The register's rules as the generator needs them, read from the register itself, so a sample
/// follows whatever numbers the register holds.
struct SampleRules {
    /// Per `SampleRole.rawValue`.
    var quotas: [SampleQuota]
    /// Villages a unit of each kind links as a unit; nil: the kind has no row (links nothing as a unit).
    var unitVillages: [String: Int]
    var cadreVisits = (count: 2, days: 7.0)
    var cadreTalks = 2
    var unitVisits = (count: 4, days: 30.0)
    var unitPublicity = 2
    var indicators: [Indicator]

    struct Indicator {
        let id: Int
        let code: String
        let scope: String
        let boolean: Bool
    }

    static func read(_ db: Database) throws -> SampleRules {
        var quotas = [SampleQuota](repeating: SampleQuota(), count: SampleRole.allCases.count)
        for row in try Row.fetchAll(db, sql: "SELECT role, villages, rural_households, communities, urban_households FROM quota_rule ORDER BY role") {
            let code: String = row["role"]
            guard let role = SampleRole.allCases.first(where: { $0.code == code }) else { continue }
            quotas[role.rawValue] = SampleQuota(villages: row["villages"], rural: row["rural_households"],
                                                communities: row["communities"], urban: row["urban_households"])
        }
        var unitVillages: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT unit_kind, villages FROM unit_quota_rule ORDER BY unit_kind") {
            unitVillages[row["unit_kind"]] = row["villages"]
        }
        var rules = SampleRules(quotas: quotas, unitVillages: unitVillages, indicators: [])
        for row in try Row.fetchAll(db, sql: "SELECT actor, target, kind, min_count, min_days FROM visit_standard ORDER BY id") {
            let actor: String = row["actor"], kind: String = row["kind"]
            let count: Int = row["min_count"]
            let days: Double = row["min_days"] ?? 0
            switch (actor, kind) {
            case ("cadre", "visit"): rules.cadreVisits = (count, days)
            case ("cadre", "talk"): rules.cadreTalks = count
            case ("unit", "visit"): rules.unitVisits = (count, days)
            case ("unit", "publicity"): rules.unitPublicity = count
            default: break
            }
        }
        rules.indicators = try Row.fetchAll(db, sql: "SELECT id, code, scope, value_type FROM indicator ORDER BY id").map {
            Indicator(id: $0["id"], code: $0["code"], scope: $0["scope"], boolean: ($0["value_type"] as String) == "boolean")
        }
        return rules
    }

    func quota(_ role: SampleRole) -> SampleQuota { quotas[role.rawValue] }

    /// Multiplies every household number of `quota_rule`, in the register and here.
    mutating func multiplyHouseholdQuotas(by factor: Int, _ db: Database, reason: String) throws {
        guard factor > 1 else { return }
        try db.execute(sql: """
            UPDATE quota_rule SET rural_households = rural_households * ?, urban_households = urban_households * ?,
                note = coalesce(note || '；', '') || ?
            """, arguments: [factor, factor, reason])
        for i in quotas.indices {
            quotas[i].rural *= factor
            quotas[i].urban *= factor
        }
    }
}
