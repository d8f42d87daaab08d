"""Case attachments on disk: content-addressed by SHA-256, type checked from the content.

A file lives at ``<root>/<aa>/<sha256>`` (``aa``: the hash's first two hex digits), written
atomically (a temporary file in the same folder, fsync, rename), so the same content is stored
once however often it is attached. Reading checks the hash again.

The type comes from the content, never from the name: PDF, PNG and JPEG by their magic bytes
(`filetype`), and text — UTF-8 (with or without BOM) or GB18030, as Excel writes CSV on
zh-CN systems — without control characters. The name only chooses between ``text/csv`` and
``text/plain`` for text content. Anything else is refused with ``Invalid("file")``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import filetype  # type: ignore[import-untyped]  # ships no type information

from lingang.errors import Invalid, LingangError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
BINARY_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}
TEXT_TYPES = ("text/plain", "text/csv")
ALLOWED = "PDF, PNG, JPEG, plain text, CSV"
MAX_NAME = 255
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# C0 controls other than tab, line feed, form feed and carriage return, and DEL
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class AttachmentDamaged(LingangError):
    """A stored attachment is missing or its content no longer matches its SHA-256."""


def sha256_of(content: bytes) -> str:
    """The lowercase hex SHA-256 of ``content``."""
    return hashlib.sha256(content).hexdigest()


def check_size(content: bytes, max_bytes: int) -> None:
    """Refuse empty content and content over ``max_bytes``, naming the limit."""
    if not content:
        raise Invalid("file", "the file is empty")
    if len(content) > max_bytes:
        raise Invalid(
            "file", f"{len(content)} bytes is over the limit of {max_bytes} bytes "
            f"({max_bytes / 1024 / 1024:g} MiB)"
        )  # fmt: skip


def clean_name(name: str) -> str:
    """The file's own name without any folder part; 1–255 characters, no control characters."""
    base = re.split(r"[\\/]", name)[-1].strip()
    if not base or base in (".", ".."):
        raise Invalid("name", "give the file's name")
    if _CONTROL.search(base) or len(base) > MAX_NAME:
        raise Invalid("name", f"at most {MAX_NAME} characters, no control characters")
    return base


def media_type_of(content: bytes, name: str) -> str:
    """The media type read from ``content`` (see the module's rules); ``Invalid("file")``
    for a type not allowed."""
    kind = filetype.guess(content)
    if kind is not None:
        mime = str(kind.mime)
        if mime in BINARY_TYPES:
            return mime
        raise Invalid("file", f"content of type {mime} is not allowed; allowed: {ALLOWED}")
    if _is_text(content):
        return "text/csv" if name.lower().endswith(".csv") else "text/plain"
    raise Invalid("file", f"content of an unrecognised type; allowed: {ALLOWED}")


def _is_text(content: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _CONTROL.search(text) is None
    return False


class AttachmentStore:
    """Files by SHA-256 under ``root`` (``<data_dir>/cases/attachments``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        """Where the content with this hash lives (the hash must be 64 lowercase hex)."""
        if not _SHA256.match(sha256):
            raise Invalid("sha256", "expected 64 lowercase hexadecimal digits")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> tuple[str, bool]:
        """Store ``content`` once; return its SHA-256 and whether it was new on disk. A stored
        copy that no longer matches its hash is replaced."""
        sha = sha256_of(content)
        path = self.path_of(sha)
        if path.is_file() and sha256_of(path.read_bytes()) == sha:
            return sha, False
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha, True

    def get(self, sha256: str) -> bytes:
        """The content with this hash, checked; ``AttachmentDamaged`` when missing or altered."""
        path = self.path_of(sha256)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise AttachmentDamaged(f"attachment {sha256} is missing from the store") from None
        if sha256_of(content) != sha256:
            raise AttachmentDamaged(f"attachment {sha256} does not match its SHA-256")
        return content
