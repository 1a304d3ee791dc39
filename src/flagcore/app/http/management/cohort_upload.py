"""Reading a cohort create/update body: JSON, or a multipart form carrying a ``csv`` file (static cohorts).

PostHog's frontend uploads a static cohort's CSV as ``multipart/form-data`` with the cohort's other fields as form
fields (``name``, ``is_static``, ``description``; ``filters`` as JSON text). The body is bounded by the routes'
``request_max_body_size`` (:data:`MAX_COHORT_BODY`: a bigger upload is 413 before it is read).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile

from flagcore.app.cohorts.write_cohorts import CohortFields
from flagcore.app.http.body import decode_json_body
from flagcore.domain.cohorts.csv_import import MAX_CSV_BYTES, CohortCsvError, CsvIds, parse_cohort_csv
from flagcore.domain.errors import InvalidInputError

MAX_COHORT_BODY: Final = MAX_CSV_BYTES + 64 * 1024
_TEXT_FIELDS: Final = ("name", "description", "cohort_type")
_TRUE: Final = frozenset({"true", "1", "on", "yes"})
_FALSE: Final = frozenset({"false", "0", "off", "no", ""})

Req = Request[Any, Any, Any]


class CohortBody(msgspec.Struct, frozen=True, kw_only=True):
    fields: CohortFields
    upload: CsvIds | None = None


async def read_cohort_body(request: Req) -> CohortBody:
    """The fields a request sets and the ids its CSV names (parsed, so a bad CSV is refused before any write).

    Raises:
        InvalidInputError, CohortCsvError, MalformedBodyError: a bad form field, CSV or JSON body.
    """
    if not request.content_type[0].startswith("multipart/form-data"):
        return CohortBody(fields=decode_json_body(await request.body(), CohortFields))
    form = await request.form()
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if isinstance(form.get(name), str):
            values[name] = form.get(name)
    for name in ("is_static", "deleted"):
        raw = form.get(name)
        if isinstance(raw, str):
            values[name] = _boolean(name, raw)
    raw_filters = form.get("filters")
    if isinstance(raw_filters, str) and raw_filters.strip():
        values["filters"] = decode_json_body(raw_filters.encode(), dict[str, Any])
    fields = msgspec.convert(values, CohortFields)
    upload = form.get("csv")
    if upload is None:
        return CohortBody(fields=fields)
    data = await upload.read() if isinstance(upload, UploadFile) else str(upload).encode()
    return CohortBody(fields=fields, upload=parse_cohort_csv(data))


def require_static(body: CohortBody, *, is_static: bool) -> None:
    """A CSV goes to static cohorts only."""
    if body.upload is not None and not is_static:
        raise CohortCsvError("A CSV can only be uploaded to a static cohort.")


def _boolean(name: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidInputError("Must be a valid boolean.", code="invalid", attr=name)
