#!/usr/bin/env python3
"""Writes a WhatsApp Android export (d/m/y, 24-hour) of N messages, for bench/run-chat.

usage: gen-whatsapp.py N OUT.txt
       gen-whatsapp.py --one-message MB OUT.txt
A support chat: customers and two agents, multi-line messages, media
placeholders, a few system lines. Deterministic (fixed seed).
With --one-message: a greeting, then one message of about MB megabytes made of
short continuation lines (a pasted log), then a reply: the worst case for
gathering a message's lines.
"""
import random
import sys
from datetime import datetime, timedelta

def one_message(megabytes, out):
    target = int(megabytes * 1_000_000)
    with open(out, "w", encoding="utf-8") as f:
        f.write("01/01/2024, 08:00 - Customer 1: hello, here is the log\n")
        f.write("01/01/2024, 08:01 - Customer 1: log start\n")
        written, n = 0, 0
        while written < target:
            line = "line %d of the pasted log: status ok, retry 0\n" % n
            f.write(line)
            written += len(line)
            n += 1
        f.write("01/01/2024, 08:05 - Anna (Support): thanks, checking\n")


def main():
    if sys.argv[1] == "--one-message":
        one_message(float(sys.argv[2]), sys.argv[3])
        return
    n = int(sys.argv[1])
    out = sys.argv[2]
    rnd = random.Random(42)
    customers = ["+7 916 %03d-%02d-%02d" % (i, i % 100, (i * 7) % 100) for i in range(200)] + \
                ["Customer %d" % i for i in range(100)]
    agents = ["Anna (Support)", "Boris (Support)"]
    words = ("order delivery invoice refund the my is not yet please when where thanks hello "
             "payment account login password card tracking number today tomorrow help").split()
    t = datetime(2024, 1, 1, 8, 0, 0)
    with open(out, "w", encoding="utf-8") as f:
        f.write("01/01/2024, 08:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, "
                "not even WhatsApp, can read or listen to them. Tap to learn more.\n")
        for i in range(n - 1):
            t += timedelta(seconds=rnd.randint(5, 900))
            stamp = t.strftime("%d/%m/%Y, %H:%M")
            r = rnd.random()
            if r < 0.002:
                f.write("%s - %s left\n" % (stamp, rnd.choice(customers)))
                continue
            who = rnd.choice(agents) if r < 0.4 else rnd.choice(customers)
            if rnd.random() < 0.03:
                text = "<Media omitted>"
            else:
                text = " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 18)))
                if rnd.random() < 0.05:
                    text += "\n" + " ".join(rnd.choice(words) for _ in range(rnd.randint(2, 10)))
            f.write("%s - %s: %s\n" % (stamp, who, text))

if __name__ == "__main__":
    main()
