#!/usr/bin/env python3
"""Peer of the Maildir import benchmark: parses every file under DIR/cur and DIR/new
with Python's `email` package and prints the count and the CPU seconds it used.

    compat32  email.message_from_bytes (the compat32 policy): every header read as a
              string, every leaf part's payload decoded (decode=True)
    default   policy=email.policy.default: every header decoded, get_body() for the
              text, iter_attachments()

    bench/maildir_parse_peer.py compat32|default DIR
"""
import email, os, sys, time
from email import policy

which, root = sys.argv[1], sys.argv[2]
files = [os.path.join(root, sub, f) for sub in ("cur", "new") if os.path.isdir(os.path.join(root, sub))
         for f in sorted(os.listdir(os.path.join(root, sub)))]
start = time.process_time()
count = 0
for path in files:
    with open(path, "rb") as fh:
        raw = fh.read()
    if which == "compat32":
        msg = email.message_from_bytes(raw)
        headers = [(k, str(v)) for k, v in msg.items()]
        for part in msg.walk():
            if not part.is_multipart():
                part.get_payload(decode=True)
    else:
        msg = email.message_from_bytes(raw, policy=policy.default)
        headers = [(k, str(v)) for k, v in msg.items()]
        body = msg.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else None
        attachments = sum(1 for _ in msg.iter_attachments())
    count += 1
print("%d %.3f" % (count, time.process_time() - start))
