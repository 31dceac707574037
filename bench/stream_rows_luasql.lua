-- lua5.4 + LuaSQL (luasql.sqlite3): the same work as bench/stream_rows.lua.
-- Run: lua5.4 bench/stream_rows_luasql.lua FILE [new|reuse]
--   new   (default) cur:fetch({}, "a"): a new table per row, like Linkage's db.rows
--   reuse cur:fetch(t, "a"): one table refilled for every row
local driver = require("luasql.sqlite3")
local file, mode = arg[1], arg[2] or "new"
assert(file, "usage: lua5.4 stream_rows_luasql.lua FILE [new|reuse]")
assert(mode == "new" or mode == "reuse", "mode is new or reuse")
local env = assert(driver.sqlite3())
local con = assert(env:connect(file))
local cur = assert(con:execute("SELECT id, a, b, c FROM bench_rows"))
local n, sa, sb, sl = 0, 0, 0.0, 0
if mode == "new" then
  local r = cur:fetch({}, "a")
  while r do
    n = n + 1
    sa = sa + r.a
    sb = sb + r.b
    sl = sl + #r.c
    r = cur:fetch({}, "a")
  end
else
  local t = {}
  local r = cur:fetch(t, "a")
  while r do
    n = n + 1
    sa = sa + r.a
    sb = sb + r.b
    sl = sl + #r.c
    r = cur:fetch(t, "a")
  end
end
cur:close()
con:close()
env:close()
print(string.format("%d %d %.2f %d", n, sa, sb, sl))
