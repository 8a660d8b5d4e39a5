"""Bytes to text for every reader: BOM, then valid UTF-8, declared charsets, detection.

Web pages are often mislabelled or mix encodings; this module makes one careful choice per
document and, when no text can be had (binary data, no charset fits), says why in one line.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from email.message import Message
from functools import cache

import charset_normalizer

from storydesk import vocab
from storydesk.ingest.base import SourceError

SNIFF_BYTES = 65_536
MAX_CONTROL_SHARE = 0.05  # more control characters than this in the sample: not text
MAX_STRAY_SHARE = 0.01  # a UTF-8 text may carry this share of stray (cp1252) bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers (WHATWG Encoding) read these labels as windows-1252; so do we.
_AS_CP1252 = {"ascii", "iso8859-1", "latin-1"}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.IGNORECASE)
_STRAY_BYTE = re.compile("[\udc80-\udcff]")
_MULTIBYTE_CHAR = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])


class DecodeError(SourceError):
    """The bytes are not text we can read (binary, or no character set fits)."""


def decode(data: bytes, declared: Iterable[str | None] = ()) -> str:
    """Decode ``data``: BOM, valid UTF-8, ``declared`` charsets in order, mostly-UTF-8, detection.

    Raises DecodeError for binary content or when no character set fits."""
    bom_charset = _bom_charset(data)
    if bom_charset:
        return data.decode(bom_charset, errors="replace")
    kind = binary_kind(data)
    if kind:
        raise DecodeError(f"binary content ({kind})")
    return _decode_text(data, [name for name in declared if name])


def binary_kind(data: bytes) -> str | None:
    """What binary thing ``data`` is (by magic number, or "NUL bytes"), or None for text."""
    kind = magic_kind(data)
    if kind is None and b"\x00" in data[:SNIFF_BYTES]:
        return "NUL bytes"
    if kind is None and _control_share(data[:SNIFF_BYTES]) > MAX_CONTROL_SHARE:
        return "control characters"
    return kind


def magic_kind(head: bytes) -> str | None:
    """The kind of binary file whose signature ``head`` starts with ("PNG image"), or None."""
    pattern, names = _binary_magic()
    match = pattern.match(head)
    return names[match.group()] if match else None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header value."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    return message.get_content_charset()


def meta_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its <meta> tags (looked for near the top)."""
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


@cache
def _binary_magic() -> tuple[re.Pattern[bytes], dict[bytes, str]]:
    """One pattern matching every known signature, and the name of each signature."""
    names = {bytes.fromhex(magic): name for magic, name in vocab.load_table("ingest_binary_magic.txt")}
    return re.compile(b"|".join(map(re.escape, names))), names


def _bom_charset(data: bytes) -> str | None:
    """The charset a byte-order mark announces, if any."""
    return next((charset for bom, charset in _BOMS if data.startswith(bom)), None)


def _decode_text(data: bytes, declared: list[str]) -> str:
    """Text of BOM-less, non-binary bytes (see ``decode`` for the order)."""
    try:
        # Valid UTF-8 with non-ASCII bytes is practically never another encoding, so it beats
        # a declaration (pages labelled iso-8859-1 but written in UTF-8 are common).
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in declared:
        text = _decode_as(data, charset)
        if text is not None:
            return text
    text = _mostly_utf8(data)
    if text is not None:
        return text
    return _detect(data)


def _detect(data: bytes) -> str:
    """charset-normalizer's reading among the web's charsets; of equally clean readings, the
    one whose charset is most common on the web (it would otherwise pick, say, mac_roman for
    German cp1252 text, which reads the same but for a few letters)."""
    matches = list(charset_normalizer.from_bytes(data, cp_isolation=list(_web_charsets())))
    if not matches:
        raise DecodeError("undecodable text: not UTF-8 and no character set fits")
    least_chaos = min(match.chaos for match in matches)
    rank = {charset: position for position, charset in enumerate(_web_charsets())}
    ranked = [
        (rank.get(charset, len(rank)), charset)
        for match in matches
        if match.chaos <= least_chaos
        for charset in match.could_be_from_charset
    ]
    return data.decode(min(ranked)[1], errors="replace")


@cache
def _web_charsets() -> tuple[str, ...]:
    """Charsets detection may choose, most common first (``ingest_web_charsets.txt``)."""
    return vocab.load("ingest_web_charsets.txt")


def _decode_as(data: bytes, charset: str) -> str | None:
    """``data`` in a declared charset, or None when the name is unknown or does not fit."""
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    if name in _AS_CP1252:
        return data.decode("cp1252", errors="replace")
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a few stray single-byte (cp1252) characters pasted in, repaired.

    The stdlib has no mixed-encoding decoder and ftfy is not a dependency; this is the one
    case such pages need: each undecodable byte is read as cp1252 instead."""
    text = data.decode("utf-8", errors="surrogateescape")
    strays = len(_STRAY_BYTE.findall(text))
    multibyte = len(_MULTIBYTE_CHAR.findall(text))
    if multibyte <= strays or strays > MAX_STRAY_SHARE * len(data):
        return None
    return _with_cp1252_strays(text)


def _with_cp1252_strays(text: str) -> str:
    """Replace surrogate-escaped bytes by their cp1252 character (U+FFFD where cp1252 has none)."""
    return _STRAY_BYTE.sub(lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace"), text)


def _control_share(sample: bytes) -> float:
    """The share of C0 control bytes other than whitespace (tab, newlines, form feed)."""
    return (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample) if sample else 0.0
