import GRDB

/// The register's schema as an ordered list of migrations. Append, never edit a released step.
///
/// A register's version (`PRAGMA user_version`) is the number of steps it has applied; see
/// `docs/schema.md` for every table, column, enumeration, rule row and trigger.
///
/// - `1-register` (``createRegister(_:)``): the entity tables of DOMAIN.md — areas, villages and
///   communities, households, units, cadres, links, visits, the six actions, problems, surveys —
///   with their constraints, triggers and indexes.
/// - `2-rules` (``createRules(_:)``): the linkage rules as data, filled with the seed's numbers
///   (quotas by role and by unit kind, visit standards), and the outcome indicator catalogue.
/// - `3-audit` (``createAudit(_:)``): the audit log, written by triggers on every table.
/// - `4-audit-chain` (``createAuditChain(_:)``): sessions sealed at commit over a range of change
///   ids, a hash chain over the log, and the existing log sealed as it stands.
/// - `5-dated-rules` (``createDatedRules(_:)``): each rule row in force from a date until a date,
///   and the six actions' minimums and the plan's other numbers as rules too.
/// - `6-assessment` (``createAssessment(_:)``): the weights and thresholds of the assessment (考核)
///   of units and cadres, dated like the other rules.
/// - `7-excluded-categories` (``createExcludedCategories(_:)``): the categories of staff who do not
///   link (教师、医务人员、企业职工、机关工勤人员) as dated rules, and `cadre.excluded` a reference to them.
/// - `8-activity-title-index` (``createActivityIndex(_:)``): the household index of activity holds
///   the action and title too, so the six actions' check reads no table row.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration("1-register", apply: createRegister),
        Migration("2-rules", apply: createRules),
        Migration("3-audit", apply: createAudit),
        Migration("4-audit-chain", apply: createAuditChain),
        Migration("5-dated-rules", apply: createDatedRules),
        Migration("6-assessment", apply: createAssessment),
        Migration("7-excluded-categories", apply: createExcludedCategories),
        Migration("8-activity-title-index", apply: createActivityIndex),
    ]

    public static var currentVersion: Int { migrations.count }

    /// The tables each step creates, in creation order.
    public static let tablesByStep: [[String]] = [registerTables, ruleTables, auditTables, auditChainTables, datedRuleTables, assessmentTables, excludedCategoryTables, activityIndexTables]

    /// Every table of a current register, in creation order (GRDB's own `grdb_migrations` aside).
    public static var tables: [String] { tablesByStep.flatMap { $0 } }
}
