-- Households of a township (or subdistrict) with no linked cadre: the 全面覆盖 check for one area.
-- Exits with 1 when any household is unlinked, so cron can alert on it.
--   linkage run samples/unlinked-households.lua 太京镇 [2012-06-30]
local area, date = ...
if not area then
  io.stderr:write("usage: linkage run samples/unlinked-households.lua TOWNSHIP [DATE]\n")
  os.exit(2)
end
if date then linkage.as_of(date) end
assert(areas:find{ name = area }, "no township or subdistrict named " .. area)

local unlinked = households:where{ township = area }:unlinked():order_by("village.name", "head_name")
local n = unlinked:count()
print(("%s, %s: %d of %d households have no linked cadre"):format(area, linkage.as_of(), n,
  households:where{ township = area }:count()))
for h in unlinked do
  print(("  %s %s %s"):format(linkage.pad(h.village.name, 12), linkage.pad(h.head_name, 8), h.resident_id))
end
if n > 0 then os.exit(1) end
