-- Relation methods in a loop, timed inside the process (linkage.now, a monotonic clock) so start-up
-- is not counted; bench/relations.sh asks the sqlite3 CLI the same question.
--   linkage run --db F --read-only bench/relations.lua DATE K RUNS COLLECTION:METHOD:STEP[:d] ...
-- For each case: the first K records of COLLECTION whose id is a multiple of STEP, and
-- rec:METHOD(DATE):count() (":d", a relation through links) or rec:METHOD():count() summed over
-- them; prints "case<TAB>records<TAB>median seconds<TAB>total" (median of RUNS, after a warm-up).
local date, k, runs = ...
k, runs = tonumber(k), tonumber(runs)
local function median(t) table.sort(t) return t[(#t + 1) // 2] end
for i = 4, select("#", ...) do
  local spec = select(i, ...)
  local coll, method, step, dated = spec:match("^(%w+):(%w+):(%d+)(:?d?)$")
  assert(coll, "bad case " .. spec)
  local records = _G[coll]:where("id % ? = 0", tonumber(step)):order_by("id"):limit(k):list()
  local arg = dated == ":d" and date or nil
  local times, total = {}, nil
  for run = 0, runs do
    local t = linkage.now()
    local n = 0
    for _, r in ipairs(records) do n = n + r[method](r, arg):count() end
    if run > 0 then times[#times + 1] = linkage.now() - t end
    assert(total == nil or total == n, "different totals between runs")
    total = n
  end
  print(("%s\t%d\t%.6f\t%d"):format(spec, #records, median(times), total))
end
