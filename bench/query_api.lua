-- The query API at scale, timed inside the process (linkage.now, a monotonic clock) so start-up is
-- not counted; bench/query_api.sh runs the same work in the peers.
--   linkage run --db F bench/query_api.lua count|loop|loop_full RUNS
local what, runs = ...
runs = tonumber(runs or 3)
local function median(t) table.sort(t) return t[(#t + 1) // 2] end
local times, result = {}, nil
for _ = 1, runs do
  local t = linkage.now()
  if what == "count" then
    result = households:where{ kind = "rural", income = { lt = 2300 } }:count()
  elseif what == "count_join" then
    result = households:where{ township = "太京镇", income = { lt = 2300 } }:count()
  elseif what == "loop" then
    local n, s, l = 0, 0, 0
    for h in households:select("head_name", "income") do n = n + 1; s = s + h.income; l = l + #h.head_name end
    result = ("%d %.1f %d"):format(n, s, l)
  elseif what == "loop_full" then
    local n, s, l = 0, 0, 0
    for h in households do n = n + 1; s = s + h.income; l = l + #h.head_name end
    result = ("%d %.1f %d"):format(n, s, l)
  else
    error("unknown benchmark " .. tostring(what))
  end
  times[#times + 1] = linkage.now() - t
end
print(("%.4f\t%s"):format(median(times), result))
