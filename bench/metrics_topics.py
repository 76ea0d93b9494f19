#!/usr/bin/env python3
"""The timing side of bench/run-metrics-topics: in each round, `switchboard report --format json` (as
bench/run-metrics runs it) of the baseline build on the interactions before topics existed (base.db), of this
build on the same interactions without topics (plain.db) and with them (topics.db), and of this build with
`--by topic` — each beside DuckDB's query of bench/metrics_peer.py on those interactions (loaded once, not
timed). Prints each round and the medians."""
import json, os, resource, statistics, subprocess, sys, time

import duckdb

from metrics_peer import QUERY


def timed(args, out_json):
    """Wall seconds and peak RSS (MiB) of one child; RUSAGE_CHILDREN keeps the maximum so far, so each child
    runs under its own python process."""
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], 'w'), check=True); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    line = subprocess.run([sys.executable, "-c", probe, out_json] + args, capture_output=True, text=True, check=True).stdout
    seconds, rss = line.split()
    return float(seconds), float(rss)


def main():
    out, binary, base, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count()}")
    con.execute(f"CREATE TABLE interactions AS SELECT * FROM read_csv('{out}/interactions.csv', header = true, auto_detect = true)")
    report = ["report", "--format", "json", "--now", "2026-04-15"]
    runs = {
        "base (before topics)": [base] + report + ["--config", f"{out}/base.yaml"],
        "this build, no topics": [binary] + report + ["--config", f"{out}/plain.yaml"],
        "this build, topics": [binary] + report + ["--config", f"{out}/topics.yaml"],
        "this build, --by topic": [binary] + report + ["--config", f"{out}/topics.yaml", "--by", "topic"],
    }
    ratios = {name: [] for name in runs}
    reports = {}
    for r in range(rounds):
        for name, args in runs.items():
            seconds, rss = timed(args, f"{out}/run-{list(runs).index(name)}-{r}.json")
            start = time.perf_counter()
            con.execute(QUERY).fetchone()
            peer = time.perf_counter() - start
            ratios[name].append(seconds / peer)
            reports[name] = json.load(open(f"{out}/run-{list(runs).index(name)}-{r}.json"))
            print(f"round {r + 1}  {name:24s} switchboard {seconds:6.2f} s (peak RSS {rss:5.0f} MiB)  duckdb {peer:5.2f} s"
                  f"  ratio {seconds / peer:.2f}", flush=True)
    # The topics change nothing else: the overall numbers agree across the three.
    keys = ["conversations", "resolved", "frt", "resolution_time", "fcr", "csat", "phone"]
    same = all(json.dumps({k: reports[n]["overall"][k] for k in keys}, sort_keys=True)
               == json.dumps({k: reports["base (before topics)"]["overall"][k] for k in keys}, sort_keys=True) for n in runs)
    topics = reports["this build, --by topic"]
    print(f"overall numbers identical across the three: {same}")
    print("topics: " + ", ".join(f"{k} {v['conversations']}" for k, v in topics.get("by_topic", {}).items()))
    base = statistics.median(ratios["base (before topics)"])
    for name in runs:
        m = statistics.median(ratios[name])
        print(f"median ratio {name:24s} {m:.2f}  ({(m / base - 1) * 100:+.1f} % against the base)")
    print(f"ratio={statistics.median(ratios['this build, topics']):.2f}")


if __name__ == "__main__":
    main()
