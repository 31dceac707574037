import GRDB

// Step 2, "2-rules": the linkage rules of DOMAIN.md as data an analyst can read and change, filled
// with the seed's numbers (Qinzhou, 2012) as defaults, and the catalogue of outcome indicators
// (八通六有 for villages, 四个加强 for communities) with their yearly values.
extension Schema {
    static let ruleTables = ["quota_rule", "unit_quota_rule", "visit_standard", "indicator", "indicator_value"]

    static func createRules(_ db: Database) throws {
        // 联系方式: how many villages, rural households, communities and urban households each role links.
        try db.execute(sql: """
            CREATE TABLE quota_rule (
                role             TEXT NOT NULL PRIMARY KEY CHECK (role IN ('principal_leader',
                                     'deputy_head_subdistricts', 'other_leader', 'township_principal',
                                     'township_other', 'subdistrict_principal', 'subdistrict_other',
                                     'department_principal', 'department_other')),
                villages         INTEGER NOT NULL CHECK (villages >= 0),
                rural_households INTEGER NOT NULL CHECK (rural_households >= 0),
                communities      INTEGER NOT NULL CHECK (communities >= 0),
                urban_households INTEGER NOT NULL CHECK (urban_households >= 0),
                note             TEXT
            ) STRICT
            """)
        try db.execute(sql: """
            INSERT INTO quota_rule (role, villages, rural_households, communities, urban_households, note) VALUES
                ('principal_leader',         1, 2, 2, 1, '区四大组织主要领导，区委专职副书记，区政府常务副区长，区人大、区政协党组副书记'),
                ('deputy_head_subdistricts', 1, 2, 2, 1, '分管街道工作的副区长'),
                ('other_leader',             1, 2, 1, 1, '区四大组织其他领导'),
                ('township_principal',       1, 2, 0, 0, '乡镇党政主要领导（书记、镇长）'),
                ('township_other',           0, 1, 0, 0, '乡镇其余干部'),
                ('subdistrict_principal',    0, 0, 1, 2, '街道办事处党政主要领导'),
                ('subdistrict_other',        0, 0, 0, 1, '街道办事处其余干部'),
                ('department_principal',     0, 1, 0, 1, '区直部门、单位党政主要领导'),
                ('department_other',         0, 1, 0, 0, '区直部门、单位其余干部')
            """)

        // What a unit links as a unit. 0 = links villages and communities, no fixed number.
        try db.execute(sql: """
            CREATE TABLE unit_quota_rule (
                unit_kind TEXT NOT NULL PRIMARY KEY CHECK (unit_kind IN ('four_bodies', 'township',
                              'subdistrict', 'department', 'mass_org', 'armed_forces', 'garrison',
                              'stationed', 'enterprise', 'volunteer')),
                villages  INTEGER NOT NULL CHECK (villages >= 0),
                note      TEXT
            ) STRICT
            """)
        try db.execute(sql: """
            INSERT INTO unit_quota_rule (unit_kind, villages, note) VALUES
                ('department',   1, '区直各部门、单位各联系一个贫困村'),
                ('mass_org',     1, '群团组织各联系一个贫困村'),
                ('enterprise',   1, '区属企业各联系一个贫困村'),
                ('armed_forces', 0, '区人武部联系贫困村和社区，不定数量'),
                ('garrison',     0, '驻区部队联系贫困村和社区，不定数量'),
                ('stationed',    0, '驻区单位联系贫困村和社区，不定数量')
            """)

        // 三到: the least contact per year. target 'village' covers villages and communities alike.
        try db.execute(sql: """
            CREATE TABLE visit_standard (
                id        INTEGER PRIMARY KEY,
                actor     TEXT NOT NULL CHECK (actor IN ('unit', 'cadre')),
                target    TEXT NOT NULL CHECK (target IN ('village', 'household')),
                kind      TEXT NOT NULL CHECK (kind IN ('visit', 'publicity', 'talk')),
                min_count INTEGER NOT NULL CHECK (min_count >= 0),
                min_days  REAL CHECK (min_days > 0),
                note      TEXT,
                CONSTRAINT visit_standard_one_per_actor_target_kind UNIQUE (actor, target, kind)
            ) STRICT
            """)
        try db.execute(sql: """
            INSERT INTO visit_standard (actor, target, kind, min_count, min_days, note) VALUES
                ('unit',  'village',   'visit',     4, 30,   '联系贫困村（社区）的单位一年进村不少于4次、累计时间不少于1个月'),
                ('cadre', 'household', 'visit',     2, 7,    '联系特困户的干部一年入户不少于2次、累计时间不少于1周'),
                ('unit',  'village',   'publicity', 2, NULL, '每年在联系村（社区）集中宣讲不少于2次'),
                ('cadre', 'household', 'talk',      2, NULL, '与联系户谈心交流不少于2次')
            """)

        // 三大成效: what is measured, and each place's value per year.
        try db.execute(sql: """
            CREATE TABLE indicator (
                id         INTEGER PRIMARY KEY,
                code       TEXT NOT NULL UNIQUE CHECK (code GLOB '[a-z]*' AND code NOT GLOB '*[^a-z0-9_]*'),
                name       TEXT NOT NULL CHECK (trim(name) <> ''),
                scope      TEXT NOT NULL CHECK (scope IN ('village', 'community', 'household')),
                group_name TEXT NOT NULL CHECK (trim(group_name) <> ''),
                value_type TEXT NOT NULL CHECK (value_type IN ('boolean', 'number')),
                note       TEXT
            ) STRICT
            """)
        try db.execute(sql: """
            INSERT INTO indicator (code, name, scope, group_name, value_type, note) VALUES
                ('road',                    '通路',                 'village',   '八通',     'boolean', '通村道路硬化'),
                ('electricity',             '通电',                 'village',   '八通',     'boolean', '通动力电'),
                ('water',                   '通水',                 'village',   '八通',     'boolean', '通安全饮用水'),
                ('broadcast_tv',            '通广播电视',           'village',   '八通',     'boolean', NULL),
                ('telephone',               '通电话',               'village',   '八通',     'boolean', NULL),
                ('broadband',               '通宽带',               'village',   '八通',     'boolean', '通宽带网络'),
                ('bus',                     '通客运班车',           'village',   '八通',     'boolean', NULL),
                ('post',                    '通邮',                 'village',   '八通',     'boolean', NULL),
                ('party_venue',             '有村级组织活动场所',   'village',   '六有',     'boolean', NULL),
                ('clinic',                  '有卫生室',             'village',   '六有',     'boolean', NULL),
                ('culture_room',            '有文化活动室',         'village',   '六有',     'boolean', NULL),
                ('library',                 '有农家书屋',           'village',   '六有',     'boolean', NULL),
                ('shop',                    '有便民超市',           'village',   '六有',     'boolean', NULL),
                ('cooperative',             '有农民专业合作社',     'village',   '六有',     'boolean', NULL),
                ('appearance_improved',     '村容村貌改善',         'village',   '四个改善', 'boolean', '村规民约健全，卫生制度落实，三清五改经常开展'),
                ('disputes_resolved',       '矛盾纠纷化解改善',     'village',   '四个改善', 'boolean', NULL),
                ('committee_improved',      '班子建设改善',         'village',   '四个改善', 'boolean', '村两委班子五种能力提升'),
                ('net_income',              '人均纯收入',           'village',   '收入',     'number',  '元/年；目标：达到全区平均水平'),
                ('management_strengthened', '管理功能加强',         'community', '四个加强', 'boolean', NULL),
                ('service_strengthened',    '服务能力加强',         'community', '四个加强', 'boolean', NULL),
                ('education_strengthened',  '教育功能加强',         'community', '四个加强', 'boolean', NULL),
                ('party_strengthened',      '基层组织建设加强',     'community', '四个加强', 'boolean', NULL),
                ('disposable_income',       '困难居民人均可支配收入', 'community', '收入',   'number',  '元/年；目标：达到全区平均水平'),
                ('confidence_raised',       '致富信心增强',         'household', '四个明显', 'boolean', NULL),
                ('practical_skill',         '掌握一门以上实用技术', 'household', '四个明显', 'boolean', NULL)
            """)

        try db.execute(sql: """
            CREATE TABLE indicator_value (
                id           INTEGER PRIMARY KEY,
                indicator_id INTEGER NOT NULL REFERENCES indicator (id),
                village_id   INTEGER REFERENCES village (id),
                household_id INTEGER REFERENCES household (id),
                year         INTEGER NOT NULL CHECK (year BETWEEN 1980 AND 2100),
                value        REAL NOT NULL,
                CONSTRAINT indicator_value_one_place_village_or_household
                    CHECK ((village_id IS NULL) <> (household_id IS NULL))
            ) STRICT
            """)
        // The same checks on insert and on update.
        let indicatorValueChecks = """
                SELECT RAISE(ABORT, 'an indicator value''s place must match the indicator''s scope: a village indicator for a village, a community indicator for a community, a household indicator for a household')
                WHERE EXISTS (SELECT 1 FROM indicator i WHERE i.id = NEW.indicator_id AND (
                          (i.scope = 'household' AND NEW.household_id IS NULL)
                       OR (i.scope <> 'household' AND NEW.village_id IS NULL)
                       OR EXISTS (SELECT 1 FROM village v WHERE v.id = NEW.village_id AND v.kind IS NOT i.scope)));
                SELECT RAISE(ABORT, 'the value of a boolean indicator is 0 or 1')
                WHERE NEW.value NOT IN (0, 1)
                  AND EXISTS (SELECT 1 FROM indicator WHERE id = NEW.indicator_id AND value_type = 'boolean');
            """
        try db.execute(sql: "CREATE TRIGGER indicator_value_insert_matches_indicator BEFORE INSERT ON indicator_value BEGIN\n\(indicatorValueChecks)END")
        try db.execute(sql: "CREATE TRIGGER indicator_value_update_matches_indicator BEFORE UPDATE OF indicator_id, village_id, household_id, value ON indicator_value BEGIN\n\(indicatorValueChecks)END")
        try db.execute(sql: """
            CREATE TRIGGER indicator_keeps_meaning_of_values BEFORE UPDATE OF scope, value_type ON indicator
            WHEN NEW.scope IS NOT OLD.scope OR NEW.value_type IS NOT OLD.value_type
            BEGIN
                SELECT RAISE(ABORT, 'cannot change the scope or value type of an indicator that has values; add a new indicator instead')
                WHERE EXISTS (SELECT 1 FROM indicator_value WHERE indicator_id = NEW.id);
            END
            """)

        try db.execute(sql: """
            CREATE INDEX idx_indicator_group ON indicator (scope, group_name);
            CREATE INDEX idx_indicator_value_indicator_id ON indicator_value (indicator_id, year);
            CREATE UNIQUE INDEX idx_indicator_value_village_id ON indicator_value (village_id, indicator_id, year)
                WHERE village_id IS NOT NULL;
            CREATE UNIQUE INDEX idx_indicator_value_household_id ON indicator_value (household_id, indicator_id, year)
                WHERE household_id IS NOT NULL;
            """)
    }
}
