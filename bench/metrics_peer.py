#!/usr/bin/env python3
"""The DuckDB side of bench/run-metrics, and the timing of both sides.

Runs `switchboard report --format json` (wall time and peak RSS of the child),
then loads the same interactions into an in-memory DuckDB (not timed) and
times one query computing FRT mean/median/p90, resolution time
mean/median/p90, FCR rate, CSAT and abandonment rate with the same rules
(status resolution, else the last agent reply idle for 72 h before now;
answered calls resolved at the end of the call, their agent the answering one; FCR = resolved, one agent, no
other conversation of the customer within 7 days)."""
import json, os, resource, subprocess, sys, time

import duckdb

NOW_MS = 1776211200000  # 2026-04-15T00:00:00Z

QUERY = f"""
WITH conv AS (
  SELECT source, conversation_key,
    min(occurred_at) FILTER (WHERE (kind = 'message' AND actor_role = 'customer') OR (kind = 'call' AND direction = 'inbound')) AS open_at,
    min(occurred_at) FILTER (WHERE actor_role = 'agent' AND direction = 'outbound') AS first_reply,
    max(occurred_at) FILTER (WHERE actor_role = 'agent' AND direction = 'outbound') AS last_reply,
    max(occurred_at) FILTER (WHERE kind = 'message' AND actor_role = 'customer') AS last_customer,
    max(occurred_at) FILTER (WHERE kind = 'status' AND status_to = 'resolved') AS status_resolved,
    bool_or(kind = 'status') AS has_status,
    any_value(customer_key) FILTER (WHERE customer_key IS NOT NULL) AS customer,
    any_value(call_outcome) FILTER (WHERE kind = 'call') AS outcome,
    any_value(call_wait) FILTER (WHERE kind = 'call') AS wait,
    any_value(call_talk) FILTER (WHERE kind = 'call') AS talk,
    count(DISTINCT CASE WHEN actor_role = 'agent' THEN coalesce(actor_id, '')
                        WHEN kind = 'call' AND call_outcome = 'answered' THEN coalesce(call_agent_id, '') END) AS agents
  FROM interactions WHERE kind <> 'survey' AND occurred_at <= {NOW_MS}
  GROUP BY source, conversation_key
), counted AS (
  SELECT *,
    CASE
      WHEN outcome = 'answered' THEN open_at + (wait + talk) * 1000
      WHEN outcome IS NOT NULL THEN NULL
      WHEN has_status THEN CASE WHEN last_customer <= status_resolved THEN status_resolved END
      WHEN last_reply >= coalesce(last_customer, 0) AND last_reply + 259200000 <= {NOW_MS} THEN last_reply
    END AS resolved_at,
    CASE WHEN outcome IS NOT NULL THEN (CASE WHEN outcome = 'answered' THEN wait * 1000 END)
         WHEN first_reply > open_at THEN first_reply - open_at END AS frt_ms,
    lead(open_at) OVER (PARTITION BY customer ORDER BY open_at) AS next_open
  FROM conv
  WHERE open_at IS NOT NULL AND coalesce(outcome, '') NOT IN ('ivr', 'short_abandon')
), surveys AS (
  SELECT count(*) FILTER (WHERE survey_score >= survey_scale_max - 1) / count(*) AS csat
  FROM interactions WHERE kind = 'survey' AND survey_metric = 'csat'
)
SELECT
  avg(frt_ms) / 1000, quantile_disc(frt_ms, 0.5) / 1000, quantile_disc(frt_ms, 0.9) / 1000,
  avg(resolved_at - open_at) / 1000, quantile_disc(resolved_at - open_at, 0.5) / 1000,
  quantile_disc(resolved_at - open_at, 0.9) / 1000,
  count(*) FILTER (WHERE resolved_at IS NOT NULL AND agents = 1 AND (next_open IS NULL OR next_open - open_at > 604800000))
    / count(*) FILTER (WHERE resolved_at IS NOT NULL),
  (SELECT csat FROM surveys),
  count(*) FILTER (WHERE outcome = 'abandoned') / count(*) FILTER (WHERE outcome IN ('answered', 'abandoned', 'missed', 'timeout'))
FROM counted
"""


def run_report(binary, config, out_json):
    """Runs `switchboard report --format json` into out_json; wall seconds and the child's own peak RSS (MiB)."""
    start = time.perf_counter()
    with open(out_json, "w") as out:
        proc = subprocess.Popen([binary, "report", "--config", config, "--format", "json", "--now", "2026-04-15"], stdout=out)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"switchboard report --config {config} failed")
    return elapsed, usage.ru_maxrss / 1024


def main():
    binary, config, csv_path, out_json = sys.argv[1:5]
    # Optional: the same data in a PostgreSQL store, reported right after the SQLite one.
    pg_config = sys.argv[5] if len(sys.argv) > 5 else None
    ours, rss_mib = run_report(binary, config, out_json)
    overall = json.load(open(out_json))["overall"]
    if pg_config:
        pg_json = out_json.replace(".json", "-postgres.json")
        pg, pg_rss = run_report(binary, pg_config, pg_json)
        same = open(out_json, "rb").read() == open(pg_json, "rb").read()

    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count()}")
    con.execute(f"CREATE TABLE interactions AS SELECT * FROM read_csv('{csv_path}', header = true, auto_detect = true)")
    start = time.perf_counter()
    row = con.execute(QUERY).fetchone()
    peer = time.perf_counter() - start

    print(f"switchboard report: {ours:.2f} s, peak RSS {rss_mib:.0f} MiB")
    print(f"  frt mean/median/p90 {overall['frt']['mean']}/{overall['frt']['median']}/{overall['frt']['p90']}"
          f"  resolution mean {overall['resolution_time']['mean']}  fcr {overall['fcr']['rate']}"
          f"  csat {overall['csat']['score']}  abandonment {overall['phone']['abandonment_rate']}")
    print(f"duckdb query: {peer:.2f} s")
    print(f"  frt mean/median/p90 {row[0]:.3f}/{row[1]}/{row[2]}  resolution mean {row[3]:.3f}  fcr {row[6]:.6f}"
          f"  csat {row[7]:.6f}  abandonment {row[8]:.6f}")
    if pg_config:
        print(f"switchboard report on PostgreSQL: {pg:.2f} s, peak RSS {pg_rss:.0f} MiB, "
              f"JSON {'byte-identical to' if same else 'DIFFERENT from'} SQLite's")
        print(f"postgres/sqlite={pg / ours:.2f} rss_postgres/sqlite={pg_rss / rss_mib:.2f} postgres/duckdb={pg / peer:.2f}")
    print(f"ratio={ours / peer:.2f}")


if __name__ == "__main__":
    main()
