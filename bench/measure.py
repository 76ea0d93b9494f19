#!/usr/bin/env python3
"""Runs a command and prints `seconds max_rss_kib` of that process (wall clock, peak RSS).

    bench/measure.py -- CMD ARGS...
"""
import os
import subprocess
import sys
import time

args = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
start = time.monotonic()
proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
elapsed = time.monotonic() - start
if os.waitstatus_to_exitcode(status) != 0:
    sys.stderr.write("command failed: %s\n" % " ".join(args))
    sys.exit(1)
print("%.3f %d" % (elapsed, usage.ru_maxrss))
