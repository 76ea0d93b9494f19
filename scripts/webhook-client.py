#!/usr/bin/env python3
"""Send Standard-Webhooks-signed deliveries to `switchboard serve`, like a provider does.

Each delivery has a unique webhook-id and is signed with Python's hmac (independent
of Switchboard's code). Workers keep one HTTP/1.1 connection each and retry a delivery
until it gets a 2xx (connection refused or reset, 5xx), as providers retry: so a server
killed and restarted mid-run must end with every acknowledged delivery stored once.

Writes the ids that got a 2xx to --acked (one per line) and progress to --progress.
Exit code 0 when every delivery was acknowledged before --deadline seconds.
"""
import argparse, base64, hashlib, hmac, http.client, json, os, sys, threading, time


def sign(key: bytes, msg_id: str, ts: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def body_for(i: int, pad: int) -> bytes:
    doc = {"type": "ticket.message_created", "timestamp": 1764000000 + i,
           "data": {"ticket_id": f"T-{i % 97}", "message_id": f"m-{i}", "author": {"role": "customer", "email": f"c{i % 500}@example.org"},
                    "body": "x" * pad}}
    return json.dumps(doc, separators=(",", ":")).encode()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
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
    key = base64.b64decode(args.secret[len("whsec_"):])
    acked, lock, errors = [], threading.Lock(), {"retries": 0, "non2xx": 0}
    stop_at = time.time() + args.deadline

    def worker(w: int):
        conn = None
        for i in range(w, args.count, args.concurrency):
            msg_id = f"{args.prefix}-{i}"
            body = body_for(i, args.pad)
            while time.time() < stop_at:
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(args.host, args.port, timeout=10)
                    ts = int(time.time())
                    conn.request("POST", args.path, body, {
                        "content-type": "application/json", "webhook-id": msg_id,
                        "webhook-timestamp": str(ts), "webhook-signature": sign(key, msg_id, ts, body)})
                    resp = conn.getresponse()
                    resp.read()
                    if 200 <= resp.status < 300:
                        with lock:
                            acked.append(msg_id)
                        break
                    with lock:
                        errors["non2xx"] += 1
                    if resp.status < 500:
                        print(f"delivery {msg_id} refused with {resp.status}", file=sys.stderr)
                        return
                except (OSError, http.client.HTTPException):
                    with lock:
                        errors["retries"] += 1
                    if conn is not None:
                        conn.close()
                    conn = None
                    time.sleep(0.05)
        if conn is not None:
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
    print(f"acked={len(acked)} of {args.count} retries={errors['retries']} non2xx={errors['non2xx']} "
          f"seconds={time.time() - started:.1f}")
    return 0 if len(acked) == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
