#!/usr/bin/env python3
"""Deterministic data generator for Switchboard benchmarks.

    bench/gen.py interactions --count N --jsonl FILE [--csv FILE]

The same seed gives the same records byte for byte. The CSV holds the same
records in the column order of the store's `interactions` table (without `seq`),
for peers that load CSV.
"""
import argparse
import csv
import hashlib
import json
import random
import sys

CHANNELS = [("email", "imap"), ("chat", "telegram"), ("chat", "whatsapp"), ("phone", "asterisk"), ("social", "vk")]
COLUMNS = ["id", "source", "external_id", "channel", "platform", "conversation_key", "kind", "direction", "actor_role",
           "actor_id", "actor_name", "customer_key", "occurred_at", "call_queue", "call_agent_id", "call_wait",
           "call_talk", "call_outcome", "survey_metric", "survey_score", "survey_scale_min", "survey_scale_max",
           "status_to", "subject", "text", "attachments", "provenance"]
WORDS = "order invoice delivery refund account password payment courier address warranty please thanks".split()


def iso(ms):
    import datetime
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def interactions(count, seed=42, source="bench"):
    rnd = random.Random(seed)
    start = 1767225600000  # 2026-01-01T00:00:00Z
    n = 0
    conv = 0
    while n < count:
        channel, platform = CHANNELS[conv % len(CHANNELS)]
        customer = "cust-%d" % rnd.randrange(200000)
        t = start + conv * 30000 + rnd.randrange(30000)
        for step in range(rnd.randrange(2, 7)):
            if n >= count:
                break
            agent = step % 2 == 1
            t += rnd.randrange(1000, 7200000)
            text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randrange(4, 16)))
            yield {
                "externalId": "m-%d" % n, "channel": channel, "platform": platform,
                "conversationKey": "conv-%d" % conv, "kind": "message",
                "direction": "outbound" if agent else "inbound", "actorRole": "agent" if agent else "customer",
                "actorId": ("agent-%d" % (conv % 25)) if agent else customer, "customerKey": customer,
                "occurredAt": iso(t), "text": text, "attachments": 1 if rnd.random() < 0.05 else 0,
                "provenance": "bench#%d" % n,
            }
            n += 1
        conv += 1


def stable_id(source, external_id):
    return hashlib.sha256(source.encode() + b"\x1f" + external_id.encode()).hexdigest()[:32]


def csv_row(r, source):
    values = {c: "" for c in COLUMNS}
    values.update({
        "id": stable_id(source, r["externalId"]), "source": source, "external_id": r["externalId"],
        "channel": r["channel"], "platform": r["platform"], "conversation_key": r["conversationKey"], "kind": r["kind"],
        "direction": r["direction"], "actor_role": r["actorRole"], "actor_id": r["actorId"],
        "customer_key": r["customerKey"], "text": r["text"], "attachments": r["attachments"],
        "provenance": r["provenance"],
    })
    # occurred_at as epoch milliseconds, as the store keeps it.
    import datetime
    d = datetime.datetime.strptime(r["occurredAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    values["occurred_at"] = int(d.timestamp() * 1000)
    return [values[c] for c in COLUMNS]


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("interactions")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--source", default="bench")
    p.add_argument("--jsonl", required=True)
    p.add_argument("--csv")
    a = ap.parse_args()
    with open(a.jsonl, "w") as j:
        c = open(a.csv, "w", newline="") if a.csv else None
        w = csv.writer(c) if c else None
        for r in interactions(a.count, a.seed, a.source):
            j.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
            if w:
                w.writerow(csv_row(r, a.source))
        if c:
            c.close()


if __name__ == "__main__":
    sys.exit(main())
