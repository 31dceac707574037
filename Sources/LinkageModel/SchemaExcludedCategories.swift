import GRDB

// Step 7, "7-excluded-categories": the categories of staff who do not link households (the plan's
// 教师、医务人员、企业职工、机关工勤人员) are dated rules like the quotas, so a district can add one from a
// day (村医 from 2013) or drop one, and a check of 2012 still uses 2012's. Until this step they were
// a CHECK on cadre.excluded and words in code. `cadre.excluded` names a category; whether the cadre
// may link on a day is whether that category is in force that day (DomainFilter.excludedCategory).
extension Schema {
    static let excludedCategoryTables = ["excluded_category"]

    static func createExcludedCategories(_ db: Database) throws {
        // Copies are not changes: the audit triggers go while cadre is rebuilt.
        try dropAuditTriggers(db)
        try db.execute(sql: """
            CREATE TABLE excluded_category (
                id       INTEGER PRIMARY KEY,
                category TEXT NOT NULL CHECK (category GLOB '[a-z]*' AND category NOT GLOB '*[^a-z0-9_]*'),
                label    TEXT NOT NULL CHECK (trim(label) <> ''),
                label_en TEXT CHECK (trim(label_en) <> ''),
                note     TEXT,
                \(validity),
                CONSTRAINT excluded_category_one_per_category_and_day UNIQUE (category, valid_from)
            ) STRICT;
            INSERT INTO excluded_category (category, label, label_en, note) VALUES
                ('teacher',          '教师',         'a teacher',                          '教师不参加联户'),
                ('medical',          '医务人员',     'medical staff',                      '医务人员不参加联户'),
                ('enterprise_staff', '企业职工',     'an enterprise employee',             '企业职工不参加联户'),
                ('logistics',        '机关工勤人员', 'government service/logistics staff', '机关工勤人员不参加联户');
            """)
        try createNoOverlapTriggers(db, table: "excluded_category", key: "category")

        // cadre without its CHECK (excluded IN (…)): the four words become a reference to the rule
        // table, kept by triggers. The table is step 1's as the register stores it, less that one
        // CHECK. The rows keep their ids, so links, visits, activities and problems still point at
        // them (foreign keys are off during a migration and checked after).
        let check = "CHECK (excluded IN ('teacher', 'medical', 'enterprise_staff', 'logistics'))"
        guard let v6 = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cadre'"),
              v6.hasPrefix("CREATE TABLE cadre ("), v6.components(separatedBy: check).count == 2 else {
            throw DatabaseError(message: "step 7 expects the cadre table of step 1, with \(check); this register's differs")
        }
        let columns = try db.columns(in: "cadre").map(\.name).joined(separator: ", ")
        try db.execute(sql: """
            DROP TRIGGER link_refuses_excluded_cadre;
            DROP TRIGGER cadre_excluded_only_without_open_links;
            \(v6.replacingOccurrences(of: "CREATE TABLE cadre (", with: "CREATE TABLE cadre_v7 (").replacingOccurrences(of: " " + check, with: ""));
            INSERT INTO cadre_v7 (\(columns)) SELECT \(columns) FROM cadre ORDER BY id;
            DROP TABLE cadre;
            ALTER TABLE cadre_v7 RENAME TO cadre;
            CREATE INDEX idx_cadre_unit_id ON cadre (unit_id);
            CREATE INDEX idx_cadre_role ON cadre (role);
            CREATE INDEX idx_cadre_name ON cadre (name);
            CREATE INDEX idx_cadre_excluded ON cadre (excluded) WHERE excluded IS NOT NULL;
            """)

        // cadre.excluded names a category of the rule table (any of its rows: a category that ended
        // still describes the cadres recorded under it), and a category cadres are recorded under
        // is never removed from the table (it is ended, `linkage rules end excluded …`).
        let isCategory = """
                SELECT RAISE(ABORT, 'unknown excluded category: cadre.excluded names a category of excluded_category (teacher 教师, medical 医务人员, enterprise_staff 企业职工, logistics 机关工勤人员, or one added with linkage rules set excluded category=… label=… --from DATE); linkage rules --history excluded lists them')
                WHERE NOT EXISTS (SELECT 1 FROM excluded_category WHERE category = NEW.excluded);
            """
        try db.execute(sql: """
            CREATE TRIGGER cadre_insert_excluded_is_a_category BEFORE INSERT ON cadre WHEN NEW.excluded IS NOT NULL
            BEGIN \(isCategory) END;
            CREATE TRIGGER cadre_update_excluded_is_a_category BEFORE UPDATE OF excluded ON cadre WHEN NEW.excluded IS NOT NULL
            BEGIN \(isCategory) END;
            CREATE TRIGGER excluded_category_delete_keeps_cadres_category BEFORE DELETE ON excluded_category
            BEGIN
                SELECT RAISE(ABORT, 'cadres are recorded under this excluded category: end it (valid_until; linkage rules end excluded category=… --on DATE) rather than delete it')
                WHERE EXISTS (SELECT 1 FROM cadre WHERE excluded = OLD.category)
                  AND NOT EXISTS (SELECT 1 FROM excluded_category WHERE category = OLD.category AND id <> OLD.id);
            END;
            CREATE TRIGGER excluded_category_update_keeps_cadres_category BEFORE UPDATE OF category ON excluded_category
            WHEN NEW.category IS NOT OLD.category
            BEGIN
                SELECT RAISE(ABORT, 'cadres are recorded under this excluded category: a category keeps its code; add a new category instead')
                WHERE EXISTS (SELECT 1 FROM cadre WHERE excluded = OLD.category)
                  AND NOT EXISTS (SELECT 1 FROM excluded_category WHERE category = OLD.category AND id <> OLD.id);
            END;
            """)

        // The refusals of step 1, over the categories in force: a cadre of a category in force on
        // a link's first day takes no link; a cadre with an open link is not put under a category
        // in force on a day that link is open.
        try db.execute(sql: """
            CREATE TRIGGER link_refuses_excluded_cadre BEFORE INSERT ON link
            WHEN NEW.cadre_id IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'excluded cadre: the cadre''s category (教师、医务人员、企业职工、机关工勤人员, or another of excluded_category) is in force on the link''s start date, and such cadres do not link villages or households')
                WHERE EXISTS (SELECT 1 FROM cadre AS c WHERE c.id = NEW.cadre_id AND \(DomainFilter.excludedCategory("c", on: "NEW.start_date")));
            END;
            CREATE TRIGGER cadre_excluded_only_without_open_links BEFORE UPDATE OF excluded ON cadre
            WHEN NEW.excluded IS NOT NULL
            BEGIN
                SELECT RAISE(ABORT, 'excluded cadre: the category is in force while this cadre holds open links, and such cadres do not link villages or households; end this cadre''s open links first')
                WHERE EXISTS (SELECT 1 FROM link AS l JOIN excluded_category AS x ON x.category = NEW.excluded
                              WHERE l.cadre_id = NEW.id AND l.end_date IS NULL AND coalesce(x.valid_until, '9999-12-31') > l.start_date);
            END;
            """)
        try createAuditTriggers(db)
    }
}
