#!/usr/bin/env python3
"""Precompute Standard-Webhooks signatures for the wrk benchmark (hmac from Python's stdlib).
Usage: webhook-sign.py DIR SECRET COUNT — writes DIR/body.json (1 KB), DIR/timestamp, DIR/signed.txt."""
import base64, hashlib, hmac, json, sys, time

out, secret, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
key = base64.b64decode(secret[len("whsec_"):])
doc = {"type": "ticket.message_created", "timestamp": "2026-11-24T09:15:02Z",
       "data": {"ticket_id": "T-10482", "author": {"role": "customer", "email": "olga@example.org"}, "body": ""}}
base = len(json.dumps(doc, separators=(",", ":")))
doc["data"]["body"] = "x" * (1024 - base)
body = json.dumps(doc, separators=(",", ":")).encode()
assert len(body) == 1024
ts = str(int(time.time()))
open(f"{out}/body.json", "wb").write(body)
open(f"{out}/timestamp", "w").write(ts + "\n")
prefix = f"{ts}-"
with open(f"{out}/signed.txt", "w") as f:
    for i in range(count):
        msg_id = f"msg_{prefix}{i}"
        mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
        f.write(f"{msg_id} {base64.b64encode(mac).decode()}\n")
