"""TCP proxies for fault tests, each on its own event loop in its own thread.

The in-process test client runs the app on another loop and blocks the test's loop while a request is in flight,
so a proxy on the test's loop would never forward the app's traffic: each proxy gets a loop of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from tests.contract.snapshot_store.proxy import CuttableProxy


class StallingProxy(CuttableProxy):
    """A ``CuttableProxy`` that can also stall: connections stay open but nothing is forwarded (a hung backend)."""

    stalled = False

    def stall(self) -> None:
        self.stalled = True

    def restore(self) -> None:
        super().restore()
        self.stalled = False

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                if self.stalled:
                    continue  # swallowed: the peer waits for an answer that never comes, until its timeout
                writer.write(data)
                await writer.drain()
        writer.close()
        self._writers.discard(writer)


class ProxyThread:
    """Runs a ``StallingProxy`` to ``host:port`` in a daemon thread; ``cut``/``stall``/``restore`` are thread-safe."""

    def __init__(self, host: str, port: int) -> None:
        self.proxy = StallingProxy(host, port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"proxy-{port}", daemon=True)

    @property
    def port(self) -> int:
        return self.proxy.port

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self._loop).result(timeout=5)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def cut(self) -> None:
        self._run(self.proxy.cut)

    def stall(self) -> None:
        self._run(self.proxy.stall)

    def restore(self) -> None:
        self._run(self.proxy.restore)

    def _run(self, action: Callable[[], None]) -> None:
        done = threading.Event()

        def run() -> None:
            try:
                action()
            finally:
                done.set()

        self._loop.call_soon_threadsafe(run)
        assert done.wait(timeout=5)
