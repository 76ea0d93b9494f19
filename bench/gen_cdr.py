#!/usr/bin/env python3
"""Deterministic Asterisk cdr_csv generator for the phone benchmark.

    bench/gen_cdr.py --rows N --out FILE

Writes N rows of 21-column Master.csv (uniqueid, userfield, peeraccount,
linkedid, sequence), server-local times, 1–4 legs per call sharing a linkedid:
ring-group legs, queue legs, IVR-only calls, busy and abandoned calls. About
280 bytes a row. The same N gives the same file byte for byte.
"""
import argparse
import random
import time


def stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def rows(n, seed=42):
    rnd = random.Random(seed)
    t = 1767225600  # 2026-01-01 00:00:00 (written as local time)
    seq = 0
    call = 0
    while seq < n:
        t += rnd.randrange(1, 20)
        caller = "89%09d" % rnd.randrange(10 ** 9)
        linked = "pbx-main-%d.%d" % (t, call)
        clid = '"""Customer %d"" <%s>"' % (rnd.randrange(100000), caller)
        kind = rnd.random()
        legs = []
        if kind < 0.12:  # IVR only
            d = rnd.randrange(5, 60)
            legs.append(("", "Hangup", "", t, t, t + d, d, d, "ANSWERED"))
        else:
            agents = rnd.sample(range(301, 340), rnd.randrange(1, 4))
            wait = rnd.randrange(2, 90)
            outcome = rnd.random()
            for i, a in enumerate(agents):
                ch = "SIP/%d-%08x" % (a, (seq + i) & 0xFFFFFFFF)
                if outcome < 0.8 and i == len(agents) - 1:
                    talk = rnd.randrange(20, 900)
                    legs.append((ch, "Queue", "support,t,,,300", t, t + wait, t + wait + talk, wait + talk, talk, "ANSWERED"))
                elif outcome > 0.97:
                    legs.append((ch, "Dial", "SIP/%d,30" % a, t, None, t + 1, 1, 0, "BUSY"))
                else:
                    legs.append((ch, "Queue", "support,t,,,300", t, None, t + wait, wait, 0, "NO ANSWER"))
        for (dstch, app, data, start, answer, end, dur, bill, disp) in legs:
            if seq >= n:
                break
            fields = ['""', '"%s"' % caller, '"100"', '"from-trunk"', clid, '"SIP/trunk-%08x"' % (call & 0xFFFFFFFF),
                      '"%s"' % dstch, '"%s"' % app, '"%s"' % data, '"%s"' % stamp(start),
                      '"%s"' % stamp(answer) if answer is not None else "", '"%s"' % stamp(end), str(dur), str(bill),
                      '"%s"' % disp, '"DOCUMENTATION"', '"%s"' % linked, '"%s"' % ("bench-userfield-%06d" % (call % 1000000)),
                      '""', '"%s"' % linked, str(seq)]
            yield ",".join(fields) + "\n"
            seq += 1
        call += 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    with open(a.out, "w", buffering=1 << 20) as f:
        for r in rows(a.rows):
            f.write(r)


if __name__ == "__main__":
    main()
