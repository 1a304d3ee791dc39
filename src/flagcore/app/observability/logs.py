"""Log output: text or JSON lines, written by one thread so that formatting and I/O stay off the event loop.

A request's access line costs the event loop one ``SimpleQueue.put`` of a tuple: no ``LogRecord``, no formatting,
no write. Ordinary log records are queued the same way (the handler does not format them first, as the standard
``QueueHandler`` would). The writer thread drains the queue in batches and writes each batch with one call.
Lines still queued at exit are written by an ``atexit`` flush. Access lines are written whatever the log level
(``FLAGCORE_ACCESS_LOG`` turns them off); inside an application that configured logging itself they go to the
``flagcore.access`` logger instead, at INFO.
"""

from __future__ import annotations

import atexit
import logging
import queue
import sys
import threading
import time
from typing import IO, Final, Literal, NamedTuple

import msgspec

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


class LineFormat:
    """Turns log records and access entries into lines: ``text`` (as ``logging``'s usual format) or ``json``."""

    def __init__(self, kind: LogFormat) -> None:
        self.kind = kind
        self._text = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")

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
            return (
                f"{_local(entry.at)} INFO {ACCESS_LOGGER} {entry.method} {entry.route} {entry.status} "
                f"{entry.duration_ms:.1f}ms requestId={entry.request_id}\n"
            )
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
            if batch:
                self._write(batch)

    def _write(self, batch: list[logging.LogRecord | AccessEntry | threading.Event]) -> None:
        lines: list[str] = []
        done: list[threading.Event] = []
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
