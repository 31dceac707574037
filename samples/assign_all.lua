-- 全面覆盖 in one step: propose links for every uncovered poor village, community and household
-- within the quotas in force (联系方式), fill the quotas left with second cadres (at most
-- household_cadres_max per household), show the proposal and make it, all or nothing.
--   linkage run --dry-run samples/assign_all.lua 2012-03-01    (preview: what it would write)
--   linkage run samples/assign_all.lua 2012-03-01
--   linkage check --only coverage,quotas --as-of 2012-03-01     (afterwards: nothing to report)
-- In the console, `assign.all{ as_of = '2012-03-01' }` shows the proposal as a table.
local day = arg[1] or linkage.as_of()
local proposal = assign.all{ as_of = day }
print(proposal:summary())

-- A few entries, to see who was chosen and why.
for i = 1, math.min(#proposal, 5) do
  local e = proposal[i]
  print(("  %s → %s (%s): %s"):format(tostring(e.linker), tostring(e.target), e.area or "", e.reason))
end
if #proposal > 5 then print(("  … and %d more"):format(#proposal - 5)) end

local made = proposal:apply()
print(("made %d links from %s"):format(made, day))
if #proposal.uncovered > 0 then
  io.stderr:write("some targets stay uncovered: add linkers or change the rules (linkage rules), then run again\n")
end
