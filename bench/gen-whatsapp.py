#!/usr/bin/env python3
"""Writes a WhatsApp Android export (d/m/y, 24-hour) of N messages, for bench/run-chat.

usage: gen-whatsapp.py N OUT.txt
A support chat: customers and two agents, multi-line messages, media
placeholders, a few system lines. Deterministic (fixed seed).
"""
import random
import sys
from datetime import datetime, timedelta

def main():
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
