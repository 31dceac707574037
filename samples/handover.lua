-- Hand every link of a cadre who cannot serve (调离, 疾病, 退休) to a successor (接替).
-- Ends the old links with the date and reason, records the successor, starts the same links.
--   linkage run --dry-run samples/handover.lua 李明 王芳 2012-09-01 调离    (preview)
--   linkage run samples/handover.lua 李明 王芳 2012-09-01 调离
local from_name, to_name, date, reason = ...
if not (from_name and to_name and date) then
  io.stderr:write("usage: linkage run samples/handover.lua FROM_CADRE TO_CADRE DATE [REASON]\n")
  os.exit(2)
end
local from = cadres:find{ name = from_name } or error("no cadre named " .. from_name)
local to = cadres:find{ name = to_name } or error("no cadre named " .. to_name)
local holding = from:households(date):pluck("head_name")
local moved = from:handover(to, { date = date, reason = reason or "调离" })
print(("%s handed %d links to %s on %s (%s)"):format(from.name, moved, to.name, date, reason or "调离"))
if #holding > 0 then print("  households: " .. table.concat(holding, "、")) end
