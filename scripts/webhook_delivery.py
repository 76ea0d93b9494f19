"""Standard Webhooks deliveries as a provider sends them, for scripts/webhook-client.py and scripts/webhook-send.py:
the signature made with Python's hmac (independent of Switchboard's code) and one delivery posted until it is
acknowledged, over a kept HTTP/1.1 connection per port."""
import base64, hashlib, hmac, http.client, sys, time


def sign(key: bytes, msg_id: str, ts: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def key_of(secret: str) -> bytes:
    """The signing key of a whsec_… secret."""
    return base64.b64decode(secret[len("whsec_"):])


def deliver(conns: dict, host: str, port: int, path: str, key: bytes, msg_id: str, body: bytes,
            keep_trying, on_answer, on_error) -> bool:
    """Posts one delivery until a 2xx (True). A 4xx refuses it (False, said on stderr); a 5xx, a refused or reset
    connection is tried again, after 50 ms for the connection, while keep_trying() holds (else False).
    on_answer(status, milliseconds) hears every answer, on_error() every failed connection."""
    while keep_trying():
        conn = conns.get(port)
        try:
            if conn is None:
                conn = conns[port] = http.client.HTTPConnection(host, port, timeout=10)
            ts = int(time.time())
            began = time.perf_counter()
            conn.request("POST", path, body, {
                "content-type": "application/json", "webhook-id": msg_id,
                "webhook-timestamp": str(ts), "webhook-signature": sign(key, msg_id, ts, body)})
            resp = conn.getresponse()
            resp.read()
            on_answer(resp.status, (time.perf_counter() - began) * 1000)
            if 200 <= resp.status < 300:
                return True
            if resp.status < 500:
                print(f"delivery {msg_id} refused with {resp.status} on port {port}", file=sys.stderr)
                return False
        except (OSError, http.client.HTTPException):
            on_error()
            if conn is not None:
                conn.close()
            conns.pop(port, None)
            time.sleep(0.05)
    return False
