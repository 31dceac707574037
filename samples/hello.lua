-- A first look at a register: its areas, and the linkage rules it holds as data.
--   linkage run samples/hello.lua
local kinds = { township = "乡镇", subdistrict = "街道" }
print("Areas of the register")
for r in db.rows("SELECT kind, count(*) AS n, group_concat(name, '、') AS names FROM area GROUP BY kind ORDER BY kind DESC") do
  print(("  %s %d: %s"):format(kinds[r.kind] or r.kind, r.n, r.names))
end

print()
print("Who links how many (联系方式), from the quota_rule table")
print(("  %-26s %8s %8s %8s %8s"):format("role", "villages", "rural", "communities", "urban"))
for r in db.rows("SELECT * FROM quota_rule ORDER BY villages DESC, rural_households DESC, role") do
  print(("  %-26s %8d %8d %8d %8d"):format(r.role, r.villages, r.rural_households, r.communities, r.urban_households))
end

print()
print("Visit and contact standards per year (三到), from the visit_standard table")
for r in db.rows("SELECT * FROM visit_standard ORDER BY actor DESC, kind DESC") do
  local days = r.min_days and (", together at least %d days"):format(r.min_days) or ""
  print(("  a %s, for each linked %s: at least %d %s%s"):format(r.actor, r.target, r.min_count, r.kind, days))
end
