-- Linkage: stream every row of bench_rows through db.rows (a table per row, keyed by column name).
-- Run: linkage run --db FILE bench/stream_rows.lua
local n, sa, sb, sl = 0, 0, 0.0, 0
for r in db.rows("SELECT id, a, b, c FROM bench_rows") do
  n = n + 1
  sa = sa + r.a
  sb = sb + r.b
  sl = sl + #r.c
end
print(string.format("%d %d %.2f %d", n, sa, sb, sl))
