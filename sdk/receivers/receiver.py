"""Kayle ID webhook receiver in Python: the standard library plus `cryptography`
(Debian/Ubuntu: `apt-get install python3-cryptography`; elsewhere `pip install cryptography`).

    KAYLE_WEBHOOK_SECRETS=whsec_...[,whsec_...]          current secret, and the previous one while rotating
    KAYLE_WEBHOOK_PRIVATE_KEYS='{"whk_...": {...private JWK...}}'   your private keys by key id
    PORT=3000 python3 receiver.py

Verify the bytes exactly as received (`self.rfile.read(length)` here; `request.get_data()` in
Flask, `request.body` in Django, `await request.body()` in FastAPI/Starlette), never a body that
was parsed and serialised again.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOLERANCE_SECONDS = 300  # the signed timestamp may be at most 5 minutes off


class WebhookRefused(Exception):
    """A delivery to refuse with 400; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def private_key_from_jwk(jwk: dict) -> rsa.RSAPrivateKey:
    n, e, d, p, q, dp, dq, qi = (
        int.from_bytes(b64url(jwk[k]), "big") for k in ("n", "e", "d", "p", "q", "dp", "dq", "qi")
    )
    return rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, rsa.RSAPublicNumbers(e, n)).private_key()


def verify_signature(raw_body: bytes, header: str | None, secrets: list[str], now: float) -> None:
    """X-Kayle-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>[,v1=...]"""
    if not header:
        raise WebhookRefused("missing_signature")
    timestamps, signatures = [], []
    for part in header.split(","):  # name=value, split at the first "="; others are skipped
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if sep and name == "t":
            timestamps.append(value)
        elif sep and name == "v1" and re.fullmatch(r"[0-9a-f]{64}", value):
            signatures.append(value)
    # exactly one timestamp: with two, which one was signed would depend on the reader
    if len(timestamps) != 1 or not re.fullmatch(r"\d{1,12}", timestamps[0]) or not signatures:
        raise WebhookRefused("malformed_signature")
    timestamp = int(timestamps[0])
    if abs(int(now) - timestamp) > TOLERANCE_SECONDS:  # whole seconds, as the header
        raise WebhookRefused("timestamp_out_of_tolerance")
    signed = str(timestamp).encode() + b"." + raw_body
    matched = False
    for secret in secrets:  # the whole secret, whsec_ prefix included, is the HMAC key
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        for signature in signatures:
            matched = hmac.compare_digest(expected, signature) or matched
    if not matched:
        raise WebhookRefused("signature_mismatch")


def decrypt(raw_body: bytes, private_keys: dict) -> dict:
    """Compact JWE, RSA-OAEP-256 + A256GCM; the header's kid names the key."""
    try:
        protected, encrypted_key, iv, ciphertext, tag = raw_body.decode("ascii").strip().split(".")
        header = json.loads(b64url(protected))
    except (ValueError, UnicodeDecodeError):
        raise WebhookRefused("decryption_failed")
    if header.get("alg") != "RSA-OAEP-256" or header.get("enc") != "A256GCM":
        raise WebhookRefused("decryption_failed")
    jwk = private_keys.get(header.get("kid"))
    if jwk is None:
        raise WebhookRefused("no_key_for_kid")
    try:
        cek = private_key_from_jwk(jwk).decrypt(
            b64url(encrypted_key),
            padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None),
        )
        plaintext = AESGCM(cek).decrypt(
            b64url(iv), b64url(ciphertext) + b64url(tag), protected.encode("ascii")
        )
    except Exception:
        raise WebhookRefused("decryption_failed")
    try:
        event = json.loads(plaintext)
        assert isinstance(event["type"], str) and isinstance(event["metadata"]["event_id"], str)
        assert isinstance(event.get("data"), dict)
        return event
    except Exception:
        raise WebhookRefused("invalid_payload")


def verify_and_decrypt(
    raw_body: bytes, signature_header: str | None, secrets, private_keys, content_type=None
):
    if content_type is not None and not re.match(r"application/jose\s*(;|$)", content_type, re.I):
        raise WebhookRefused("wrong_content_type")
    if not isinstance(raw_body, (bytes, bytearray, str)):
        raise TypeError("pass the raw request body (bytes), not a parsed object")
    if isinstance(raw_body, str):
        raw_body = raw_body.encode("utf-8")
    verify_signature(bytes(raw_body), signature_header, secrets, time.time())
    return decrypt(bytes(raw_body), private_keys)


_print_lock = threading.Lock()


def log(line: str) -> None:
    """One whole line per call: the server handles deliveries on several threads."""
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


SECRETS = [s for s in os.environ.get("KAYLE_WEBHOOK_SECRETS", "").split(",") if s]
PRIVATE_KEYS = json.loads(os.environ.get("KAYLE_WEBHOOK_PRIVATE_KEYS", "{}"))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/webhooks/kayle":
            self.send_response(404)
            self.end_headers()
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1024 * 1024:
            self.send_response(413)
            self.end_headers()
            return
        raw_body = self.rfile.read(length)
        try:
            event = verify_and_decrypt(
                raw_body,
                self.headers.get("X-Kayle-Signature"),
                SECRETS,
                PRIVATE_KEYS,
                self.headers.get("Content-Type"),
            )
        except WebhookRefused as refused:
            log(f"kayle webhook refused: {refused.code}")
            self.send_response(400)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(refused.code.encode())
            return
        # Deduplicate on event["metadata"]["event_id"] and queue the work; answer quickly.
        summary = {
            "type": event["type"],
            "event_id": event["metadata"]["event_id"],
            "claims": event["data"].get("claims"),
        }
        log("kayle webhook verified: " + json.dumps(summary, ensure_ascii=False))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args):
        pass  # no access log: it would carry nothing useful and keeps the output to events


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "3000"))), Handler)
    log(f"listening on http://127.0.0.1:{server.server_address[1]}")
    server.serve_forever()
