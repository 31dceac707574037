-- The coverage report's table written by hand, for bench/reports.sh: by township and subdistrict,
-- poor villages and communities with a link on the day, households with a cadre linked or the
-- target met (exited by the day's year and 两不愁三保障 all met). :as_of is replaced by the day.
SELECT a.name,
       (SELECT count(*) FROM village v WHERE v.area_id = a.id AND v.kind = 'village' AND v.poor = 1) AS poor,
       (SELECT count(*) FROM village v WHERE v.area_id = a.id AND v.kind = 'village' AND v.poor = 1
          AND EXISTS (SELECT 1 FROM link l WHERE l.village_id = v.id AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of))) AS poor_linked,
       (SELECT count(*) FROM village v WHERE v.area_id = a.id AND v.kind = 'community'
          AND EXISTS (SELECT 1 FROM link l WHERE l.village_id = v.id AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of))) AS communities_linked,
       (SELECT count(*) FROM household h JOIN village v ON v.id = h.village_id WHERE v.area_id = a.id) AS households,
       (SELECT count(*) FROM household h JOIN village v ON v.id = h.village_id WHERE v.area_id = a.id
          AND ((h.exit_year <= CAST(substr(:as_of, 1, 4) AS INTEGER) AND h.food_secure AND h.clothing_secure AND h.education_secured
                AND h.medical_secured AND h.housing_secured)
               OR EXISTS (SELECT 1 FROM link l WHERE l.household_id = h.id AND l.cadre_id IS NOT NULL
                          AND l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date > :as_of)))) AS covered
FROM area a
ORDER BY a.kind DESC, a.code;
