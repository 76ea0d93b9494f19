#!/usr/bin/env python3
"""Send given Standard-Webhooks deliveries to `switchboard serve` (hmac from Python's standard library, not
Switchboard's code), optionally paced, and report each delivery's latency.

  webhook-send.py --port P[,P2,...] --secret whsec_... --bodies FILE
      FILE holds one delivery per line: {"id": WEBHOOK_ID, "body": {...}} and optionally "port": N
      (else deliveries go to the ports in turn). Sent in file order, each until it gets a 2xx.
  webhook-send.py --port P --secret whsec_... --rate 500 --seconds 30 [--concurrency 8]
      Generated ticket messages (customer and agent, stamped now) at RATE per second for SECONDS.

Prints one JSON line: sent, acked, non2xx, retries and the latency percentiles in milliseconds
(p50, p99, max). Exit 0 when every delivery got a 2xx.
"""
import argparse, json, random, sys, threading, time
from datetime import datetime, timezone

from webhook_delivery import deliver, key_of


def generated(i: int, prefix: str) -> dict:
    rnd = random.Random(i)
    agent = rnd.random() < 0.4
    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"id": f"{prefix}-{i}", "body": {
        "type": "ticket.message_created", "timestamp": stamp,
        "data": {"ticket_id": f"L-{rnd.randrange(20000)}", "message_id": f"{prefix}-m-{i}",
                 "author": {"role": "agent" if agent else "customer", "email": f"live{rnd.randrange(5000)}@example.org"},
                 "body": "x" * 200}}}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", required=True)
    ap.add_argument("--path", default="/webhooks/helpdesk")
    ap.add_argument("--secret", required=True, help="whsec_... key")
    ap.add_argument("--bodies")
    ap.add_argument("--rate", type=float, default=0, help="deliveries per second (generated mode)")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--prefix", default="live")
    ap.add_argument("--latencies", help="write each delivery's latency (ms) here, one per line")
    args = ap.parse_args()
    key = key_of(args.secret)
    ports = [int(p) for p in args.port.split(",")]
    lock = threading.Lock()
    stats = {"sent": 0, "acked": 0, "non2xx": 0, "retries": 0}
    latencies = []

    def send(conns: dict, port: int, msg_id: str, body: bytes) -> bool:
        tries = iter(range(50))

        def answered(status: int, ms: float):
            with lock:
                stats["sent"] += 1
                if 200 <= status < 300:
                    stats["acked"] += 1
                    latencies.append(ms)
                else:
                    stats["non2xx"] += 1

        def failed():
            with lock:
                stats["retries"] += 1
        return deliver(conns, args.host, port, args.path, key, msg_id, body, lambda: next(tries, None) is not None, answered, failed)

    if args.bodies:
        conns = {}
        total = 0
        with open(args.bodies) as f:
            for n, line in enumerate(f):
                if not line.strip():
                    continue
                d = json.loads(line)
                total += 1
                port = d.get("port", ports[n % len(ports)])
                send(conns, port, d["id"], json.dumps(d["body"], separators=(",", ":")).encode())
        for c in conns.values():
            c.close()
    else:
        total = int(args.rate * args.seconds)
        start = time.perf_counter()

        def worker(w: int):
            conns = {}
            for i in range(w, total, args.concurrency):
                due = start + (i / args.rate)
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                d = generated(i, args.prefix)
                send(conns, ports[i % len(ports)], d["id"], json.dumps(d["body"], separators=(",", ":")).encode())
            for c in conns.values():
                c.close()

        if args.rate <= 0:
            print("--rate must be above 0 without --bodies", file=sys.stderr)
            return 2
        threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else 0.0

    if args.latencies:
        with open(args.latencies, "w") as f:
            f.write("\n".join(f"{x:.3f}" for x in latencies) + "\n")
    print(json.dumps({**stats, "total": total, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
                      "max_ms": round(latencies[-1], 2) if latencies else 0.0}))
    return 0 if stats["acked"] == total else 1


if __name__ == "__main__":
    sys.exit(main())
