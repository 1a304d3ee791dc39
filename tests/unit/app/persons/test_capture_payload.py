from __future__ import annotations

import base64
import gzip
import json

import pytest
from litestar.exceptions import HTTPException

from flagcore.app.http.capture.lz64 import Lz64Error, decompress_from_base64
from flagcore.app.http.capture.payload import CaptureBadRequestError, decode_capture

# Produced with lz-string's compressToBase64 (an independent implementation) from the texts next to them.
LZ_VECTORS = [
    ("hello hello hello hello", "BYUwNmD2AEoTcq3FIA=="),
    (
        '[{"event":"$pageview","distinct_id":"u1","properties":{"token":"phc_lz","city":"Zürich"}}]',
        "NobwRApgbhB2AuYBcYAkAHAhgc2gSwgHcwAaMAEzwGd49YBjeAfT3OTAFcBGUsdAJwD26CP1oQqycPEEBrOO3QALekwA2AL17088AJ7sAWgB/"
        "+eekrABfKwF0gA=",
    ),
]
EVENT = {"event": "e", "distinct_id": "u", "api_key": "phc_t"}


@pytest.mark.parametrize(("text", "compressed"), LZ_VECTORS)
def test_lz64_vectors(text: str, compressed: str) -> None:
    assert decompress_from_base64(compressed, limit=10_000) == text


def test_lz64_output_is_bounded() -> None:
    with pytest.raises(Lz64Error):
        decompress_from_base64(LZ_VECTORS[1][1], limit=10)
    with pytest.raises(Lz64Error):
        decompress_from_base64("@@@", limit=10)


def _decode(body: bytes, path: str = "/batch", limit: int = 1_000_000, **kw: str) -> list[dict[str, object]]:
    headers = {k.replace("_", "-"): v for k, v in kw.items() if k != "query"}
    query = dict([kw["query"].split("=", 1)]) if "query" in kw else {}
    return decode_capture(body, query=query, headers=headers, path=path, limit=limit).events


def test_shapes() -> None:
    assert _decode(json.dumps(EVENT).encode()) == [EVENT]
    assert _decode(json.dumps([EVENT, EVENT]).encode()) == [EVENT, EVENT]
    batch = decode_capture(
        json.dumps({"api_key": "phc_b", "batch": [EVENT], "sentAt": "now"}).encode(),
        query={},
        headers={},
        path="/batch",
        limit=10_000,
    )
    assert (batch.token, batch.sent_at, len(batch.events)) == ("phc_b", "now", 1)
    assert _decode(b'{"$set": {"a": 1}, "distinct_id": "u"}', path="/engage/")[0]["event"] == "$identify"
    with pytest.raises(CaptureBadRequestError, match="non-engage"):
        _decode(b'{"distinct_id": "u"}', path="/e/")


def test_legacy_paths_unwrap_base64_twice() -> None:
    twice = base64.b64encode(base64.b64encode(json.dumps(EVENT).encode()))
    assert _decode(twice, path="/e/") == [EVENT]


def test_decompressed_size_is_checked_for_every_encoding() -> None:
    payload = json.dumps([EVENT] * 100).encode()
    for body, headers in (
        (gzip.compress(payload), {"content_encoding": "gzip"}),
        (base64.b64encode(payload), {}),
        (payload, {}),
    ):
        with pytest.raises(HTTPException) as caught:
            _decode(body, limit=len(payload) - 1, **headers)
        assert caught.value.status_code == 413
