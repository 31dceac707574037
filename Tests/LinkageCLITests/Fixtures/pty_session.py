#!/usr/bin/env python3
"""Drives a program in a pseudo-terminal, as a person at a keyboard would.

usage: pty_session.py STEPS_JSON PROGRAM [ARG...]
STEPS_JSON is a list of steps: ["send", text] types text; ["expect", regex, seconds] waits until the
output so far (ANSI escapes removed) matches from where the last match ended; ["sigint"] sends
Ctrl-C through the terminal; ["eof"] sends Ctrl-D; ["exit", seconds] waits for the program to end.
Prints the whole transcript; exits 1 (saying which step) when a step is not met.
"""
import json, os, pty, re, select, signal, sys, time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|[\r\x07]")

def main():
    steps = json.loads(sys.argv[1])
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execv(sys.argv[2], sys.argv[2:])
    raw, seen_to = b"", 0
    status = None

    def read(timeout):
        nonlocal raw
        r, _, _ = select.select([fd], [], [], timeout)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            raw += data
        return True

    def text():
        return ANSI.sub(b"", raw).decode("utf-8", "replace")

    try:
        for i, step in enumerate(steps):
            kind = step[0]
            if kind == "send":
                os.write(fd, step[1].encode())
            elif kind == "sigint":
                os.write(fd, b"\x03")
            elif kind == "eof":
                time.sleep(0.2)  # the editor must be reading, not the terminal's cooked mode
                os.write(fd, b"\x04")
            elif kind == "expect":
                pattern, deadline = re.compile(step[1]), time.time() + (step[2] if len(step) > 2 else 10)
                while True:
                    m = pattern.search(text(), seen_to)
                    if m:
                        seen_to = m.end()
                        break
                    if time.time() > deadline or not read(0.05) and time.time() > deadline:
                        print(text())
                        print(f"\n--- step {i}: {pattern.pattern!r} not seen", file=sys.stderr)
                        sys.exit(1)
            elif kind == "exit":
                deadline = time.time() + (step[1] if len(step) > 1 else 10)
                while time.time() < deadline:
                    done, st = os.waitpid(pid, os.WNOHANG)
                    if done:
                        status = st
                        break
                    read(0.05)
                if status is None:
                    print(text())
                    print(f"\n--- step {i}: the program did not exit", file=sys.stderr)
                    sys.exit(1)
                while read(0.05):
                    pass
        print(text())
        if status is not None:
            print(f"\n--- exit {os.waitstatus_to_exitcode(status)}")
    finally:
        if status is None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

main()
