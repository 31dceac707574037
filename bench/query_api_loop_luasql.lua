-- The peer of bench/query_api.lua's loop with lua5.4 + LuaSQL, a new table per row.
local driver = require("luasql.sqlite3")
local path, runs = arg[1], tonumber(arg[2])
local env = driver.sqlite3()
local con = env:connect(path)
local times, result = {}, nil
for _ = 1, runs do
  local t = os.clock()
  local n, s, l = 0, 0, 0
  local cur = con:execute("SELECT head_name, income FROM household")
  local row = cur:fetch({}, "a")
  while row do
    n = n + 1; s = s + row.income; l = l + #row.head_name
    row = cur:fetch({}, "a")
  end
  cur:close()
  times[#times + 1] = os.clock() - t
  result = ("%d %.1f %d"):format(n, s, l)
end
table.sort(times)
print(("%.4f\t%s"):format(times[(#times + 1) // 2], result))
con:close() env:close()
