#!/usr/bin/env python3
"""Send Standard-Webhooks-signed deliveries to `switchboard serve`, like a provider does.

Each delivery has a unique webhook-id and is signed with Python's hmac (independent
of Switchboard's code). Workers keep one HTTP/1.1 connection each and retry a delivery
until it gets a 2xx (connection refused or reset, 5xx), as providers retry: so a server
killed and restarted mid-run must end with every acknowledged delivery stored once.

With several ports (--port 8001,8002) delivery i goes to the i-th port in turn, as a load
balancer in front of several instances would send it; --redeliver-every K sends every K-th
delivery, once acknowledged, a second time (same webhook-id and body, fresh signature) to the
next port, as a provider retrying after a lost answer would.

Writes the ids that got a 2xx to --acked (one per line) and progress to --progress.
Exit code 0 when every delivery (and redelivery) was acknowledged before --deadline seconds.
"""
import argparse, json, os, sys, threading, time

from webhook_delivery import deliver, key_of


def body_for(i: int, pad: int) -> bytes:
    doc = {"type": "ticket.message_created", "timestamp": 1764000000 + i,
           "data": {"ticket_id": f"T-{i % 97}", "message_id": f"m-{i}", "author": {"role": "customer", "email": f"c{i % 500}@example.org"},
                    "body": "x" * pad}}
    return json.dumps(doc, separators=(",", ":")).encode()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", required=True, help="PORT, or PORT,PORT,… to spread deliveries over several instances")
    ap.add_argument("--redeliver-every", type=int, default=0, help="send every K-th delivery again to the next port")
    ap.add_argument("--path", default="/webhooks/helpdesk")
    ap.add_argument("--secret", required=True, help="whsec_… key")
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--prefix", default="dlv")
    ap.add_argument("--pad", type=int, default=200)
    ap.add_argument("--acked", required=True)
    ap.add_argument("--progress")
    ap.add_argument("--deadline", type=float, default=240)
    args = ap.parse_args()
    key = key_of(args.secret)
    ports = [int(p) for p in args.port.split(",")]
    acked, lock, errors = [], threading.Lock(), {"retries": 0, "non2xx": 0, "redelivered": 0}
    per_port = {p: 0 for p in ports}
    stop_at = time.time() + args.deadline

    def send(conns: dict, port: int, msg_id: str, body: bytes) -> bool:
        """Delivers until a 2xx (True); False when refused with a 4xx or past the deadline."""
        def answered(status: int, _ms: float):
            with lock:
                if 200 <= status < 300:
                    per_port[port] += 1
                else:
                    errors["non2xx"] += 1

        def failed():
            with lock:
                errors["retries"] += 1
        return deliver(conns, args.host, port, args.path, key, msg_id, body, lambda: time.time() < stop_at, answered, failed)

    def worker(w: int):
        conns = {}
        for i in range(w, args.count, args.concurrency):
            msg_id = f"{args.prefix}-{i}"
            body = body_for(i, args.pad)
            port = ports[i % len(ports)]
            if not send(conns, port, msg_id, body):
                break
            with lock:
                acked.append(msg_id)
            if args.redeliver_every > 0 and i % args.redeliver_every == 0:
                if not send(conns, ports[(i + 1) % len(ports)], msg_id, body):
                    break
                with lock:
                    errors["redelivered"] += 1
        for conn in conns.values():
            conn.close()

    def reporter():
        while any(t.is_alive() for t in threads):
            if args.progress:
                with lock:
                    n = len(acked)
                tmp = args.progress + ".tmp"
                with open(tmp, "w") as f:
                    f.write(str(n))
                os.replace(tmp, args.progress)
            time.sleep(0.05)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(args.concurrency)]
    started = time.time()
    for t in threads:
        t.start()
    rep = threading.Thread(target=reporter)
    rep.start()
    for t in threads:
        t.join()
    rep.join()
    with open(args.acked, "w") as f:
        f.write("\n".join(acked) + "\n")
    if args.progress:
        with open(args.progress, "w") as f:
            f.write(str(len(acked)))
    spread = ",".join(f"{p}:{n}" for p, n in per_port.items())
    print(f"acked={len(acked)} of {args.count} redelivered={errors['redelivered']} retries={errors['retries']} "
          f"non2xx={errors['non2xx']} per_port={spread} seconds={time.time() - started:.1f}")
    wanted = args.count // args.redeliver_every + (1 if args.count % args.redeliver_every else 0) if args.redeliver_every > 0 else 0
    return 0 if len(acked) == args.count and errors["redelivered"] == wanted else 1


if __name__ == "__main__":
    sys.exit(main())
