#!/usr/bin/env python3
"""Peer of the e-mail parsing benchmark: parses every message of an mbox with
Python's `email` package (policy=default, then the preferred text body, the
attachment count and the decoded subject), or with fast-mail-parser.

    bench/email_parse_peer.py email|fast-mail-parser FILE.mbox
"""
import mailbox, sys

which, path = sys.argv[1], sys.argv[2]
box = mailbox.mbox(path)
count = 0
if which == "email":
    import email
    from email import policy
    for key in box.iterkeys():
        msg = email.message_from_bytes(box.get_bytes(key), policy=policy.default)
        body = msg.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else None
        attachments = sum(1 for _ in msg.iter_attachments())
        subject = str(msg["subject"])
        count += 1
else:
    from fast_mail_parser import parse_email
    for key in box.iterkeys():
        try:
            parsed = parse_email(box.get_bytes(key))
            text, subject, attachments = parsed.text_plain, parsed.subject, len(parsed.attachments)
        except Exception:
            pass
        count += 1
print(count)
