-- A small register for the query API tests: two towns, a subdistrict, villages, a community,
-- households, units and cadres (one of them a teacher, who must never link).
local function id(digits17)
  local w = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
  local s = 0
  for i = 1, 17 do s = s + tonumber(digits17:sub(i, i)) * w[i] end
  return digits17 .. ("10X98765432"):sub(s % 11 + 1, s % 11 + 1)
end
db.exec([[INSERT INTO area (id, code, name, kind) VALUES
  (1, '620502101', '太京镇', 'township'), (2, '620502100', '玉泉镇', 'township'), (3, '620502001', '大城街道', 'subdistrict')]])
db.exec([[INSERT INTO village (id, area_id, code, name, kind) VALUES
  (1, 1, '620502101201', '窝驼村', 'village'), (2, 1, '620502101202', '石咀村', 'village'),
  (3, 2, '620502100201', '烟铺村', 'village'), (4, 3, '620502001001', '环城社区', 'community')]])
local causes = { "因病", "缺技术", "缺资金", "因学" }
for i = 1, 12 do
  local village = (i - 1) % 3 + 1
  db.exec("INSERT INTO household (id, village_id, kind, head_name, resident_id, main_cause, members, income, food_secure) VALUES (?, ?, 'rural', ?, ?, ?, ?, ?, ?)",
    i, village, "户主" .. i, id(("62050219700101%03d"):format(i)), causes[(i - 1) % 4 + 1], (i % 5) + 1, 1000 + i * 150, i % 2)
end
for i = 13, 15 do
  db.exec("INSERT INTO household (id, village_id, kind, head_name, resident_id, main_cause, members, income) VALUES (?, 4, 'urban', ?, ?, '因残', 2, 4000)",
    i, "居民" .. i, id(("62050219800101%03d"):format(i)))
end
db.exec([[INSERT INTO unit (id, name, kind, area_id) VALUES (1, '太京镇人民政府', 'township', 1), (2, '区财政局', 'department', NULL),
  (3, '区教育局', 'department', NULL)]])
db.exec([[INSERT INTO cadre (id, unit_id, name, role, excluded) VALUES
  (1, 1, '李明', 'township_principal', NULL), (2, 1, '王芳', 'township_other', NULL),
  (3, 2, '张伟', 'department_principal', NULL), (4, 3, '刘老师', NULL, 'teacher'), (5, 2, '陈静', 'department_other', NULL)]])
