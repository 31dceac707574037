-- A first look at a register: what it holds, how far the linkage covers it, and the rules it keeps.
--   linkage run samples/hello.lua [DATE]
local date = ...
if date then linkage.as_of(date) end

print(("Register on %s: %d areas, %d poor villages, %d communities, %d households, %d units, %d cadres")
  :format(linkage.as_of(), areas:count(), villages:count(), communities:count(), households:count(),
          units:count(), cadres:count()))

print()
print("Coverage (全面覆盖): households with a linked cadre, by township or subdistrict")
local pad = linkage.pad
print(("  %s %8s %8s %7s"):format(pad("area", 12), "linked", "of", "share"))
for _, g in ipairs(households:group_count("township")) do
  local linked = households:where{ township = g.township }:linked():count()
  print(("  %s %8d %8d %6.1f%%"):format(pad(g.township, 12), linked, g.count, 100 * linked / g.count))
end
local unlinked = households:unlinked():count()
print(("  %d households, %d villages and %d communities have no one linked")
  :format(unlinked, villages:uncovered():count(), communities:uncovered():count()))

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
