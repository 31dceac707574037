-- Schema steps 7 ("7-excluded-categories") and 8 ("8-activity-title-index") by hand in the sqlite3
-- CLI: the peer of the migration linkage runs when it opens a register of version 6
-- (bench/migrate.sh). The same work — a rule table, cadre copied into a table without its CHECK on
-- `excluded`, its indexes, the household index of activity rebuilt, a full foreign key check —
-- without linkage's triggers (the audit triggers are recreated for every table by linkage).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE excluded_category (
    id       INTEGER PRIMARY KEY,
    category TEXT NOT NULL CHECK (category GLOB '[a-z]*' AND category NOT GLOB '*[^a-z0-9_]*'),
    label    TEXT NOT NULL CHECK (trim(label) <> ''),
    label_en TEXT CHECK (trim(label_en) <> ''),
    note     TEXT,
    valid_from  TEXT NOT NULL DEFAULT '2012-01-01' CHECK (date(valid_from, '+0 days') IS valid_from),
    valid_until TEXT CHECK (date(valid_until, '+0 days') IS valid_until),
    CONSTRAINT valid_until_after_valid_from CHECK (valid_until > valid_from),
    CONSTRAINT excluded_category_one_per_category_and_day UNIQUE (category, valid_from)
) STRICT;
INSERT INTO excluded_category (category, label, label_en) VALUES
    ('teacher', '教师', 'a teacher'), ('medical', '医务人员', 'medical staff'),
    ('enterprise_staff', '企业职工', 'an enterprise employee'), ('logistics', '机关工勤人员', 'government service/logistics staff');
DROP TRIGGER link_refuses_excluded_cadre;
CREATE TABLE cadre_v7 (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES unit (id),
    name        TEXT NOT NULL CHECK (trim(name) <> ''),
    sex         TEXT CHECK (sex IN ('男', '女')),
    resident_id TEXT UNIQUE CHECK (length(resident_id) = 18 AND substr(resident_id, 1, 17) NOT GLOB '*[^0-9]*'
                                   AND substr(resident_id, 18) GLOB '[0-9X]'),
    phone       TEXT CHECK (length(phone) BETWEEN 5 AND 20 AND phone NOT GLOB '*[^0-9+ -]*'),
    title       TEXT,
    role        TEXT CHECK (role IN ('principal_leader', 'deputy_head_subdistricts', 'other_leader', 'township_principal',
                                     'township_other', 'subdistrict_principal', 'subdistrict_other',
                                     'department_principal', 'department_other')),
    excluded    TEXT,
    left_on     TEXT CHECK (date(left_on, '+0 days') IS left_on),
    CONSTRAINT cadre_role_or_excluded CHECK ((role IS NULL) <> (excluded IS NULL))
) STRICT;
INSERT INTO cadre_v7 SELECT id, unit_id, name, sex, resident_id, phone, title, role, excluded, left_on FROM cadre ORDER BY id;
DROP TABLE cadre;
ALTER TABLE cadre_v7 RENAME TO cadre;
CREATE INDEX idx_cadre_unit_id ON cadre (unit_id);
CREATE INDEX idx_cadre_role ON cadre (role);
CREATE INDEX idx_cadre_name ON cadre (name);
CREATE INDEX idx_cadre_excluded ON cadre (excluded) WHERE excluded IS NOT NULL;
DROP INDEX idx_activity_household_id;
CREATE INDEX idx_activity_household_id ON activity (household_id, date, action, title) WHERE household_id IS NOT NULL;
SELECT count(*) AS foreign_key_problems FROM pragma_foreign_key_check;
COMMIT;
