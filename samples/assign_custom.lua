-- An assignment of one's own, then the built-in one for the rest: households poor for lack of
-- skills (主要致贫原因 缺技术) go first to the cadres of the agriculture bureaus, who can bring a
-- technique (三送: 送技术); everything else is left to assign.all. Both within the quotas.
--   linkage run --dry-run samples/assign_custom.lua 2012-03-01
--   linkage run samples/assign_custom.lua 2012-03-01
local day = arg[1] or linkage.as_of()

-- 区农业局 and 区农业技术推广中心 in the district (a county's own, such as 某县农业局, in a province).
local bureaus = units:where("name LIKE '%农业局' OR name LIKE '%农牧局' OR name LIKE '%农业技术推广中心'")
if not bureaus:exists() then
  io.stderr:write("no agriculture bureau (…农业局, …农牧局, …农业技术推广中心) in the register\n")
  os.exit(2)
end
local agronomists = cadres:where{ unit_id = { ["in"] = bureaus:pluck("id") } }
local skills = households:where{ main_cause = "缺技术" }

local first = assign.households{ as_of = day, households = skills, cadres = agronomists }
print(("缺技术: %d households; %d links proposed to %d cadres of %s"):format(
  skills:count(), #first, agronomists:count(), table.concat(bureaus:pluck("name"), "、")))
first:apply()

local rest = assign.all{ as_of = day }
print(rest:summary())
print(("made %d links from %s"):format(rest:apply(), day))
