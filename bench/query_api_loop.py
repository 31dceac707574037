# The peer of bench/query_api.lua's loop: every household's two fields, with python3's sqlite3.
import sqlite3, statistics, sys, time
path, runs = sys.argv[1], int(sys.argv[2])
con = sqlite3.connect(path)
times = []
for _ in range(runs):
    t = time.perf_counter()
    n = s = l = 0
    for head_name, income in con.execute("SELECT head_name, income FROM household"):
        n += 1; s += income; l += len(head_name.encode())
    times.append(time.perf_counter() - t)
print("%.4f\t%d %.1f %d" % (statistics.median(times), n, s, l))
