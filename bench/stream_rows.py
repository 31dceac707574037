"""python3 sqlite3: the same work as bench/stream_rows.lua, rows as tuples.

Run: python3 bench/stream_rows.py FILE
"""
import sqlite3
import sys

con = sqlite3.connect(sys.argv[1])
n = sa = sl = 0
sb = 0.0
for row in con.execute("SELECT id, a, b, c FROM bench_rows"):
    n += 1
    sa += row[1]
    sb += row[2]
    sl += len(row[3])
con.close()
print("%d %d %.2f %d" % (n, sa, sb, sl))
