-- The floor: sqlite3 CLI, the same sums computed inside SQLite (no row leaves it).
-- Run: sqlite3 FILE < bench/stream_rows.sql
SELECT printf('%d %d %.2f %d', count(*), sum(a), sum(b), sum(length(c))) FROM bench_rows;
