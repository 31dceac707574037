-- The seven checks of `linkage check`, written by hand from DOMAIN.md and docs/schema.md (not from
-- the engine's SQL), for the sqlite3 CLI: the peer bench/checks.sh times the engine against, and the
-- answer Tests/LinkageCLITests/CheckHandSQLTests.swift holds the engine to.
--
-- Parameters (sqlite3: .parameter set :as_of '2012-12-31' …):
--   :as_of        the day links, quotas, staff and problems are taken on
--   :year_start   the first day of the checked year
--   :period_end   the last day whose visits and activities count: min(:as_of, the year's last day)
--   :year_days    the days of the year (365 or 366)
--
-- Each check is one statement after a line `-- check: NAME`, so a driver can run one alone. Rows
-- have the columns of `linkage check --format csv`; the texts are this file's own words.
-- "Active on day d" is the schema's: start_date <= d AND (end_date IS NULL OR end_date > d).
-- Written as one would after reading EXPLAIN QUERY PLAN on a province register: sets of linked
-- places come from one pass over every link or activity (NOT INDEXED: the date range matches nearly
-- every row, and the start_date index would fetch each one at random), and names and areas are
-- looked up only for the records found.

-- check: coverage
-- 全面覆盖: a household with no cadre linked on the day, unless it has met the target (exited in or
-- before the day's year and 两不愁三保障 all met: 不脱钩 lets it go then); a poor village or a
-- community with nobody linked; a household linked by more cadres than household_cadres_max.
SELECT 'coverage' AS "check", 'error' AS severity, 'household ' || h.id || ' ' || h.head_name AS subject,
       a.name || ' ' || v.name AS area, 'a cadre' AS expected, 'none' AS actual,
       'household without a cadre on ' || :as_of AS message, 'household' AS subject_table, h.id AS subject_id
FROM household AS h
JOIN village AS v ON v.id = h.village_id
JOIN area AS a ON a.id = v.area_id
WHERE h.id NOT IN (SELECT l.household_id FROM link AS l NOT INDEXED
                   WHERE l.household_id IS NOT NULL AND l.cadre_id IS NOT NULL
                     AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of))
  AND NOT (h.exit_year IS NOT NULL AND h.exit_year <= CAST(strftime('%Y', :as_of) AS INTEGER)
           AND h.food_secure = 1 AND h.clothing_secure = 1 AND h.education_secured = 1
           AND h.medical_secured = 1 AND h.housing_secured = 1)
UNION ALL
SELECT 'coverage', 'error', v.kind || ' ' || v.id || ' ' || v.name, a.name, 'a unit or leader', 'none',
       v.kind || ' without a unit or leader on ' || :as_of, 'village', v.id
FROM village AS v
JOIN area AS a ON a.id = v.area_id
WHERE (v.kind = 'community' OR v.poor = 1)
  AND v.id NOT IN (SELECT l.village_id FROM link AS l NOT INDEXED
                   WHERE l.village_id IS NOT NULL AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of))
UNION ALL
SELECT 'coverage', 'error', 'household ' || h.id || ' ' || h.head_name, a.name || ' ' || v.name,
       'at most ' || CAST(s.value AS INTEGER) || ' cadres', many.cadres || ' cadres',
       'household with ' || many.cadres || ' cadres on ' || :as_of, 'household', h.id
FROM (SELECT l.household_id, count(DISTINCT l.cadre_id) AS cadres
      FROM link AS l NOT INDEXED
      WHERE l.household_id IS NOT NULL AND l.cadre_id IS NOT NULL
        AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of)
      GROUP BY l.household_id) AS many
JOIN rule_setting AS s ON s.name = 'household_cadres_max'
     AND s.valid_from <= :as_of AND (s.valid_until IS NULL OR s.valid_until > :as_of)
JOIN household AS h ON h.id = many.household_id
JOIN village AS v ON v.id = h.village_id
JOIN area AS a ON a.id = v.area_id
WHERE many.cadres > s.value;

-- check: quotas
-- 联系方式: every serving cadre with a role holds, on the day, exactly the poor villages, rural
-- households, communities and urban households its role's quota_rule row says (a role with no row
-- in force is itself a finding); a unit of a kind whose unit_quota_rule row is above 0 links
-- exactly that many poor villages.
WITH q AS (
    SELECT * FROM quota_rule
    WHERE valid_from <= :as_of AND (valid_until IS NULL OR valid_until > :as_of)),
active AS (
    SELECT l.unit_id, l.cadre_id, l.village_id, l.household_id FROM link AS l NOT INDEXED
    WHERE l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of)),
holds AS (
    SELECT l.cadre_id,
           sum(v.kind = 'village' AND v.poor = 1) AS villages,
           sum(h.kind = 'rural') AS rural,
           sum(v.kind = 'community') AS communities,
           sum(h.kind = 'urban') AS urban
    FROM active AS l
    LEFT JOIN village AS v ON v.id = l.village_id
    LEFT JOIN household AS h ON h.id = l.household_id
    WHERE l.cadre_id IS NOT NULL
    GROUP BY l.cadre_id),
mine AS (
    SELECT c.id, c.name, c.role, c.unit_id, q.role AS ruled,
           q.villages AS qv, q.rural_households AS qr, q.communities AS qc, q.urban_households AS qu,
           coalesce(holds.villages, 0) AS hv, coalesce(holds.rural, 0) AS hr,
           coalesce(holds.communities, 0) AS hc, coalesce(holds.urban, 0) AS hu
    FROM cadre AS c
    LEFT JOIN q ON q.role = c.role
    LEFT JOIN holds ON holds.cadre_id = c.id
    WHERE c.role IS NOT NULL AND c.excluded IS NULL AND (c.left_on IS NULL OR c.left_on > :as_of)),
unit_holds AS (
    SELECT l.unit_id, count(*) AS poor_villages
    FROM active AS l JOIN village AS v ON v.id = l.village_id
    WHERE l.unit_id IS NOT NULL AND v.kind = 'village' AND v.poor = 1
    GROUP BY l.unit_id)
SELECT 'quotas' AS "check",
       CASE WHEN ruled IS NULL OR hv > qv OR hr > qr OR hc > qc OR hu > qu THEN 'error' ELSE 'warning' END AS severity,
       'cadre ' || mine.id || ' ' || mine.name AS subject, u.name AS area,
       CASE WHEN ruled IS NULL THEN 'a rule for ' || mine.role
            ELSE qv || '/' || qr || '/' || qc || '/' || qu END AS expected,
       hv || '/' || hr || '/' || hc || '/' || hu AS actual,
       mine.role || ': poor villages/rural/communities/urban held against the quota on ' || :as_of AS message,
       'cadre' AS subject_table, mine.id AS subject_id
FROM mine
JOIN unit AS u ON u.id = mine.unit_id
WHERE ruled IS NULL OR hv <> qv OR hr <> qr OR hc <> qc OR hu <> qu
UNION ALL
SELECT 'quotas', CASE WHEN coalesce(n.poor_villages, 0) < uq.villages THEN 'error' ELSE 'warning' END,
       'unit ' || u.id || ' ' || u.name, coalesce(a.name, u.kind), uq.villages || ' poor villages',
       coalesce(n.poor_villages, 0) || ' poor villages', u.kind || ' unit: poor villages linked on ' || :as_of, 'unit', u.id
FROM unit AS u
JOIN unit_quota_rule AS uq ON uq.unit_kind = u.kind AND uq.villages > 0
     AND uq.valid_from <= :as_of AND (uq.valid_until IS NULL OR uq.valid_until > :as_of)
LEFT JOIN area AS a ON a.id = u.area_id
LEFT JOIN unit_holds AS n ON n.unit_id = u.id
WHERE coalesce(n.poor_villages, 0) <> uq.villages;

-- check: visits
-- 三到: per link active in [year start, period end] and per visit_standard row (in force at the
-- period's end) for its kind of linker and target, what the link's own linker did with its own
-- target on the days the link was active, against the yearly standard times the share of the year
-- the link was active (counts rounded to whole numbers, days to tenths). One finding per link short
-- of any row, listing all it owes and has.
WITH std AS (
    SELECT actor, target, kind, min_count, min_days FROM visit_standard
    WHERE valid_from <= :period_end AND (valid_until IS NULL OR valid_until > :period_end)),
owed AS MATERIALIZED (
    -- the first and last day of the period the link was active, and the share of the year that is
    SELECT id, unit_id, cadre_id, village_id, household_id, actor, target, first_day, last_day,
           (julianday(last_day) - julianday(first_day) + 1) / :year_days AS share
    FROM (SELECT l.id, l.unit_id, l.cadre_id, l.village_id, l.household_id,
                 CASE WHEN l.unit_id IS NOT NULL THEN 'unit' ELSE 'cadre' END AS actor,
                 CASE WHEN l.household_id IS NOT NULL THEN 'household' ELSE 'village' END AS target,
                 max(l.start_date, :year_start) AS first_day,
                 min(coalesce(date(l.end_date, '-1 day'), :period_end), :period_end) AS last_day
          FROM link AS l NOT INDEXED
          WHERE l.start_date <= :period_end AND (l.end_date IS NULL OR l.end_date > :year_start))
    WHERE (actor, target) IN (SELECT actor, target FROM std)),
tally AS (
    -- per link and kind of contact: how many, and how many days, in the link's own days
    SELECT o.id, x.kind, count(*) AS n, sum(x.days) AS d
    FROM owed AS o JOIN visit AS x ON x.household_id = o.household_id AND x.cadre_id = o.cadre_id
    WHERE o.household_id IS NOT NULL AND x.date BETWEEN o.first_day AND o.last_day GROUP BY o.id, x.kind
    UNION ALL
    SELECT o.id, x.kind, count(*), sum(x.days)
    FROM owed AS o JOIN visit AS x ON x.village_id = o.village_id AND x.unit_id = o.unit_id
    WHERE o.unit_id IS NOT NULL AND x.date BETWEEN o.first_day AND o.last_day GROUP BY o.id, x.kind
    UNION ALL
    SELECT o.id, x.kind, count(*), sum(x.days)
    FROM owed AS o JOIN visit AS x ON x.village_id = o.village_id AND x.cadre_id = o.cadre_id
    WHERE o.cadre_id IS NOT NULL AND o.village_id IS NOT NULL AND x.date BETWEEN o.first_day AND o.last_day GROUP BY o.id, x.kind),
gap AS MATERIALIZED (
    SELECT o.id, o.actor, o.target, o.unit_id, o.cadre_id, o.village_id, o.household_id, std.kind,
           CAST(round(std.min_count * o.share) AS INTEGER) AS need_n,
           round(std.min_days * o.share, 1) AS need_d,
           coalesce(t.n, 0) AS n, coalesce(t.d, 0) AS d
    FROM owed AS o
    JOIN std ON std.actor = o.actor AND std.target = o.target
    LEFT JOIN tally AS t ON t.id = o.id AND t.kind = std.kind),
short AS (
    -- days are compared at a millionth, so 2.3 + 2.3 + 1.3 days is the 5.9 it reads as
    SELECT DISTINCT id FROM gap WHERE n < need_n OR round(d, 6) < need_d)
SELECT 'visits' AS "check", 'warning' AS severity,
       s.actor || ' ' || coalesce(s.unit_id, s.cadre_id) || ' ' || coalesce(u.name, c.name) || ' → '
           || s.target || ' ' || coalesce(s.household_id, s.village_id) || ' ' || coalesce(h.head_name, v.name) AS subject,
       a.name || CASE WHEN s.household_id IS NOT NULL THEN ' ' || v.name ELSE '' END AS area,
       group_concat(s.kind || ' ' || s.need_n || coalesce(', days ' || s.need_d, ''), ', ') AS expected,
       group_concat(s.kind || ' ' || s.n || CASE WHEN s.need_d IS NULL THEN '' ELSE ', days ' || round(s.d, 1) END, ', ') AS actual,
       'short of the standard between ' || :year_start || ' and ' || :period_end AS message,
       'link' AS subject_table, s.id AS subject_id
FROM short
JOIN gap AS s ON s.id = short.id
LEFT JOIN unit AS u ON u.id = s.unit_id
LEFT JOIN cadre AS c ON c.id = s.cadre_id
LEFT JOIN household AS h ON h.id = s.household_id
JOIN village AS v ON v.id = coalesce(s.village_id, h.village_id)
JOIN area AS a ON a.id = v.area_id
GROUP BY s.id
ORDER BY s.id;

-- check: actions
-- 六项行动: per target linked at the period's end (a household; a village or a community; a poor
-- village also as a poor village) and per action_minimum row in force then for its kind of target,
-- with a number above 0 and, for a row with a cause, only households with that cause: the
-- activities recorded against the target in the period whose action is the row's (any, when NULL)
-- and whose title is LIKE the row's pattern. One finding per place short of any row.
WITH r AS (
    SELECT * FROM action_minimum
    WHERE min_count > 0 AND valid_from <= :period_end AND (valid_until IS NULL OR valid_until > :period_end)),
linked AS (
    SELECT l.household_id, l.village_id FROM link AS l NOT INDEXED
    WHERE l.start_date <= :period_end AND (l.end_date IS NULL OR l.end_date > :period_end)),
counted AS (
    -- each activity of the period against each row it meets: one pass over the activities
    SELECT x.household_id, x.village_id, r.id AS rule, count(*) AS n
    FROM activity AS x NOT INDEXED CROSS JOIN r
    WHERE x.date BETWEEN :year_start AND :period_end
      AND (r.action IS NULL OR r.action = x.action) AND x.title LIKE r.title_like
    GROUP BY x.household_id, x.village_id, r.id),
h_done AS (SELECT household_id AS id, rule, n FROM counted WHERE household_id IS NOT NULL),
v_done AS (SELECT village_id AS id, rule, n FROM counted WHERE village_id IS NOT NULL),
short AS (
    SELECT 'household' AS subject_table, h.id, r.item, r.min_count, coalesce(d.n, 0) AS n
    FROM household AS h
    JOIN r ON r.target = 'household' AND (r.cause IS NULL OR r.cause IN (h.main_cause, h.other_cause_1, h.other_cause_2))
    LEFT JOIN h_done AS d ON d.id = h.id AND d.rule = r.id
    WHERE h.id IN (SELECT household_id FROM linked) AND coalesce(d.n, 0) < r.min_count
    UNION ALL
    SELECT 'village', v.id, r.item, r.min_count, coalesce(d.n, 0)
    FROM village AS v
    JOIN r ON r.target = v.kind OR (r.target = 'poor_village' AND v.kind = 'village' AND v.poor = 1)
    LEFT JOIN v_done AS d ON d.id = v.id AND d.rule = r.id
    WHERE v.id IN (SELECT village_id FROM linked) AND coalesce(d.n, 0) < r.min_count)
SELECT 'actions' AS "check", 'warning' AS severity,
       s.subject_table || ' ' || s.id || ' ' || coalesce(h.head_name, v.name) AS subject,
       a.name || CASE WHEN h.id IS NOT NULL THEN ' ' || v.name ELSE '' END AS area,
       group_concat(s.item || ' ' || s.min_count, ', ') AS expected,
       group_concat(s.item || ' ' || s.n, ', ') AS actual,
       'six actions short between ' || :year_start || ' and ' || :period_end AS message,
       s.subject_table, s.id AS subject_id
FROM short AS s
LEFT JOIN household AS h ON s.subject_table = 'household' AND h.id = s.id
JOIN village AS v ON v.id = CASE WHEN s.subject_table = 'household' THEN h.village_id ELSE s.id END
JOIN area AS a ON a.id = v.area_id
GROUP BY s.subject_table, s.id
ORDER BY s.subject_table, s.id;

-- check: outcomes
-- 三大成效: a household linked on the day whose 两不愁三保障 are not all met (a warning once it has
-- exited by the checked year, else information); a poor village with no industry project (产业扶贫)
-- landed by the period's end; a household linked at the period's end with no prosperity-lead
-- (富民引领) activity in the period.
SELECT 'outcomes' AS "check",
       CASE WHEN h.exit_year <= CAST(strftime('%Y', :year_start) AS INTEGER) THEN 'warning' ELSE 'info' END AS severity,
       'household ' || h.id || ' ' || h.head_name AS subject, a.name || ' ' || v.name AS area,
       '两不愁三保障' AS expected,
       (h.food_secure + h.clothing_secure + h.education_secured + h.medical_secured + h.housing_secured) || ' of 5' AS actual,
       'not all of 两不愁三保障 met' AS message, 'household' AS subject_table, h.id AS subject_id
FROM household AS h
JOIN village AS v ON v.id = h.village_id
JOIN area AS a ON a.id = v.area_id
WHERE (h.food_secure + h.clothing_secure + h.education_secured + h.medical_secured + h.housing_secured) < 5
  AND h.id IN (SELECT l.household_id FROM link AS l NOT INDEXED
               WHERE l.household_id IS NOT NULL AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of))
UNION ALL
SELECT 'outcomes', 'warning', 'village ' || v.id || ' ' || v.name, a.name, 'an industry project', 'none',
       'no industry project by ' || :period_end, 'village', v.id
FROM village AS v
JOIN area AS a ON a.id = v.area_id
WHERE v.kind = 'village' AND v.poor = 1
  AND v.id NOT IN (SELECT x.village_id FROM activity AS x NOT INDEXED
                   WHERE x.village_id IS NOT NULL AND x.action = 'industry' AND x.date <= :period_end)
UNION ALL
SELECT 'outcomes', 'warning', 'household ' || h.id || ' ' || h.head_name, a.name || ' ' || v.name,
       'a prosperity-lead activity', 'none', 'no prosperity lead between ' || :year_start || ' and ' || :period_end,
       'household', h.id
FROM household AS h
JOIN village AS v ON v.id = h.village_id
JOIN area AS a ON a.id = v.area_id
WHERE h.id IN (SELECT l.household_id FROM link AS l NOT INDEXED
               WHERE l.household_id IS NOT NULL AND l.start_date <= :period_end AND (l.end_date IS NULL OR l.end_date > :period_end))
  AND h.id NOT IN (SELECT x.household_id FROM activity AS x NOT INDEXED
                   WHERE x.household_id IS NOT NULL AND x.action = 'prosperity' AND x.date BETWEEN :year_start AND :period_end);

-- check: problems
-- Followed until closed: a problem reported by the day and not closed by it, open longer than
-- problem_deadline_days, or whose last sign of life by the day (its report, its escalation, a
-- follow-up) is more than problem_followup_days old. Two findings when both.
WITH setting AS (
    SELECT name, value FROM rule_setting
    WHERE valid_from <= :as_of AND (valid_until IS NULL OR valid_until > :as_of)),
open_p AS (
    SELECT p.id, p.description, coalesce(p.village_id, h.village_id) AS village_id,
           julianday(:as_of) - julianday(p.reported_on) AS age,
           max(p.reported_on,
               CASE WHEN p.escalated_on <= :as_of THEN p.escalated_on ELSE p.reported_on END,
               coalesce((SELECT max(f.date) FROM problem_followup AS f WHERE f.problem_id = p.id AND f.date <= :as_of), p.reported_on)) AS last_seen
    FROM problem AS p
    LEFT JOIN household AS h ON h.id = p.household_id
    WHERE p.reported_on <= :as_of AND (p.closed_on IS NULL OR p.closed_on > :as_of)),
late AS (
    SELECT o.*, 'deadline' AS what, o.age AS days, s.value AS allowed
    FROM open_p AS o JOIN setting AS s ON s.name = 'problem_deadline_days' WHERE o.age > s.value
    UNION ALL
    SELECT o.*, 'follow-up', julianday(:as_of) - julianday(o.last_seen), s.value
    FROM open_p AS o JOIN setting AS s ON s.name = 'problem_followup_days'
    WHERE julianday(:as_of) - julianday(o.last_seen) > s.value)
SELECT 'problems' AS "check", 'warning' AS severity, 'problem ' || l.id || ' ' || substr(l.description, 1, 20) AS subject,
       coalesce(a.name || ' ' || v.name, '') AS area, l.what || ' within ' || CAST(l.allowed AS INTEGER) || ' days' AS expected,
       CAST(l.days AS INTEGER) || ' days' AS actual, l.what || ' missed as of ' || :as_of AS message,
       'problem' AS subject_table, l.id AS subject_id
FROM late AS l
LEFT JOIN village AS v ON v.id = l.village_id
LEFT JOIN area AS a ON a.id = v.area_id;

-- check: staff
-- Cadres who may not link (of an excluded category in force on the day — 教师、医务人员、企业职工、
-- 机关工勤人员 by default, the rows of excluded_category — or left by the day) yet hold links on the
-- day: few cadres, so their links are counted one cadre at a time.
SELECT 'staff' AS "check", 'error' AS severity, 'cadre ' || c.id || ' ' || c.name AS subject, u.name AS area,
       'no links' AS expected, c.n || ' links' AS actual,
       coalesce('excluded (' || c.excluded || ')', 'left on ' || c.left_on) || ' but linked on ' || :as_of AS message,
       'cadre' AS subject_table, c.id AS subject_id
FROM (SELECT x.*, (SELECT count(*) FROM link AS l
                   WHERE l.cadre_id = x.id AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of)) AS n
      FROM cadre AS x
      WHERE x.left_on <= :as_of
         OR EXISTS (SELECT 1 FROM excluded_category AS r WHERE r.category = x.excluded
                    AND r.valid_from <= :as_of AND (r.valid_until IS NULL OR r.valid_until > :as_of))) AS c
JOIN unit AS u ON u.id = c.unit_id
WHERE c.n > 0;
