import GRDB

// Step 1, "1-register": the entity tables of DOMAIN.md.
//
// Conventions (docs/schema.md explains each): singular snake_case names, `id INTEGER PRIMARY KEY`,
// STRICT tables, a CHECK on every enumeration and boolean, dates as TEXT 'YYYY-MM-DD' checked with
// `date(x, '+0 days') IS x` (which also refuses 2011-02-29 and 2012-04-31), table-level CHECKs
// named `<table>_<rule>` so a failure names the rule. Foreign keys have no ON DELETE action: what
// is referenced cannot be deleted, because the register keeps its history.
extension Schema {
    static let registerTables = [
        "area", "village", "household", "unit", "cadre", "link",
        "visit", "activity", "problem", "problem_followup", "survey",
    ]

    static func createRegister(_ db: Database) throws {
        // 乡镇 / 街道
        try db.execute(sql: """
            CREATE TABLE area (
                id   INTEGER PRIMARY KEY,
                code TEXT NOT NULL UNIQUE CHECK (length(code) = 9 AND code NOT GLOB '*[^0-9]*'),
                name TEXT NOT NULL UNIQUE CHECK (trim(name) <> ''),
                kind TEXT NOT NULL CHECK (kind IN ('township', 'subdistrict'))
            ) STRICT
            """)

        // 贫困村 and 社区 in one table
        try db.execute(sql: """
            CREATE TABLE village (
                id      INTEGER PRIMARY KEY,
                area_id INTEGER NOT NULL REFERENCES area (id),
                code    TEXT NOT NULL UNIQUE CHECK (length(code) = 12 AND code NOT GLOB '*[^0-9]*'),
                name    TEXT NOT NULL CHECK (trim(name) <> ''),
                kind    TEXT NOT NULL CHECK (kind IN ('village', 'community')),
                poor    INTEGER NOT NULL DEFAULT 1 CHECK (poor IN (0, 1)),
                CONSTRAINT village_name_unique_in_area UNIQUE (area_id, name)
            ) STRICT
            """)

        // 农村特困户 and 城市困难居民, as the national register (建档立卡) records them
        try db.execute(sql: """
            CREATE TABLE household (
                id                INTEGER PRIMARY KEY,
                village_id        INTEGER NOT NULL REFERENCES village (id),
                kind              TEXT NOT NULL CHECK (kind IN ('rural', 'urban')),
                head_name         TEXT NOT NULL CHECK (trim(head_name) <> ''),
                resident_id       TEXT NOT NULL UNIQUE CHECK (length(resident_id) = 18
                                      AND substr(resident_id, 1, 17) NOT GLOB '*[^0-9]*'
                                      AND substr(resident_id, 18) GLOB '[0-9X]'),
                phone             TEXT CHECK (length(phone) BETWEEN 5 AND 20 AND phone NOT GLOB '*[^0-9+ -]*'),
                address           TEXT,
                attribute         TEXT NOT NULL DEFAULT '一般贫困户'
                                      CHECK (attribute IN ('一般贫困户', '低保户', '五保户', '低保贫困户')),
                main_cause        TEXT NOT NULL CHECK (main_cause IN ('因病', '因残', '因学', '因灾',
                                      '缺土地', '缺水', '缺技术', '缺劳力', '缺资金', '交通条件落后',
                                      '自身发展动力不足', '其它')),
                other_cause_1     TEXT CHECK (other_cause_1 IN ('因病', '因残', '因学', '因灾',
                                      '缺土地', '缺水', '缺技术', '缺劳力', '缺资金', '交通条件落后',
                                      '自身发展动力不足', '其它')),
                other_cause_2     TEXT CHECK (other_cause_2 IN ('因病', '因残', '因学', '因灾',
                                      '缺土地', '缺水', '缺技术', '缺劳力', '缺资金', '交通条件落后',
                                      '自身发展动力不足', '其它')),
                members           INTEGER NOT NULL CHECK (members > 0),
                income            REAL CHECK (income >= 0),
                food_secure       INTEGER NOT NULL DEFAULT 0 CHECK (food_secure IN (0, 1)),
                clothing_secure   INTEGER NOT NULL DEFAULT 0 CHECK (clothing_secure IN (0, 1)),
                education_secured INTEGER NOT NULL DEFAULT 0 CHECK (education_secured IN (0, 1)),
                medical_secured   INTEGER NOT NULL DEFAULT 0 CHECK (medical_secured IN (0, 1)),
                housing_secured   INTEGER NOT NULL DEFAULT 0 CHECK (housing_secured IN (0, 1)),
                exit_year         INTEGER CHECK (exit_year BETWEEN 1980 AND 2100),
                CONSTRAINT household_other_causes_in_order
                    CHECK (other_cause_2 IS NULL OR other_cause_1 IS NOT NULL),
                CONSTRAINT household_causes_distinct
                    CHECK (other_cause_1 IS NOT main_cause AND other_cause_2 IS NOT main_cause
                           AND (other_cause_2 IS NULL OR other_cause_2 IS NOT other_cause_1))
            ) STRICT
            """)

        // 单位 (参与范围)
        try db.execute(sql: """
            CREATE TABLE unit (
                id      INTEGER PRIMARY KEY,
                name    TEXT NOT NULL UNIQUE CHECK (trim(name) <> ''),
                kind    TEXT NOT NULL CHECK (kind IN ('four_bodies', 'township', 'subdistrict',
                            'department', 'mass_org', 'armed_forces', 'garrison', 'stationed',
                            'enterprise', 'volunteer')),
                area_id INTEGER REFERENCES area (id),
                CONSTRAINT unit_area_only_for_township_or_subdistrict
                    CHECK (area_id IS NULL OR kind IN ('township', 'subdistrict'))
            ) STRICT
            """)

        // 干部
        try db.execute(sql: """
            CREATE TABLE cadre (
                id          INTEGER PRIMARY KEY,
                unit_id     INTEGER NOT NULL REFERENCES unit (id),
                name        TEXT NOT NULL CHECK (trim(name) <> ''),
                sex         TEXT CHECK (sex IN ('男', '女')),
                resident_id TEXT UNIQUE CHECK (length(resident_id) = 18
                                AND substr(resident_id, 1, 17) NOT GLOB '*[^0-9]*'
                                AND substr(resident_id, 18) GLOB '[0-9X]'),
                phone       TEXT CHECK (length(phone) BETWEEN 5 AND 20 AND phone NOT GLOB '*[^0-9+ -]*'),
                title       TEXT,
                role        TEXT CHECK (role IN ('principal_leader', 'deputy_head_subdistricts',
                                'other_leader', 'township_principal', 'township_other',
                                'subdistrict_principal', 'subdistrict_other',
                                'department_principal', 'department_other')),
                excluded    TEXT CHECK (excluded IN ('teacher', 'medical', 'enterprise_staff', 'logistics')),
                left_on     TEXT CHECK (date(left_on, '+0 days') IS left_on),
                CONSTRAINT cadre_role_or_excluded CHECK ((role IS NULL) <> (excluded IS NULL))
            ) STRICT
            """)

        // 联系: who links what, from when to when, and why it ended. Never deleted.
        try db.execute(sql: """
            CREATE TABLE link (
                id                 INTEGER PRIMARY KEY,
                unit_id            INTEGER REFERENCES unit (id),
                cadre_id           INTEGER REFERENCES cadre (id),
                village_id         INTEGER REFERENCES village (id),
                household_id       INTEGER REFERENCES household (id),
                start_date         TEXT NOT NULL CHECK (date(start_date, '+0 days') IS start_date),
                end_date           TEXT CHECK (date(end_date, '+0 days') IS end_date),
                end_reason         TEXT CHECK (end_reason IN ('调离', '疾病', '退休', '脱贫', '其他')),
                successor_cadre_id INTEGER REFERENCES cadre (id),
                note               TEXT,
                CONSTRAINT link_one_linker_unit_or_cadre CHECK ((unit_id IS NULL) <> (cadre_id IS NULL)),
                CONSTRAINT link_one_target_village_or_household
                    CHECK ((village_id IS NULL) <> (household_id IS NULL)),
                CONSTRAINT link_unit_never_links_household CHECK (unit_id IS NULL OR household_id IS NULL),
                CONSTRAINT link_ends_after_start CHECK (end_date >= start_date),
                CONSTRAINT link_end_reason_exactly_when_ended CHECK ((end_date IS NULL) = (end_reason IS NULL)),
                CONSTRAINT link_successor_only_when_ended
                    CHECK (successor_cadre_id IS NULL OR end_date IS NOT NULL),
                CONSTRAINT link_successor_is_another_cadre CHECK (successor_cadre_id IS NULL OR successor_cadre_id IS NOT cadre_id)
            ) STRICT
            """)

        // 进村入户 (visits), 集中宣讲 (publicity), 谈心交流 (talks)
        try db.execute(sql: """
            CREATE TABLE visit (
                id           INTEGER PRIMARY KEY,
                unit_id      INTEGER REFERENCES unit (id),
                cadre_id     INTEGER REFERENCES cadre (id),
                village_id   INTEGER REFERENCES village (id),
                household_id INTEGER REFERENCES household (id),
                date         TEXT NOT NULL CHECK (date(date, '+0 days') IS date),
                days         REAL NOT NULL DEFAULT 1 CHECK (days > 0),
                kind         TEXT NOT NULL DEFAULT 'visit' CHECK (kind IN ('visit', 'publicity', 'talk')),
                note         TEXT,
                CONSTRAINT visit_one_actor_unit_or_cadre CHECK ((unit_id IS NULL) <> (cadre_id IS NULL)),
                CONSTRAINT visit_one_target_village_or_household
                    CHECK ((village_id IS NULL) <> (household_id IS NULL))
            ) STRICT
            """)

        // 六项行动
        try db.execute(sql: """
            CREATE TABLE activity (
                id           INTEGER PRIMARY KEY,
                action       TEXT NOT NULL CHECK (action IN ('prosperity', 'problem_solving',
                                 'schooling', 'industry', 'stability', 'culture')),
                unit_id      INTEGER REFERENCES unit (id),
                cadre_id     INTEGER REFERENCES cadre (id),
                village_id   INTEGER REFERENCES village (id),
                household_id INTEGER REFERENCES household (id),
                date         TEXT NOT NULL CHECK (date(date, '+0 days') IS date),
                title        TEXT NOT NULL CHECK (trim(title) <> ''),
                detail       TEXT,
                CONSTRAINT activity_one_actor_unit_or_cadre CHECK ((unit_id IS NULL) <> (cadre_id IS NULL)),
                CONSTRAINT activity_one_target_village_or_household
                    CHECK ((village_id IS NULL) <> (household_id IS NULL))
            ) STRICT
            """)

        // 问题上报, followed until closed
        try db.execute(sql: """
            CREATE TABLE problem (
                id                   INTEGER PRIMARY KEY,
                reported_by_cadre_id INTEGER REFERENCES cadre (id),
                reported_by_unit_id  INTEGER REFERENCES unit (id),
                village_id           INTEGER REFERENCES village (id),
                household_id         INTEGER REFERENCES household (id),
                reported_on          TEXT NOT NULL CHECK (date(reported_on, '+0 days') IS reported_on),
                description          TEXT NOT NULL CHECK (trim(description) <> ''),
                status               TEXT NOT NULL DEFAULT 'open'
                                         CHECK (status IN ('open', 'escalated', 'closed')),
                escalated_on         TEXT CHECK (date(escalated_on, '+0 days') IS escalated_on),
                closed_on            TEXT CHECK (date(closed_on, '+0 days') IS closed_on),
                resolution           TEXT,
                CONSTRAINT problem_one_reporter_cadre_or_unit
                    CHECK ((reported_by_cadre_id IS NULL) <> (reported_by_unit_id IS NULL)),
                CONSTRAINT problem_one_target_village_or_household
                    CHECK ((village_id IS NULL) <> (household_id IS NULL)),
                CONSTRAINT problem_open_has_no_escalation_or_closing
                    CHECK (status <> 'open' OR (escalated_on IS NULL AND closed_on IS NULL)),
                CONSTRAINT problem_escalated_has_escalated_on
                    CHECK (status <> 'escalated' OR (escalated_on IS NOT NULL AND closed_on IS NULL)),
                CONSTRAINT problem_closed_exactly_when_closed_on
                    CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
                CONSTRAINT problem_dates_in_order
                    CHECK (escalated_on >= reported_on AND closed_on >= coalesce(escalated_on, reported_on))
            ) STRICT
            """)
        try db.execute(sql: """
            CREATE TABLE problem_followup (
                id         INTEGER PRIMARY KEY,
                problem_id INTEGER NOT NULL REFERENCES problem (id),
                date       TEXT NOT NULL CHECK (date(date, '+0 days') IS date),
                note       TEXT NOT NULL CHECK (trim(note) <> '')
            ) STRICT
            """)

        // 群众满意度
        try db.execute(sql: """
            CREATE TABLE survey (
                id           INTEGER PRIMARY KEY,
                household_id INTEGER NOT NULL REFERENCES household (id),
                year         INTEGER NOT NULL CHECK (year BETWEEN 1980 AND 2100),
                score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
                CONSTRAINT survey_one_per_household_and_year UNIQUE (household_id, year)
            ) STRICT
            """)

        try createRegisterTriggers(db)
        try createRegisterIndexes(db)
    }

    /// The rules a CHECK cannot express because they look at another row.
    static func createRegisterTriggers(_ db: Database) throws {
        // A village lies in a township, a community in a subdistrict; a village's code extends its area's.
        // The same checks on insert and on update.
        let villageChecks = """
                SELECT RAISE(ABORT, 'a village (kind ''village'') must be in a township (乡镇), not in a subdistrict (街道)')
                WHERE NEW.kind = 'village'
                  AND EXISTS (SELECT 1 FROM area WHERE id = NEW.area_id AND kind = 'subdistrict');
                SELECT RAISE(ABORT, 'a community (kind ''community'') must be in a subdistrict (街道), not in a township (乡镇)')
                WHERE NEW.kind = 'community'
                  AND EXISTS (SELECT 1 FROM area WHERE id = NEW.area_id AND kind = 'township');
                SELECT RAISE(ABORT, 'a village''s 12-digit code must begin with the 9-digit code of its township or subdistrict')
                WHERE EXISTS (SELECT 1 FROM area WHERE id = NEW.area_id AND code IS NOT substr(NEW.code, 1, 9));
            """
        try db.execute(sql: "CREATE TRIGGER village_insert_matches_area BEFORE INSERT ON village BEGIN\n\(villageChecks)END")
        try db.execute(sql: "CREATE TRIGGER village_update_matches_area BEFORE UPDATE OF area_id, kind, code ON village BEGIN\n\(villageChecks)END")
        try db.execute(sql: """
            CREATE TRIGGER area_kind_matches_villages_and_units BEFORE UPDATE OF kind ON area
            WHEN NEW.kind IS NOT OLD.kind
            BEGIN
                SELECT RAISE(ABORT, 'cannot change the kind of an area that has villages, communities or a unit: a village is in a township, a community in a subdistrict')
                WHERE EXISTS (SELECT 1 FROM village WHERE area_id = NEW.id)
                   OR EXISTS (SELECT 1 FROM unit WHERE area_id = NEW.id);
            END
            """)
        // Renumbering an area renumbers its villages, whose codes extend the area's.
        try db.execute(sql: """
            CREATE TRIGGER area_code_renumbers_villages AFTER UPDATE OF code ON area
            WHEN NEW.code IS NOT OLD.code
            BEGIN
                UPDATE village SET code = NEW.code || substr(code, 10) WHERE area_id = NEW.id;
            END
            """)

        // A rural household lives in a village, an urban household in a community.
        // The same checks on insert and on update.
        let householdChecks = """
                SELECT RAISE(ABORT, 'a rural household must be in a village (kind ''village''), not in a community (社区)')
                WHERE NEW.kind = 'rural'
                  AND EXISTS (SELECT 1 FROM village WHERE id = NEW.village_id AND kind = 'community');
                SELECT RAISE(ABORT, 'an urban household must be in a community (kind ''community''), not in a village (村)')
                WHERE NEW.kind = 'urban'
                  AND EXISTS (SELECT 1 FROM village WHERE id = NEW.village_id AND kind = 'village');
            """
        try db.execute(sql: "CREATE TRIGGER household_insert_matches_village BEFORE INSERT ON household BEGIN\n\(householdChecks)END")
        try db.execute(sql: "CREATE TRIGGER household_update_matches_village BEFORE UPDATE OF village_id, kind ON household BEGIN\n\(householdChecks)END")
        try db.execute(sql: """
            CREATE TRIGGER village_kind_matches_households BEFORE UPDATE OF kind ON village
            WHEN NEW.kind IS NOT OLD.kind
            BEGIN
                SELECT RAISE(ABORT, 'cannot change the kind of a village or community that has households: a rural household is in a village, an urban one in a community')
                WHERE EXISTS (SELECT 1 FROM household WHERE village_id = NEW.id);
            END
            """)

        // A township's own government unit belongs to a township, a subdistrict's to a subdistrict.
        try db.execute(sql: """
            CREATE TRIGGER unit_insert_matches_area BEFORE INSERT ON unit
            WHEN NEW.area_id IS NOT NULL AND NEW.kind IN ('township', 'subdistrict')
            BEGIN
                SELECT RAISE(ABORT, 'a unit of kind ''township'' belongs to a township (乡镇) and one of kind ''subdistrict'' to a subdistrict (街道)')
                WHERE EXISTS (SELECT 1 FROM area WHERE id = NEW.area_id AND kind IS NOT NEW.kind);
            END
            """)
        try db.execute(sql: """
            CREATE TRIGGER unit_update_matches_area BEFORE UPDATE OF kind, area_id ON unit
            WHEN NEW.area_id IS NOT NULL AND NEW.kind IN ('township', 'subdistrict')
            BEGIN
                SELECT RAISE(ABORT, 'a unit of kind ''township'' belongs to a township (乡镇) and one of kind ''subdistrict'' to a subdistrict (街道)')
                WHERE EXISTS (SELECT 1 FROM area WHERE id = NEW.area_id AND kind IS NOT NEW.kind);
            END
            """)

        // 教师、医务人员、企业职工、机关工勤人员 never link.
        try db.execute(sql: """
            CREATE TRIGGER link_refuses_excluded_cadre BEFORE INSERT ON link
            WHEN NEW.cadre_id IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'excluded cadre: teachers, medical staff, enterprise employees and logistics staff (教师、医务人员、企业职工、机关工勤人员) do not link villages or households')
                WHERE EXISTS (SELECT 1 FROM cadre WHERE id = NEW.cadre_id AND excluded IS NOT NULL);
            END
            """)
        try db.execute(sql: """
            CREATE TRIGGER cadre_excluded_only_without_open_links BEFORE UPDATE OF excluded ON cadre
            WHEN NEW.excluded IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'excluded cadre: teachers, medical staff, enterprise employees and logistics staff (教师、医务人员、企业职工、机关工勤人员) do not link villages or households; end this cadre''s open links first')
                WHERE EXISTS (SELECT 1 FROM link WHERE cadre_id = NEW.id AND end_date IS NULL);
            END
            """)

        // 不脱钩: history is kept. A link is ended, never deleted nor handed to someone else in place.
        try db.execute(sql: """
            CREATE TRIGGER link_never_deleted BEFORE DELETE ON link
            BEGIN
                SELECT RAISE(ABORT, 'links are never deleted; end them with an end date and reason');
            END
            """)
        try db.execute(sql: """
            CREATE TRIGGER link_parties_never_change
            BEFORE UPDATE OF unit_id, cadre_id, village_id, household_id ON link
            WHEN NEW.unit_id IS NOT OLD.unit_id OR NEW.cadre_id IS NOT OLD.cadre_id
              OR NEW.village_id IS NOT OLD.village_id OR NEW.household_id IS NOT OLD.household_id
            BEGIN
                SELECT RAISE(ABORT, 'a link never changes who links or what is linked; end it with an end date and reason (and successor_cadre_id) and add a new link');
            END
            """)
    }

    /// An index for every foreign key (so a lookup or a parent's delete never scans), and the
    /// filters the checks and reports use. Columns that are NULL on most rows (one of an
    /// "exactly one of" pair) get partial indexes `WHERE column IS NOT NULL`, which SQLite uses
    /// for `column = ?` and for joins on the column.
    static func createRegisterIndexes(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX idx_village_kind ON village (kind, poor);

            CREATE INDEX idx_household_village_id ON household (village_id);
            CREATE INDEX idx_household_kind ON household (kind);
            CREATE INDEX idx_household_main_cause ON household (main_cause);
            CREATE INDEX idx_household_attribute ON household (attribute);
            CREATE INDEX idx_household_exit_year ON household (exit_year);
            CREATE INDEX idx_household_income ON household (income);

            CREATE UNIQUE INDEX idx_unit_area_id ON unit (area_id) WHERE area_id IS NOT NULL;
            CREATE INDEX idx_unit_kind ON unit (kind);

            CREATE INDEX idx_cadre_unit_id ON cadre (unit_id);
            CREATE INDEX idx_cadre_role ON cadre (role);
            CREATE INDEX idx_cadre_name ON cadre (name);

            CREATE INDEX idx_link_unit_id ON link (unit_id, end_date) WHERE unit_id IS NOT NULL;
            CREATE INDEX idx_link_cadre_id ON link (cadre_id, end_date) WHERE cadre_id IS NOT NULL;
            CREATE INDEX idx_link_village_id ON link (village_id, end_date) WHERE village_id IS NOT NULL;
            CREATE INDEX idx_link_household_id ON link (household_id, end_date) WHERE household_id IS NOT NULL;
            CREATE INDEX idx_link_successor_cadre_id ON link (successor_cadre_id)
                WHERE successor_cadre_id IS NOT NULL;
            CREATE INDEX idx_link_start_date ON link (start_date);
            CREATE UNIQUE INDEX idx_link_open_cadre_household ON link (cadre_id, household_id)
                WHERE end_date IS NULL AND cadre_id IS NOT NULL AND household_id IS NOT NULL;
            CREATE UNIQUE INDEX idx_link_open_cadre_village ON link (cadre_id, village_id)
                WHERE end_date IS NULL AND cadre_id IS NOT NULL AND village_id IS NOT NULL;
            CREATE UNIQUE INDEX idx_link_open_unit_village ON link (unit_id, village_id)
                WHERE end_date IS NULL AND unit_id IS NOT NULL AND village_id IS NOT NULL;

            CREATE INDEX idx_visit_date ON visit (date);
            CREATE INDEX idx_visit_unit_id ON visit (unit_id, date) WHERE unit_id IS NOT NULL;
            CREATE INDEX idx_visit_cadre_id ON visit (cadre_id, date) WHERE cadre_id IS NOT NULL;
            CREATE INDEX idx_visit_village_id ON visit (village_id, date) WHERE village_id IS NOT NULL;
            CREATE INDEX idx_visit_household_id ON visit (household_id, date) WHERE household_id IS NOT NULL;

            CREATE INDEX idx_activity_date ON activity (date);
            CREATE INDEX idx_activity_action ON activity (action, date);
            CREATE INDEX idx_activity_unit_id ON activity (unit_id, date) WHERE unit_id IS NOT NULL;
            CREATE INDEX idx_activity_cadre_id ON activity (cadre_id, date) WHERE cadre_id IS NOT NULL;
            CREATE INDEX idx_activity_village_id ON activity (village_id, date) WHERE village_id IS NOT NULL;
            CREATE INDEX idx_activity_household_id ON activity (household_id, date)
                WHERE household_id IS NOT NULL;

            CREATE INDEX idx_problem_status ON problem (status, reported_on);
            CREATE INDEX idx_problem_reported_by_cadre_id ON problem (reported_by_cadre_id)
                WHERE reported_by_cadre_id IS NOT NULL;
            CREATE INDEX idx_problem_reported_by_unit_id ON problem (reported_by_unit_id)
                WHERE reported_by_unit_id IS NOT NULL;
            CREATE INDEX idx_problem_village_id ON problem (village_id) WHERE village_id IS NOT NULL;
            CREATE INDEX idx_problem_household_id ON problem (household_id) WHERE household_id IS NOT NULL;

            CREATE INDEX idx_problem_followup_problem_id ON problem_followup (problem_id, date);

            CREATE INDEX idx_survey_year ON survey (year, score);
            """)
    }
}
