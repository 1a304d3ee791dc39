"""Log output: text or JSON lines, written by one thread so that formatting and I/O stay off the event loop.

A request's access line costs the event loop one ``deque.append`` of a plain tuple (:data:`RawAccess`): no
``LogRecord``, no formatting, no write, no wall-clock read (the writer turns the middleware's ``perf_counter``
reading into wall time), and for routes other than ``/flags`` not even the request id (the writer derives it from
the request's headers). Ordinary log records are queued on a ``SimpleQueue`` (the handler does not format them
first, as the standard ``QueueHandler`` would). The writer thread drains both in batches and writes each batch with
one call; within a batch, records come before access lines.
Lines still queued at exit are written by an ``atexit`` flush. Access lines are written whatever the log level
(``FLAGCORE_ACCESS_LOG`` turns them off); inside an application that configured logging itself they go to the
``flagcore.access`` logger instead, at INFO.
"""

from __future__ import annotations

import atexit
import collections
import logging
import queue
import sys
import threading
import time
from collections.abc import Iterable
from typing import IO, Final, Literal, NamedTuple

import msgspec

from flagcore.app.observability.request_id import request_id_of

ACCESS_LOGGER: Final = "flagcore.access"
_BATCH: Final = 512
_EVERY_S: Final = 0.05  # how often the writer looks for lines: the log lags by at most this
_ENCODER: Final = msgspec.json.Encoder()
LogFormat = Literal["text", "json"]


class AccessEntry(NamedTuple):
    """One request, as the access middleware saw it. Nothing here comes from the query string, headers or body."""

    at: float  # time.time() when the response finished
    method: str
    route: str  # the route template (``/api/projects/{project_id}/feature_flags``), never the raw path
    status: int
    duration_ms: float
    request_id: str


#: What the middleware queues per request: ``perf_counter()`` when the response finished, method, route template,
#: status, duration in seconds, and the request id, or the request's raw headers to derive it from (in the writer).
RawAccess = tuple[float, str, str, int, float, "str | Iterable[tuple[bytes, bytes]]"]


class LineFormat:
    """Turns log records and access entries into lines: ``text`` (as ``logging``'s usual format) or ``json``."""

    def __init__(self, kind: LogFormat) -> None:
        self.kind = kind
        self._text = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
        self._prefixes: dict[tuple[str, str, int], str] = {}

    def record(self, record: logging.LogRecord) -> str:
        if self.kind == "text":
            return self._text.format(record) + "\n"
        body: dict[str, object] = {
            "ts": _iso(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            body["exc_info"] = self._text.formatException(record.exc_info)
        return _ENCODER.encode(body).decode() + "\n"

    def access(self, entry: AccessEntry) -> str:
        if self.kind == "text":
            # The part between the time and the duration, made once per (method, route, status).
            key = (entry.method, entry.route, entry.status)
            prefix = self._prefixes.get(key)
            if prefix is None:
                prefix = self._prefixes[key] = f" INFO {ACCESS_LOGGER} {entry.method} {entry.route} {entry.status} "
            return f"{_local(entry.at)}{prefix}{entry.duration_ms:.1f}ms requestId={entry.request_id}\n"
        body = {
            "ts": _iso(entry.at),
            "level": "INFO",
            "logger": ACCESS_LOGGER,
            "message": f"{entry.method} {entry.route} {entry.status}",
            "method": entry.method,
            "route": entry.route,
            "status": entry.status,
            "duration_ms": round(entry.duration_ms, 3),
            "requestId": entry.request_id,
        }
        return _ENCODER.encode(body).decode() + "\n"


class LogWriter:
    """The thread that formats and writes queued lines to ``stream`` (``None``: whatever ``sys.stderr`` is then)."""

    def __init__(self, line_format: LineFormat, stream: IO[str] | None = None) -> None:
        self.format = line_format
        self.stream = stream
        #: Hand access lines to the ``flagcore.access`` logger instead of writing them (the root logger has handlers
        #: of an embedding application, or of pytest: they decide where lines go).
        self.forward_access = False
        self._queue: queue.SimpleQueue[logging.LogRecord | AccessEntry | threading.Event] = queue.SimpleQueue()
        self._access: collections.deque[RawAccess] = collections.deque()
        #: Queue one request's access line (the middleware's only cost: ``deque.append`` is atomic under the GIL).
        self.access = self._access.append
        self._thread = threading.Thread(target=self._run, name="flagcore-log-writer", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

    def put(self, item: logging.LogRecord | AccessEntry) -> None:
        """Queue a record or an access entry (the event loop's only cost)."""
        self._queue.put(item)

    def flush(self, timeout_s: float = 2.0) -> bool:
        """Wait until everything queued so far is written; False if that took longer than ``timeout_s``."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout_s)

    def _run(self) -> None:
        # Wakes every few milliseconds and takes everything queued, rather than blocking on each put: a thread
        # woken per line would take the GIL from the event loop once per request.
        while True:
            time.sleep(_EVERY_S)
            batch: list[logging.LogRecord | AccessEntry | threading.Event] = []
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
                if len(batch) >= _BATCH:
                    self._write(batch)
                    batch = []
            self._write(batch)

    def _write(self, batch: list[logging.LogRecord | AccessEntry | threading.Event]) -> None:
        lines: list[str] = []
        done: list[threading.Event] = []
        # After the queue: an access line appended before a flush's event was queued is taken here with it.
        if self._access:
            batch.extend(self._entries())
        if not batch:
            return
        for item in batch:
            if isinstance(item, AccessEntry):
                if self.forward_access:
                    _forward(item)
                else:
                    lines.append(self.format.access(item))
            elif isinstance(item, threading.Event):
                done.append(item)
            else:
                try:
                    lines.append(self.format.record(item))
                except Exception:  # noqa: BLE001 - a bad record (wrong % arguments) must not stop the writer
                    lines.append(f"flagcore: could not format a log record from {item.name}: {item.msg!r}\n")
        if lines:
            stream = self.stream or sys.stderr
            try:
                stream.write("".join(lines))
                stream.flush()
            except (OSError, ValueError):  # closed or broken stream: losing log lines must not kill the writer
                pass
        for event in done:
            event.set()

    def _entries(self) -> list[AccessEntry]:
        pending = self._access
        taken = [pending.popleft() for _ in range(len(pending))]
        to_wall = time.time() - time.perf_counter()  # perf_counter readings to wall time, as of now
        return [
            AccessEntry(
                end + to_wall,
                method,
                route,
                status,
                seconds * 1000,
                request_id if isinstance(request_id, str) else request_id_of(request_id),
            )
            for end, method, route, status, seconds, request_id in taken
        ]


class QueuedHandler(logging.Handler):
    """Hands records to the writer thread unformatted (``logging.handlers.QueueHandler`` formats them first)."""

    def __init__(self, writer: LogWriter) -> None:
        super().__init__()
        self.writer = writer

    def emit(self, record: logging.LogRecord) -> None:
        self.writer.put(record)


_writer: LogWriter | None = None
_lock = threading.Lock()


def log_writer(kind: LogFormat) -> LogWriter:
    """The process's writer (one thread per process), set to ``kind``."""
    global _writer  # noqa: PLW0603 - one writer per process: it owns the process's stderr
    with _lock:
        if _writer is None:
            _writer = LogWriter(LineFormat(kind))
        elif _writer.format.kind != kind:
            _writer.format = LineFormat(kind)
        return _writer


def configure_logging(level: str, kind: LogFormat) -> LogWriter:
    """Root logging at ``level`` through the writer thread, in ``kind`` lines.

    Like ``logging.basicConfig``, the root handler is installed only when the root logger has no handler (one
    installed by an embedding application, or by pytest, is left alone, and so is the level then).
    """
    writer = log_writer(kind)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(QueuedHandler(writer))
    ours = any(isinstance(handler, QueuedHandler) for handler in root.handlers)
    if ours:
        root.setLevel(level.upper())
    writer.forward_access = not ours
    return writer


def _forward(entry: AccessEntry) -> None:
    # In the writer thread: the LogRecord is made here, not on the event loop.
    logger = logging.getLogger(ACCESS_LOGGER)
    if logger.isEnabledFor(logging.INFO):
        message = "%s %s %s %.1fms requestId=%s"
        args = (entry.method, entry.route, entry.status, entry.duration_ms, entry.request_id)
        record = logger.makeRecord(ACCESS_LOGGER, logging.INFO, __file__, 0, message, args, None)
        record.created = entry.at
        logger.handle(record)


_local_second: list[object] = [None, ""]


def _local(at: float) -> str:
    # logging's asctime format (local time, milliseconds after a comma); strftime only once per second.
    second = int(at)
    if _local_second[0] != second:
        _local_second[:] = [second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))]
    return f"{_local_second[1]},{int((at - second) * 1000):03d}"


def _iso(at: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + f".{int((at % 1) * 1000):03d}Z"
