#!/usr/bin/env python3
"""The console's speed at a terminal, against the sqlite3 shell and lua5.4 in the same run.

usage: console_speed.py LINKAGE DB RUNS
Prints, for each, the median of RUNS: launch to first prompt; and for linkage a completion (Tab to
the completed text) and rendering a 1,000-row page (Enter to the next prompt).
"""
import os, pty, re, select, statistics, sys, time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|[\r\x07]")

def session(argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.environ["NO_COLOR"] = "1"
        os.execvp(argv[0], argv)
    return pid, fd

def wait_for(fd, pattern, buf, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = re.search(pattern, ANSI.sub(b"", buf[0]))
        if m:
            buf[0] = ANSI.sub(b"", buf[0])[m.end():]
            return
        r, _, _ = select.select([fd], [], [], 0.01)
        if r:
            buf[0] += os.read(fd, 1 << 20)
    raise SystemExit(f"timed out waiting for {pattern!r}")

def close(pid, fd):
    try:
        os.kill(pid, 9)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)

def launch(argv, prompt):
    start = time.perf_counter()
    pid, fd = session(argv)
    buf = [b""]
    wait_for(fd, prompt, buf)
    elapsed = time.perf_counter() - start
    return elapsed, pid, fd, buf

def main():
    linkage, db, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    results = {}
    for name, argv, prompt in [("linkage console", [linkage, "--db", db], rb"linkage> "),
                               ("sqlite3 shell", ["sqlite3", db], rb"sqlite> "),
                               ("lua5.4", ["lua5.4"], rb"\n> ")]:
        times = []
        for _ in range(runs):
            t, pid, fd, _ = launch(argv, prompt)
            times.append(t)
            close(pid, fd)
        results[name] = statistics.median(times)
    completion, page = [], []
    for _ in range(runs):
        _, pid, fd, buf = launch([linkage, "--db", db], rb"linkage> ")
        os.write(fd, "households:where{ township = \"太京".encode())
        wait_for(fd, "太京".encode(), buf)
        start = time.perf_counter()
        os.write(fd, b"\t")
        wait_for(fd, "镇".encode(), buf)  # the editor writes only what it adds
        completion.append(time.perf_counter() - start)
        os.write(fd, b"\x15")  # the line is not run
        os.write(fd, b"\r")
        wait_for(fd, rb"linkage> ", buf)
        start = time.perf_counter()
        os.write(fd, b"households:limit(1000):list()\r")
        wait_for(fd, rb"linkage> ", buf)
        page.append(time.perf_counter() - start)
        close(pid, fd)
    base = results["linkage console"]
    print("| what | median ms | vs linkage |")
    print("|---|---:|---:|")
    for name, t in results.items():
        print(f"| launch to first prompt: {name} | {t * 1000:.1f} | {t / base:.2f} |")
    print(f"| completion of a township name (Tab to text) | {statistics.median(completion) * 1000:.1f} | |")
    print(f"| rendering a 1,000-row page of households (Enter to prompt) | {statistics.median(page) * 1000:.1f} | |")

main()
