"""Passwords (scrypt, memory-hard, in the standard library), one-time sign-in links and TOTP
(RFC 6238, pyotp)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pyotp

N, R, P = 2**14, 8, 1  # scrypt cost: 16 MiB of memory per guess


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, maxmem=64 * 1024 * 1024)
    return f"scrypt${N}${R}${P}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def check_password(password: str, stored: str | None) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, key = stored.split("$")
    got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                         maxmem=64 * 1024 * 1024)
    return hmac.compare_digest(got, base64.b64decode(key))


def new_link_token() -> tuple[str, str]:
    """(the token to hand over once, the hash kept)."""
    token = secrets.token_urlsafe(24)
    return token, link_hash(token)


def link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_ok(secret: str, code: str) -> bool:
    """A code from the authenticator app (the one before or after is accepted: clocks drift)."""
    return pyotp.TOTP(secret).verify(code.strip().replace(" ", ""), valid_window=1)


def totp_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="hotline staff")
