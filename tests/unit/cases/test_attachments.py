"""Attachments on disk: type from the content, size limits, names, content-addressed store."""

from __future__ import annotations

from pathlib import Path

import pytest

from lingang.cases.attachments import (
    DEFAULT_MAX_BYTES,
    AttachmentDamaged,
    AttachmentStore,
    check_size,
    clean_name,
    media_type_of,
    sha256_of,
)
from lingang.errors import Invalid

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
PDF = b"%PDF-1.7\n" + bytes(32)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (PNG, "photo.png", "image/png"),
        (PNG, "disguised.pdf", "image/png"),  # the name never decides
        (JPEG, "photo", "image/jpeg"),
        (PDF, "scan.PNG", "application/pdf"),
        (b"a,b\r\n1,2\r\n", "data.CSV", "text/csv"),
        (b"a,b\n1,2\n", "data.txt", "text/plain"),
        ("\ufeff品名,数量\n".encode(), "清单.csv", "text/csv"),  # UTF-8 with BOM
        ("品名,数量\n冻品,2\n".encode("gb18030"), "清单.csv", "text/csv"),  # Excel on zh-CN
        ("说明\t第一页\f第二页".encode(), "说明", "text/plain"),
    ],
)
def test_the_type_comes_from_the_content(content: bytes, name: str, expected: str) -> None:
    assert media_type_of(content, name) == expected


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"PK\x03\x04" + bytes(40), "report.pdf"),  # a zip (also docx, xlsx)
        (b"MZ" + bytes(100), "invoice.pdf"),  # a Windows executable
        (b"GIF89a" + bytes(20), "photo.png"),  # a type not allowed
        (b"plain\x00text", "notes.txt"),  # binary junk
        (b"\x1b[31mred", "log.txt"),  # control characters
    ],
)
def test_other_types_are_refused_naming_the_file_field(content: bytes, name: str) -> None:
    with pytest.raises(Invalid) as refused:
        media_type_of(content, name)
    assert refused.value.field == "file" and "PDF, PNG, JPEG" in refused.value.reason


def test_the_size_limit_names_itself() -> None:
    check_size(b"x" * DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES)
    with pytest.raises(Invalid) as over:
        check_size(b"x" * (DEFAULT_MAX_BYTES + 1), DEFAULT_MAX_BYTES)
    assert over.value.field == "file"
    assert str(DEFAULT_MAX_BYTES) in over.value.reason and "20 MiB" in over.value.reason
    with pytest.raises(Invalid, match="empty"):
        check_size(b"", DEFAULT_MAX_BYTES)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("报关单.pdf", "报关单.pdf"), ("C:\\Users\\a\\scan.png", "scan.png"), ("../../etc/x", "x")],
)
def test_names_lose_their_folders(given: str, kept: str) -> None:
    assert clean_name(given) == kept


@pytest.mark.parametrize("name", ["", "  ", "dir/", "..", "a\x00b", "x" * 256])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean_name(name)
    assert refused.value.field == "name"


def test_the_same_content_is_stored_once(tmp_path: Path) -> None:
    files = AttachmentStore(tmp_path / "attachments")
    sha, new = files.put(PNG)
    assert (sha, new) == (sha256_of(PNG), True)
    assert files.put(PNG) == (sha, False)
    path = tmp_path / "attachments" / sha[:2] / sha
    assert path.read_bytes() == PNG
    assert [p.name for p in (tmp_path / "attachments").rglob("*") if p.is_file()] == [sha]
    assert files.get(sha) == PNG


def test_reading_checks_the_hash(tmp_path: Path) -> None:
    files = AttachmentStore(tmp_path)
    sha, _ = files.put(PDF)
    files.path_of(sha).write_bytes(PDF + b"tampered")
    with pytest.raises(AttachmentDamaged, match="does not match"):
        files.get(sha)
    assert files.put(PDF) == (sha, True)  # a damaged copy is replaced
    assert files.get(sha) == PDF
    files.path_of(sha).unlink()
    with pytest.raises(AttachmentDamaged, match="missing"):
        files.get(sha)


@pytest.mark.parametrize("sha", ["../../etc/passwd", "ABC", "g" * 64, "A" * 64])
def test_only_real_hashes_name_a_path(tmp_path: Path, sha: str) -> None:
    with pytest.raises(Invalid) as refused:
        AttachmentStore(tmp_path).path_of(sha)
    assert refused.value.field == "sha256"
