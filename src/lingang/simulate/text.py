"""Vectorised string building: fixed-width ASCII codes as byte matrices, Arrow string arrays.

Identifiers (USCCs, ID numbers, container numbers, declaration numbers) are built as
``uint8`` matrices — one row per value, one column per character — and handed to Arrow as
one buffer, so no Python string is made per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lingang.entities.model import ID_CHECK, ID_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS

Bytes = np.ndarray[tuple[int, int], np.dtype[np.uint8]]
Ints = np.ndarray[tuple[int], np.dtype[np.int64]]

_USCC_CODES = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
_USCC_VALUE = np.full(128, -1, dtype=np.int64)
_USCC_VALUE[_USCC_CODES] = np.arange(len(USCC_ALPHABET))
_ID_CHECK = np.frombuffer(ID_CHECK.encode(), dtype=np.uint8)
# ISO 6346 letter values: A=10 … Z=38, skipping multiples of 11.
_ISO6346 = np.array([v for v in range(10, 39) if v % 11], dtype=np.int64)[:26]


def ix(values: Any, mask: np.ndarray | None = None) -> pa.Int64Array:
    """Indices for ``take`` as an Arrow int64 array; where ``mask`` is True the result is null."""
    array: pa.Int64Array = pa.array(np.asarray(values, dtype=np.int64), pa.int64(), mask=mask)
    return array


def literal(text: str, n: int) -> Bytes:
    """``n`` rows of the same ASCII text."""
    return np.tile(np.frombuffer(text.encode("ascii"), dtype=np.uint8), (n, 1))


def digits(values: Ints | np.ndarray, width: int) -> Bytes:
    """Zero-padded decimal digits of non-negative integers, ``width`` columns."""
    number = np.asarray(values, dtype=np.int64)
    small = not len(number) or int(number.max()) < 2**32
    rest: np.ndarray[tuple[int], np.dtype[np.unsignedinteger[Any]]] = number.astype(
        np.uint32 if small else np.uint64
    )
    matrix: Bytes = np.empty((len(number), width), dtype=np.uint8)
    for column in range(width - 1, -1, -1):  # one pass per digit, not per value
        quotient = rest // 10
        matrix[:, column] = rest - quotient * 10
        rest = quotient
    matrix += 48
    return matrix


def base_alphabet(values: np.ndarray, width: int, alphabet: str) -> Bytes:
    """Fixed-width encoding of integers in the digits of ``alphabet`` (most significant first)."""
    codes = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)
    base = len(alphabet)
    powers = base ** np.arange(width - 1, -1, -1, dtype=np.int64)
    matrix: Bytes = codes[(np.asarray(values, dtype=np.int64)[:, None] // powers) % base]
    return matrix


def join(*parts: Bytes) -> Bytes:
    """Columns side by side."""
    return np.ascontiguousarray(np.hstack(parts))


def to_arrow(matrix: Bytes) -> pa.StringArray:
    """A byte matrix as an Arrow string array, zero-copy of the characters."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix)
    array = pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(cast(Any, offsets)), pa.py_buffer(cast(Any, data))]
    )
    assert isinstance(array, pa.StringArray)
    return array


def uscc_with_check(body: Bytes) -> Bytes:
    """17-character USCC bodies with their GB 32100-2015 check character appended."""
    values = _USCC_VALUE[body]
    total = values @ np.array(USCC_WEIGHTS, dtype=np.int64)
    check = _USCC_CODES[(31 - total % 31) % 31]
    return join(body, check[:, None])


def id_with_check(body: Bytes) -> Bytes:
    """17-digit resident ID bodies with their GB 11643-1999 check character appended."""
    total = (body.astype(np.int64) - 48) @ np.array(ID_WEIGHTS, dtype=np.int64)
    return join(body, _ID_CHECK[total % 11][:, None])


def container_with_check(owner_and_serial: Bytes) -> Bytes:
    """ISO 6346 numbers: 4 letters + 6 digits, then the check digit."""
    letters = _ISO6346[owner_and_serial[:, :4].astype(np.int64) - 65]
    numbers = owner_and_serial[:, 4:].astype(np.int64) - 48
    values = np.hstack([letters, numbers])
    total = values @ (2 ** np.arange(10, dtype=np.int64))
    check = (total % 11) % 10 + 48
    return join(owner_and_serial, check.astype(np.uint8)[:, None])


def pick(
    vocabulary: Sequence[str], indices: np.ndarray, mask: np.ndarray | None = None
) -> pa.Array[Any]:
    """Strings of a vocabulary by index; ``mask`` True gives null.

    Equal-length vocabularies (codes) are gathered as byte matrices; others through an
    Arrow dictionary, so no Python string is made per value.
    """
    encoded = [word.encode() for word in vocabulary]
    widths = {len(word) for word in encoded}
    if mask is None and len(widths) == 1:
        table = np.frombuffer(b"".join(encoded), dtype=np.uint8).reshape(len(encoded), -1)
        return to_arrow(np.take(table, np.asarray(indices, dtype=np.int64), axis=0))
    return gather(pa.array(list(vocabulary), pa.string()), indices, mask)


def gather(
    strings: pa.Array[Any], indices: np.ndarray, mask: np.ndarray | None = None
) -> pa.Array[Any]:
    """``strings[indices]`` as a plain string array (null where ``mask`` is True)."""
    codes = pa.array(np.asarray(indices, dtype=np.int32), pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(codes, strings).cast(pa.string())


def concat(*parts: pa.Array[Any] | str) -> pa.Array[Any]:
    """Element-wise concatenation of string arrays (plain strings are broadcast)."""
    joined = pc.binary_join_element_wise(*cast(list[Any], parts), "")
    return cast("pa.Array[Any]", joined)
