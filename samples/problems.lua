-- A problem's life (问题上报): a cadre reports what he or she cannot solve for a household, it is
-- passed up to the leadership office (escalate), followed up (跟踪督办) and closed with a
-- resolution. Each step is checked first; a mistake stops the run and nothing is written.
--   linkage run --dry-run samples/problems.lua 李明 620502197001010014 2012-05-01   (preview)
--   linkage run samples/problems.lua 李明 620502197001010014 2012-05-01
local cadre_name, resident_id, day = ...
if not (cadre_name and resident_id) then
  io.stderr:write("usage: linkage run samples/problems.lua CADRE_NAME RESIDENT_ID [DATE]\n")
  os.exit(2)
end
day = day or linkage.as_of()

-- The day `n` days after the date `d` (YYYY-MM-DD).
local function plus(d, n)
  local y, m, dd = d:match("^(%d+)-(%d+)-(%d+)$")
  if not y then error("DATE must be written YYYY-MM-DD, such as 2012-05-01; got " .. d, 0) end
  return os.date("%Y-%m-%d", os.time{ year = tonumber(y), month = tonumber(m), day = tonumber(dd) + n, hour = 12 })
end

local cadre = cadres:find{ name = cadre_name } or error("no cadre named " .. cadre_name, 0)
local h = households:find{ resident_id = resident_id:upper() } or error("no household with resident ID " .. resident_id, 0)

local p = h:report_problem{ by = cadre, on = day, description = "危房改造资金缺口，本人无法解决" }
print(("%s reported problem %d about %s on %s"):format(cadre.name, p.id, h.head_name, p.reported_on))
p:escalate{ date = plus(day, 7) }
print("  escalated to the office on " .. p.escalated_on)
p:follow_up{ date = plus(day, 14), note = "区住建局已入户勘察" }
for _, f in ipairs(p:followups()) do print(("  followed up on %s: %s"):format(f.date, f.note)) end
p:close{ date = plus(day, 30), resolution = "纳入当年危房改造计划" }
print(("  closed on %s: %s"):format(p.closed_on, p.resolution))
print(("%d problems in the register are still open"):format(problems:where{ status = { ne = "closed" } }:count()))
