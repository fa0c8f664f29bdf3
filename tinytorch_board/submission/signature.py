"""Signed submissions (schema v2): the canonical form, the participant id, sign, verify.

- **Canonical form**: the document without its `signature` field, serialized as JSON
  with keys sorted by Unicode code point, no whitespace (`","` and `":"`), non-ASCII
  characters as themselves, UTF-8 encoded. Numbers are written as Python's `json` writes
  the parsed value (integers as digits, floats by their shortest round-trip repr).
- **Signed message**: `SIGNING_CONTEXT` followed by the canonical form; the context
  keeps a submission signature from meaning anything anywhere else.
- **participant_id**: UUID-shaped: the first 16 bytes of SHA-256 of the 32-byte raw
  Ed25519 public key, with the RFC 4122 version (4) and variant bits set. Only whoever
  holds the private key can sign a file carrying that id.
- **signature block**: `{"algorithm": "ed25519", "public_key": <64 hex>, "value": <128 hex>}`.

A signature proves who linked the results (the holder of one key), never that the
timings in them are real.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

ALGORITHM = "ed25519"
SIGNING_CONTEXT = b"tinytorch-board submission v2\n"


def canonical_bytes(doc: dict) -> bytes:
    """The bytes a signature covers: the document without `signature`, canonical JSON."""
    body = {key: value for key, value in doc.items() if key != "signature"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def participant_id_for(public_key: bytes) -> str:
    """The participant id of a raw 32-byte Ed25519 public key."""
    digest = hashlib.sha256(public_key).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def public_key_of(seed: bytes) -> bytes:
    """The raw public key of a 32-byte private key seed."""
    from nacl.signing import SigningKey

    return bytes(SigningKey(seed).verify_key)


def sign(doc: dict, seed: bytes) -> dict:
    """A copy of a v2 document linked to the key: its participant_id and signature set."""
    public = public_key_of(seed)
    signed = {key: value for key, value in doc.items() if key != "signature"}
    signed["participant_id"] = participant_id_for(public)
    from nacl.signing import SigningKey

    value = SigningKey(seed).sign(SIGNING_CONTEXT + canonical_bytes(signed)).signature
    signed["signature"] = {"algorithm": ALGORITHM, "public_key": public.hex(), "value": value.hex()}
    return signed


def verifies(doc: dict) -> bool:
    """True when the document's signature verifies over its canonical form.

    Assumes the schema passed (the block's hex fields have the right lengths). PyNaCl
    (libsodium) verifies in half the time of `cryptography` here, and a board's first
    build verifies every file."""
    from nacl.exceptions import BadSignatureError, CryptoError
    from nacl.signing import VerifyKey

    block = doc["signature"]
    try:
        key = VerifyKey(bytes.fromhex(block["public_key"]))
        key.verify(SIGNING_CONTEXT + canonical_bytes(doc), bytes.fromhex(block["value"]))
    except (BadSignatureError, CryptoError, ValueError, TypeError):
        return False
    return True


def linked_participant(doc: dict[str, Any]) -> str | None:
    """The participant a valid document is proven to belong to: signed v2 only."""
    if doc.get("schema_version") == 2 and doc.get("signature") is not None:
        return doc["participant_id"]
    return None
