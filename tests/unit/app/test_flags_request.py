"""Decoding ``/flags`` bodies: every encoding SDKs use, the bounds, and the field checks."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from litestar.exceptions import HTTPException

from flagcore.app.http.evaluation.flags_request import (
    MAX_BODY_BYTES,
    build_command,
    decode_body,
    gunzip,
    parse_query,
    query_payload,
    read_body,
)
from flagcore.domain.errors import InvalidInputError

BODY: dict[str, Any] = {"token": "phc_x", "distinct_id": "user 1+2", "person_properties": {"plan": "pro/max"}}
RAW = json.dumps(BODY).encode()
B64 = base64.b64encode(RAW)


def decode(
    body: bytes,
    content_type: str | None = "application/json",
    encoding: str | None = None,
    compression: str | None = None,
) -> dict[str, Any]:
    return decode_body(body, content_type=content_type, content_encoding=encoding, compression=compression)


def status_of(body: bytes, **kwargs: Any) -> int:
    with pytest.raises(HTTPException) as caught:
        decode(body, **kwargs)
    return caught.value.status_code


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        pytest.param(RAW, {}, id="json"),
        pytest.param(RAW, {"content_type": None}, id="json-without-content-type"),
        pytest.param(RAW, {"content_type": "application/json; charset=utf-8"}, id="json-with-charset"),
        pytest.param(RAW, {"content_type": "text/plain"}, id="text-plain"),
        pytest.param(gzip.compress(RAW), {"encoding": "gzip"}, id="content-encoding-gzip"),
        pytest.param(gzip.compress(RAW), {"compression": "gzip-js"}, id="compression-gzip-js"),
        pytest.param(gzip.compress(RAW), {"compression": "gzip"}, id="compression-gzip"),
        pytest.param(gzip.compress(RAW), {}, id="gzip-magic-bytes"),
        pytest.param(B64, {"compression": "base64"}, id="base64"),
        pytest.param(B64, {}, id="base64-without-parameter"),
        pytest.param(quote(B64).encode(), {"compression": "base64"}, id="base64-percent-encoded"),
        pytest.param(B64.rstrip(b"="), {}, id="base64-unpadded"),
        pytest.param(b"data=" + quote(B64).encode(), {"content_type": "application/x-www-form-urlencoded"}, id="form"),
        pytest.param(b"data=" + B64, {"content_type": "application/x-www-form-urlencoded"}, id="form-raw-plus"),
        pytest.param(B64, {"content_type": "application/x-www-form-urlencoded"}, id="form-without-data"),
        pytest.param(
            b"data=" + quote_plus(RAW).encode() + b"&ver=1.2",
            {"content_type": "application/x-www-form-urlencoded"},
            id="form-urlencoded-json",
        ),
    ],
)
def test_every_encoding_decodes_to_the_same_object(body: bytes, kwargs: dict[str, Any]) -> None:
    assert decode(body, **kwargs) == BODY


def test_base64_plus_and_slash_survive_the_form_decoding() -> None:
    # '+' and '/' are base64 characters: a form decoder that turned '+' into a space would corrupt the body.
    tricky = {"distinct_id": "~~~>>>???", "token": "t"}
    encoded = base64.b64encode(json.dumps(tricky).encode())
    assert b"+" in encoded or b"/" in encoded
    assert decode(b"data=" + encoded, content_type="application/x-www-form-urlencoded") == tricky


def test_multi_member_gzip_is_read_whole() -> None:
    assert gunzip(gzip.compress(b'{"a":') + gzip.compress(b"1}")) == b'{"a":1}'


def test_invalid_utf8_is_read_lossily() -> None:
    assert decode(b'{"token":"t","distinct_id":"a\xffb"}')["distinct_id"] == "a\ufffdb"


@pytest.mark.parametrize(
    ("body", "kwargs", "status"),
    [
        pytest.param(b"not json", {}, 400, id="garbage"),
        pytest.param(b"", {}, 400, id="empty"),
        pytest.param(b"[1,2]", {}, 400, id="array"),
        pytest.param(b'"text"', {}, 400, id="string"),
        pytest.param(b"[" * 100_000, {}, 400, id="deep-nesting"),
        pytest.param(RAW, {"compression": "lz4"}, 400, id="unknown-compression"),
        pytest.param(RAW, {"content_type": "multipart/form-data"}, 400, id="unknown-content-type"),
        pytest.param(b"\x1f\x8b\x08garbage", {}, 400, id="corrupt-gzip"),
        pytest.param(gzip.compress(RAW)[:-12], {"encoding": "gzip"}, 400, id="truncated-gzip"),
        pytest.param(RAW, {"encoding": "gzip"}, 400, id="gzip-header-on-plain-body"),
        pytest.param(b"data=%%%", {"content_type": "application/x-www-form-urlencoded"}, 400, id="bad-form"),
        pytest.param(
            gzip.compress(RAW),
            {"content_type": "application/x-www-form-urlencoded", "compression": "gzip"},
            400,
            id="gzip-form",
        ),
        pytest.param(gzip.compress(b" " * (MAX_BODY_BYTES + 1)), {}, 413, id="gzip-bomb"),
    ],
)
def test_unreadable_bodies_are_refused(body: bytes, kwargs: dict[str, Any], status: int) -> None:
    assert status_of(body, **kwargs) == status


def test_gzip_bomb_is_stopped_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * (64 * MAX_BODY_BYTES))  # 64 MiB of zeros in ~64 KiB
    assert len(bomb) < MAX_BODY_BYTES // 8
    with pytest.raises(HTTPException) as caught:
        gunzip(bomb)
    assert caught.value.status_code == 413
    assert len(gunzip(gzip.compress(b"x" * MAX_BODY_BYTES))) == MAX_BODY_BYTES  # the limit itself is allowed


def command(payload: dict[str, Any], query: dict[str, str] | None = None) -> Any:
    return build_command(payload, query or {}, user_agent="ua", headers={"origin": "x"})


def test_command_reads_every_field() -> None:
    cmd = command(
        {
            "api_key": "phc_x",
            "distinct_id": "u",
            "$anon_distinct_id": "anon",
            "$device_id": "dev",
            "$properties": {"plan": "pro"},
            "groups": {"company": "acme"},
            "group_properties": {"company": {"size": 10}},
            "flag_keys_to_evaluate": ["a"],
            "evaluation_environments": ["web"],
            "evaluation_runtime": "client",
            "disable_flags": False,
            "timezone": "Europe/Paris",
            "geoip_disable": True,
        }
    )
    assert cmd.token == "phc_x"
    assert cmd.distinct_id == "u"
    assert cmd.anon_distinct_id == "anon"
    assert cmd.device_id == "dev"
    assert cmd.person_properties == {"plan": "pro"}
    assert cmd.groups == {"company": "acme"}
    assert cmd.group_properties == {"company": {"size": 10}}
    assert cmd.flag_keys == ["a"]
    assert cmd.evaluation_contexts == ["web"]
    assert cmd.evaluation_runtime == "client"
    assert cmd.disable_flags is False
    assert cmd.user_agent == "ua"
    assert "origin" in cmd.headers


@pytest.mark.parametrize(
    ("payload", "query", "token"),
    [
        ({"token": "a", "api_key": "b", "$token": "c"}, {}, "a"),
        ({"api_key": "b", "$token": "c"}, {}, "b"),
        ({"$token": "c"}, {}, "c"),
        ({"token": "", "api_key": "b"}, {}, "b"),
        ({}, {"token": "q"}, "q"),
        ({}, {"api_key": "q"}, "q"),
        ({"token": "body"}, {"token": "query"}, "body"),
        ({}, {}, None),
    ],
)
def test_token_aliases(payload: dict[str, Any], query: dict[str, str], token: str | None) -> None:
    assert command({"distinct_id": "u", **payload}, query).token == token


@pytest.mark.parametrize(
    ("payload", "distinct_id"),
    [
        ({"distinct_id": "u"}, "u"),
        ({"$distinct_id": "u"}, "u"),
        ({"distinct_id": 8675309}, "8675309"),
        ({"distinct_id": 123.45}, "123.45"),
        ({"distinct_id": ""}, ""),
        ({"distinct_id": None}, None),
        ({}, None),
    ],
)
def test_distinct_id_forms(payload: dict[str, Any], distinct_id: str | None) -> None:
    assert command(payload).distinct_id == distinct_id


@pytest.mark.parametrize(
    ("payload", "device_id"),
    [
        ({"device_id": "top"}, "top"),
        ({"$device_id": "top", "person_properties": {"$device_id": "prop"}}, "top"),
        ({"device_id": "", "person_properties": {"$device_id": "prop"}}, "prop"),
        ({"device_id": None, "person_properties": {"$device_id": "prop"}}, "prop"),
        ({"person_properties": {"$device_id": 5}}, None),
        ({}, None),
    ],
)
def test_device_id_falls_back_to_the_person_property(payload: dict[str, Any], device_id: str | None) -> None:
    assert command(payload).device_id == device_id


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"distinct_id": True}, "distinct_id"),
        ({"distinct_id": {"a": 1}}, "distinct_id"),
        ({"token": 5}, "token"),
        ({"person_properties": []}, "person_properties"),
        ({"$properties": "x"}, "person_properties"),
        ({"groups": [1]}, "groups"),
        ({"group_properties": {"company": 1}}, "group_properties"),
        ({"flag_keys": "a"}, "flag_keys"),
        ({"flag_keys": [1]}, "flag_keys"),
        ({"evaluation_contexts": [None]}, "evaluation_contexts"),
        ({"evaluation_runtime": 1}, "evaluation_runtime"),
        ({"disable_flags": "yes"}, "disable_flags"),
        ({"device_id": 5}, "device_id"),
    ],
)
def test_wrongly_typed_fields_are_named(payload: dict[str, Any], attr: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        command({"token": "t", **payload})
    assert caught.value.attr == attr


def test_get_query_becomes_a_body() -> None:
    payload = query_payload(
        {
            "token": "t",
            "distinct_id": "u",
            "groups": '{"company":"acme"}',
            "person_properties": "{}",
            "flag_keys": "a,b",
            "evaluation_contexts": '["web"]',
            "disable_flags": "true",
        }
    )
    cmd = command(payload)
    assert cmd.groups == {"company": "acme"}
    assert cmd.person_properties == {}
    assert cmd.flag_keys == ["a", "b"]
    assert cmd.evaluation_contexts == ["web"]
    assert cmd.disable_flags is True


def test_get_query_with_broken_json_names_the_field() -> None:
    with pytest.raises(InvalidInputError) as caught:
        command(query_payload({"token": "t", "groups": "{broken"}))
    assert caught.value.attr == "groups"


def _receiver(*messages: dict[str, Any]) -> Callable[[], Awaitable[dict[str, Any]]]:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


def _chunk(body: bytes, *, more: bool = False) -> dict[str, Any]:
    return {"type": "http.request", "body": body, "more_body": more}


async def test_read_body_joins_chunks() -> None:
    receive = _receiver(_chunk(b'{"a"', more=True), _chunk(b""), _chunk(b":1}"))
    # The empty chunk without more_body ends the body, as ASGI says.
    assert await read_body(receive, None) == b'{"a"'
    receive = _receiver(_chunk(b'{"a"', more=True), _chunk(b":1}"))
    assert await read_body(receive, "7") == b'{"a":1}'


async def test_read_body_refuses_an_announced_body_over_the_limit_before_reading() -> None:
    with pytest.raises(HTTPException) as caught:
        await read_body(_receiver(), str(MAX_BODY_BYTES + 1))
    assert caught.value.status_code == 413


async def test_read_body_refuses_a_received_body_over_the_limit_whatever_was_announced() -> None:
    half = b" " * (MAX_BODY_BYTES // 2 + 1)
    with pytest.raises(HTTPException) as caught:
        await read_body(_receiver(_chunk(half, more=True), _chunk(half)), "10")
    assert caught.value.status_code == 413
    assert await read_body(_receiver(_chunk(b" " * MAX_BODY_BYTES)), None) == b" " * MAX_BODY_BYTES


@pytest.mark.parametrize(
    ("messages", "length", "status"), [([], "ten", 400), ([{"type": "http.disconnect"}], None, 500)]
)
async def test_read_body_errors(messages: list[dict[str, Any]], length: str | None, status: int) -> None:
    with pytest.raises(HTTPException) as caught:
        await read_body(_receiver(*messages), length)
    assert caught.value.status_code == status


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", {}),
        (b"v=2&config=", {"v": "2", "config": ""}),
        (b"v=3&v=2", {"v": "3"}),  # the first of a repeated name, as MultiDict.get
        (b"token=phc%5Fx&distinct_id=a+b%20c", {"token": "phc_x", "distinct_id": "a b c"}),
        (b"flag_keys=%E2%9C%93", {"flag_keys": "\u2713"}),
    ],
)
def test_parse_query(query: bytes, expected: dict[str, str]) -> None:
    assert parse_query(query) == expected
