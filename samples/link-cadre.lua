-- Link a cadre to a household (联户): the cadre by name, the household by resident ID.
--   linkage run samples/link-cadre.lua 李明 620502197001010014 [2012-03-01]
local cadre_name, resident_id, since = ...
if not (cadre_name and resident_id) then
  io.stderr:write("usage: linkage run samples/link-cadre.lua CADRE_NAME RESIDENT_ID [SINCE]\n")
  os.exit(2)
end
local matches = cadres:where{ name = cadre_name }:list()
if #matches ~= 1 then
  error(("%d cadres are named %s; link by id instead: cadres:get(id):link(…)"):format(#matches, cadre_name))
end
local cadre = matches[1]
local household = households:find{ resident_id = resident_id:upper() }
  or error("no household with resident ID " .. resident_id)
local link = cadre:link(household, { since = since })
print(("%s (%s) now links %s of %s since %s"):format(cadre.name, cadre.unit.name, household.head_name,
  household.village.name, link.start_date))
