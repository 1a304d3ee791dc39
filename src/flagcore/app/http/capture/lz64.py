"""LZ-string ``decompressFromBase64`` (posthog-js ``compression=lz64``), with a bound on the output.

The format is LZW over UTF-16 code units with a growing code width; characters are kept as code units (lone
surrogates included) and joined into text at the end, as JavaScript strings are.
"""

from __future__ import annotations

from typing import Final

_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_VALUES: Final = {char: index for index, char in enumerate(_ALPHABET)}


class Lz64Error(ValueError):
    """Not LZ-string data, or it inflates past the limit."""


class _Bits:
    __slots__ = ("_data", "_index", "_position", "_value")

    def __init__(self, data: str) -> None:
        self._data = data
        self._index = 0
        self._position = 32
        self._value = self._next()

    def _next(self) -> int:
        if self._index >= len(self._data):
            raise Lz64Error("truncated lz64 data")
        char = self._data[self._index]
        self._index += 1
        value = _VALUES.get(char)
        if value is None:
            raise Lz64Error("invalid lz64 character")
        return value

    def read(self, count: int) -> int:
        bits, power = 0, 1
        for _ in range(count):
            if self._value & self._position:
                bits |= power
            self._position >>= 1
            if self._position == 0:
                self._position = 32
                self._value = self._next() if self._index < len(self._data) else 0
            power <<= 1
        return bits


def decompress_from_base64(data: str, *, limit: int) -> str:
    """The text ``data`` encodes, at most ``limit`` code units long.

    Raises:
        Lz64Error: invalid or truncated data, or more than ``limit`` code units of output.
    """
    if not data:
        raise Lz64Error("empty lz64 data")
    bits = _Bits(data.replace(" ", "+"))
    first = _literal(bits, bits.read(2))
    if first is None:
        return ""
    dictionary: list[str] = ["", "", "", first]
    enlarge_in, num_bits, w = 4, 3, first
    out = [first]
    size = len(first)
    while True:
        code = bits.read(num_bits)
        if code in (0, 1):
            dictionary.append(chr(bits.read(8 if code == 0 else 16)))
            code = len(dictionary) - 1
            enlarge_in -= 1
            if enlarge_in == 0:
                enlarge_in, num_bits = 1 << num_bits, num_bits + 1
        elif code == 2:  # noqa: PLR2004 - the end-of-stream code
            return _utf16("".join(out))
        if code < len(dictionary):
            entry = dictionary[code]
        elif code == len(dictionary):
            entry = w + w[0]
        else:
            raise Lz64Error("invalid lz64 code")
        size += len(entry)
        if size > limit:
            raise Lz64Error("lz64 data inflates past the limit")
        out.append(entry)
        dictionary.append(w + entry[0])
        enlarge_in -= 1
        w = entry
        if enlarge_in == 0:
            enlarge_in, num_bits = 1 << num_bits, num_bits + 1


def _literal(bits: _Bits, code: int) -> str | None:
    if code == 0:
        return chr(bits.read(8))
    if code == 1:
        return chr(bits.read(16))
    if code == 2:  # noqa: PLR2004 - the end-of-stream code
        return None
    raise Lz64Error("invalid lz64 header")


def _utf16(units: str) -> str:
    # Joins surrogate pairs into code points; a lone surrogate becomes U+FFFD, as a UTF-8 re-encoding would.
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
