import Foundation
import GRDB

// Step 5, "5-dated-rules": the rules of step 2 carry the dates they are in force, so a check for
// 2012 uses the rules of 2012 after a later year changed them; and the rules that were still
// code become data: the minimums of the six actions and the settings (cadres per household,
// problem deadlines). The seed's numbers are in force from 2012-01-01, the plan's year.
extension Schema {
    static let datedRuleTables = ["action_minimum", "rule_setting"]

    /// The day the seed's rules take effect.
    public static let seedRulesFrom = "2012-01-01"

    /// Columns every dated rule table has: in force from `valid_from` until the day before
    /// `valid_until` (NULL: still in force).
    static let validity = """
        valid_from  TEXT NOT NULL DEFAULT '2012-01-01' CHECK (date(valid_from, '+0 days') IS valid_from),
        valid_until TEXT CHECK (date(valid_until, '+0 days') IS valid_until),
        CONSTRAINT valid_until_after_valid_from CHECK (valid_until > valid_from)
        """

    static func createDatedRules(_ db: Database) throws {
        // Copies are not changes: the audit triggers go while the tables are rebuilt.
        try dropAuditTriggers(db)
        try db.execute(sql: """
            ALTER TABLE quota_rule RENAME TO quota_rule_v2;
            CREATE TABLE quota_rule (
                id               INTEGER PRIMARY KEY,
                role             TEXT NOT NULL CHECK (role IN ('principal_leader',
                                     'deputy_head_subdistricts', 'other_leader', 'township_principal',
                                     'township_other', 'subdistrict_principal', 'subdistrict_other',
                                     'department_principal', 'department_other')),
                villages         INTEGER NOT NULL CHECK (villages >= 0),
                rural_households INTEGER NOT NULL CHECK (rural_households >= 0),
                communities      INTEGER NOT NULL CHECK (communities >= 0),
                urban_households INTEGER NOT NULL CHECK (urban_households >= 0),
                note             TEXT,
                \(validity),
                CONSTRAINT quota_rule_one_per_role_and_day UNIQUE (role, valid_from)
            ) STRICT;
            INSERT INTO quota_rule (role, villages, rural_households, communities, urban_households, note)
                SELECT role, villages, rural_households, communities, urban_households, note FROM quota_rule_v2 ORDER BY rowid;
            DROP TABLE quota_rule_v2;

            ALTER TABLE unit_quota_rule RENAME TO unit_quota_rule_v2;
            CREATE TABLE unit_quota_rule (
                id        INTEGER PRIMARY KEY,
                unit_kind TEXT NOT NULL CHECK (unit_kind IN ('four_bodies', 'township',
                              'subdistrict', 'department', 'mass_org', 'armed_forces', 'garrison',
                              'stationed', 'enterprise', 'volunteer')),
                villages  INTEGER NOT NULL CHECK (villages >= 0),
                note      TEXT,
                \(validity),
                CONSTRAINT unit_quota_rule_one_per_kind_and_day UNIQUE (unit_kind, valid_from)
            ) STRICT;
            INSERT INTO unit_quota_rule (unit_kind, villages, note)
                SELECT unit_kind, villages, note FROM unit_quota_rule_v2 ORDER BY rowid;
            DROP TABLE unit_quota_rule_v2;

            ALTER TABLE visit_standard RENAME TO visit_standard_v2;
            CREATE TABLE visit_standard (
                id        INTEGER PRIMARY KEY,
                actor     TEXT NOT NULL CHECK (actor IN ('unit', 'cadre')),
                target    TEXT NOT NULL CHECK (target IN ('village', 'household')),
                kind      TEXT NOT NULL CHECK (kind IN ('visit', 'publicity', 'talk')),
                min_count INTEGER NOT NULL CHECK (min_count >= 0),
                min_days  REAL CHECK (min_days > 0),
                note      TEXT,
                \(validity),
                CONSTRAINT visit_standard_one_per_actor_target_kind_and_day UNIQUE (actor, target, kind, valid_from)
            ) STRICT;
            INSERT INTO visit_standard (id, actor, target, kind, min_count, min_days, note)
                SELECT id, actor, target, kind, min_count, min_days, note FROM visit_standard_v2 ORDER BY id;
            DROP TABLE visit_standard_v2;
            """)

        // 六项行动: what the plan sets per linked village, community or household in a year. An
        // item counts the activities of `action` (any action when NULL) whose title matches
        // `title_like`; `cause` limits the rule to households with that cause of poverty
        // (school aid where the household is poor 因学); min_count 0 records the action with no number.
        try db.execute(sql: """
            CREATE TABLE action_minimum (
                id         INTEGER PRIMARY KEY,
                item       TEXT NOT NULL CHECK (trim(item) <> ''),
                action     TEXT CHECK (action IN ('prosperity', 'problem_solving', 'schooling', 'industry', 'stability', 'culture')),
                target     TEXT NOT NULL CHECK (target IN ('village', 'poor_village', 'community', 'household')),
                title_like TEXT NOT NULL DEFAULT '%',
                cause      TEXT,
                min_count  INTEGER NOT NULL CHECK (min_count >= 0),
                note       TEXT,
                \(validity),
                CONSTRAINT action_minimum_one_per_item_target_and_day UNIQUE (item, target, valid_from)
            ) STRICT;
            INSERT INTO action_minimum (item, action, target, title_like, cause, min_count, note) VALUES
                ('发展规划', 'prosperity', 'household', '%规划%',  NULL, 1, '富民引领：每户一个发展规划'),
                ('增收思路', 'prosperity', 'household', '%思路%',  NULL, 1, '富民引领：每户一条增收思路'),
                ('实用技术', NULL,         'household', '%技术%',  NULL, 1, '富民引领：每户推广一项实用技术'),
                ('主导产业', NULL,         'household', '%产业%',  NULL, 1, '富民引领：每户扶持一项主导产业'),
                ('发展规划', 'prosperity', 'village',   '%规划%',  NULL, 1, '富民引领：每村一个发展规划'),
                ('增收思路', 'prosperity', 'village',   '%思路%',  NULL, 1, '富民引领：每村一条增收思路'),
                ('发展规划', 'prosperity', 'community', '%规划%',  NULL, 1, '富民引领：每个社区一个发展规划'),
                ('实事',     'problem_solving', 'household', '%', NULL, 1, '破解难题：为每户办一件急需的实事'),
                ('实事',     'problem_solving', 'village',   '%', NULL, 1, '破解难题：为每村办一件急需的实事'),
                ('实事',     'problem_solving', 'community', '%', NULL, 1, '破解难题：为每个社区办一件急需的实事'),
                ('助学',     'schooling', 'household', '%', '因学', 1, '助学助童：因学致贫的联系户资助子女上学'),
                ('产业项目', 'industry',  'poor_village', '%', NULL, 1, '产业扶贫：每个贫困村至少落地一个扶贫项目'),
                ('矛盾纠纷', 'stability', 'village',   '%', NULL, 0, '维稳安民：排查化解矛盾纠纷（方案未定数量）'),
                ('图书培训', 'culture',   'household', '%', NULL, 1, '文化启智：赠送科技图书或组织培训')
            """)

        // Numbers of the plan that are not a table of their own.
        try db.execute(sql: """
            CREATE TABLE rule_setting (
                id    INTEGER PRIMARY KEY,
                name  TEXT NOT NULL CHECK (name IN ('household_cadres_max', 'problem_deadline_days', 'problem_followup_days')),
                value REAL NOT NULL CHECK (value >= 0),
                note  TEXT,
                \(validity),
                CONSTRAINT rule_setting_one_per_name_and_day UNIQUE (name, valid_from)
            ) STRICT;
            INSERT INTO rule_setting (name, value, note) VALUES
                ('household_cadres_max',  2,  '每户由一至两名干部联系'),
                ('problem_deadline_days', 90, '上报的问题在此天数内办结，逾期未结为一项发现'),
                ('problem_followup_days', 30, '未结问题至少每隔此天数跟进一次')
            """)

        for (table, key) in [("quota_rule", "role"), ("unit_quota_rule", "unit_kind"), ("visit_standard", "actor, target, kind"),
                             ("action_minimum", "item, target"), ("rule_setting", "name")] {
            try createNoOverlapTriggers(db, table: table, key: key)
        }
        // The checks read each link's contact and each target's actions from an index alone
        // (Checks+Activity.swift): a province's five million visits are then never read row by row.
        try db.execute(sql: """
            CREATE INDEX idx_visit_cadre_household ON visit (cadre_id, household_id, date, kind, days)
                WHERE cadre_id IS NOT NULL AND household_id IS NOT NULL;
            CREATE INDEX idx_visit_cadre_village ON visit (cadre_id, village_id, date, kind, days)
                WHERE cadre_id IS NOT NULL AND village_id IS NOT NULL;
            CREATE INDEX idx_visit_unit_village ON visit (unit_id, village_id, date, kind, days)
                WHERE unit_id IS NOT NULL AND village_id IS NOT NULL;
            CREATE INDEX idx_activity_household_action ON activity (household_id, action, date) WHERE household_id IS NOT NULL;
            CREATE INDEX idx_activity_village_action ON activity (village_id, action, date) WHERE village_id IS NOT NULL;
            """)
        try createAuditTriggers(db)
    }

    /// Two rows of one rule in force on the same day would make "the rule of a day" ambiguous:
    /// triggers refuse rows of `table` with the same `key` (columns, comma-separated) whose days overlap.
    static func createNoOverlapTriggers(_ db: Database, table: String, key: String) throws {
        let same = key.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .map { "o.\($0) = NEW.\($0)" }.joined(separator: " AND ")
        let overlap = """
            SELECT RAISE(ABORT, 'two rows of \(table) for the same \(key.replacingOccurrences(of: ", ", with: "/")) would be in force on the same days; end the earlier one (valid_until) where the later begins')
            WHERE EXISTS (SELECT 1 FROM \(table) AS o WHERE \(same) AND o.id IS NOT NEW.id
                          AND o.valid_from < coalesce(NEW.valid_until, '9999-12-31')
                          AND NEW.valid_from < coalesce(o.valid_until, '9999-12-31'));
            """
        try db.execute(sql: """
            CREATE TRIGGER \(table)_insert_no_overlap BEFORE INSERT ON \(table) BEGIN \(overlap) END;
            CREATE TRIGGER \(table)_update_no_overlap BEFORE UPDATE ON \(table) BEGIN \(overlap) END;
            """)
    }
}
