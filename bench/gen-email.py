#!/usr/bin/env python3
"""Generates support e-mail for the e-mail benchmark: an mbox of N messages in
threads (customer question, agent reply, follow-ups), subjects and bodies in
three charsets (utf-8, koi8-r, windows-1251; base64 and quoted-printable), and
about 5% with an attachment.

    bench/gen-email.py --count 10000 --mbox out.mbox
"""
import argparse, base64, os, quopri, random

TOPICS = [
    ("Не приходит счёт за {m}", "Здравствуйте! Счёт за {m} так и не пришёл. Проверьте, пожалуйста."),
    ("Возврат средств по заказу {n}", "Добрый день. Прошу вернуть деньги за заказ {n}, товар не подошёл."),
    ("Order {n} arrived damaged", "Hello, the box of order {n} was crushed and the lamp is broken."),
    ("Cannot log in since {m}", "Hi, since {m} the login page says my password is wrong."),
    ("Доставка задерживается", "Заказ {n} должен был прийти вчера, но статус не меняется."),
]
MONTHS = ["January", "February", "March", "ноябрь", "декабрь"]
CHARSETS = ["utf-8", "koi8-r", "windows-1251"]
AGENTS = [("Anna Smirnova", "anna@example.com"), ("Boris Ivanov", "boris@example.com")]


def encoded_word(text, charset):
    if all(ord(c) < 128 for c in text):
        return text
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(charset)).decode())


def message(i, t, sender, recipient, subject, body, charset, msgid, parent, refs, attach, rng):
    headers = [
        "From: %s" % sender, "To: %s" % recipient, "Subject: %s" % encoded_word(subject, charset),
        "Date: %s" % t, "Message-ID: <%s>" % msgid, "MIME-Version: 1.0",
    ]
    if parent:
        headers += ["In-Reply-To: <%s>" % parent, "References: %s" % " ".join("<%s>" % r for r in refs)]
    raw = body.encode(charset, errors="replace")
    if rng.random() < 0.5:
        cte, payload = "base64", base64.encodebytes(raw).decode()
    else:
        cte, payload = "quoted-printable", quopri.encodestring(raw).decode()
    text_part = "Content-Type: text/plain; charset=%s\nContent-Transfer-Encoding: %s\n\n%s" % (charset, cte, payload)
    if not attach:
        return "\n".join(headers) + "\n" + text_part + "\n"
    blob = base64.encodebytes(rng.randbytes(rng.randint(8_000, 40_000))).decode()
    b = "sb-%d" % i
    return ("\n".join(headers) + "\nContent-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n%s\n--%s\n"
            "Content-Type: application/pdf; name=\"invoice-%d.pdf\"\nContent-Disposition: attachment; filename=\"invoice-%d.pdf\"\n"
            "Content-Transfer-Encoding: base64\n\n%s\n--%s--\n") % (b, b, text_part, b, i, i, blob, b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--mbox", help="write one mbox file")
    ap.add_argument("--maildir", help="write a Maildir (one file per message under cur/)")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if bool(a.mbox) == bool(a.maildir):
        ap.error("give exactly one of --mbox and --maildir")
    rng = random.Random(a.seed)
    out = open(a.mbox, "w", encoding="ascii") if a.mbox else None
    if a.maildir:
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(a.maildir, sub), exist_ok=True)
    n = 0
    thread = 0
    base = 1_772_000_000  # 2026-02-25
    while n < a.count:
        thread += 1
        customer = "customer%d@mail%d.example" % (thread, thread % 97)
        subject_t, body_t = rng.choice(TOPICS)
        fill = {"m": rng.choice(MONTHS), "n": 10000 + thread}
        subject, body = subject_t.format(**fill), body_t.format(**fill)
        charset = rng.choice(CHARSETS)
        t = base + thread * 600
        refs = []
        for k in range(min(rng.randint(1, 4), a.count - n)):
            agent_turn = k % 2 == 1
            msgid = "t%d.m%d@%s" % (thread, k, "example.com" if agent_turn else "mail.example")
            if agent_turn:
                name, addr = rng.choice(AGENTS)
                sender, recipient, text = "%s <%s>" % (name, addr), customer, "Спасибо, мы разбираемся. " + body
            else:
                sender, recipient, text = customer, "support@example.com", body
            date = "Wed, 25 Feb 2026 %02d:%02d:%02d +0300" % ((t // 3600) % 24, (t // 60) % 60, t % 60)
            subj = ("Re: " if k else "") + subject
            msg = message(n, date, sender, recipient, subj, text + "\n" * 2 + "-- \nSupport line\n" * (k + 1), charset,
                          msgid, refs[-1] if refs else None, list(refs), rng.random() < 0.05, rng)
            if out is not None:
                out.write("From %s Wed Feb 25 10:00:00 2026\n" % ("support@example.com" if agent_turn else customer))
                out.write(msg.replace("\nFrom ", "\n>From "))
                out.write("\n")
            else:
                name = "%d.M%dP1.bench:2,S" % (1_772_000_000 + n, n)
                with open(os.path.join(a.maildir, "cur", name), "w", encoding="ascii") as f:
                    f.write(msg)
            refs.append(msgid)
            t += rng.randint(300, 20000)
            n += 1
    if out is not None:
        out.close()


main()
