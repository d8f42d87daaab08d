"""E-licence signatures (电子证照): Ed25519 over the licence's canonical JSON payload.

The private key is generated once into the data directory (``permits-licence.key``, mode
0600, like the audit key); the public key verifies. The QR code carries the public verify URL
``/api/public/licences/<id>?sig=<signature>`` (no QR image is drawn: the ``qrcode`` package is
not installed; any QR encoder renders the payload).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VERIFY_PATH = "/api/public/licences"


class Verdict(StrEnum):
    """What the public verify endpoint answers."""

    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    FORGED = "forged"

    def label(self, lang: str = "zh-CN") -> str:
        """The verdict for people (zh-CN, or ``en``)."""
        zh, en = {
            Verdict.VALID: ("有效", "Valid"),
            Verdict.REVOKED: ("已撤销", "Revoked"),
            Verdict.EXPIRED: ("已过期", "Expired"),
            Verdict.FORGED: ("伪造或不存在", "Forged or unknown"),
        }[self]
        return en if lang == "en" else zh


@dataclass(frozen=True, slots=True)
class Verification:
    """The verify endpoint's answer: verdict, reason, and (unless forged) what it certifies."""

    licence_id: str
    verdict: Verdict
    reason: str
    payload: dict[str, Any] | None = None


def canonical(payload: dict[str, Any]) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """The licence signing key at ``path``, created (mode 0600) if absent."""
    if path.exists():
        return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes_raw()
    path.write_text(raw.hex())
    path.chmod(0o600)
    return key


class LicenceSigner:
    """Signs and checks licence payloads with one Ed25519 key."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_key = key.public_key()

    def sign(self, payload: dict[str, Any]) -> str:
        """The URL-safe base64 signature (no padding) of the payload."""
        raw = self._key.sign(canonical(payload))
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def check(self, payload: dict[str, Any], signature: str) -> bool:
        """Whether ``signature`` signs ``payload`` under this key."""
        try:
            raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            self.public_key.verify(raw, canonical(payload))
        except (InvalidSignature, ValueError):
            return False
        return True

    def public_key_hex(self) -> str:
        """The raw public key in hex (published so anyone can check offline)."""
        return self.public_key.public_bytes_raw().hex()


def qr_payload(licence_id: str, signature: str, base_url: str = "") -> str:
    """What the licence's QR code encodes: the public verify URL."""
    return f"{base_url}{VERIFY_PATH}/{licence_id}?sig={signature}"
