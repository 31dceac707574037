-- aggregate{} and pivot{} timed inside linkage (median of runs), for bench/aggregate.sh: prints
-- the seconds, then the SQL the rows tell (rows:sql()) with its values written in, for the
-- sqlite3 CLI to run the same statement.
--   linkage --db REGISTER --read-only run bench/aggregate.lua aggregate|pivot|pivot_avg [RUNS]
local what, runs = ...
runs = tonumber(runs) or 3
local jobs = {
  aggregate = function()
    return households:group_by('township', 'main_cause'):aggregate{
      households = 'count', income = { 'avg', 'income' }, members = { 'sum', 'members' } }
  end,
  pivot = function() return households:pivot{ rows = 'township', columns = 'main_cause' } end,
  pivot_avg = function() return households:pivot{ rows = 'township', columns = 'main_cause', value = { 'avg', 'income' } } end,
}
local job = assert(jobs[what], "aggregate, pivot or pivot_avg")
local times, rows = {}, nil
for i = 1, runs do
  local t = linkage.now()
  rows = job()
  times[i] = linkage.now() - t
end
table.sort(times)
local text, values = rows:sql()
text = text:gsub("  %-%- .*$", "")
local n = 0
text = text:gsub("%?", function()
  n = n + 1
  local v = values[n]
  return type(v) == "string" and ("'" .. v:gsub("'", "''") .. "'") or tostring(v)
end)
print(("%.3f %d"):format(times[(runs + 1) // 2], #rows))
print(text)
