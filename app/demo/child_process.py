"""Runs the embedded demo server as a child process, so it never competes with the UI loop."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from app.domain.account import Credentials

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0


class DemoServerFailed(RuntimeError):
    """The demo server did not start."""


@dataclass(frozen=True, slots=True)
class RunningDemo:
    url: str
    credentials: Credentials
    process: asyncio.subprocess.Process

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout=5)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


async def start_demo_server(db_path: Path, *, contacts: int, traffic: bool) -> RunningDemo:
    """Start ``python -m app.demo`` on a free loopback port and wait until it listens."""
    args = [
        sys.executable,
        "-m",
        "app.demo",
        "--port",
        "0",
        "--json",
        "--db",
        str(db_path),
        "--contacts",
        str(contacts),
        "--traffic" if traffic else "--no-traffic",
    ]
    process = await asyncio.create_subprocess_exec(
        *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=START_TIMEOUT)
        info = json.loads(line)
        demo = RunningDemo(
            url=str(info["url"]),
            credentials=Credentials(
                api_key=str(info["api_key"]),
                user_id=str(info["user_id"]),
                user_email=str(info["user_email"]),
            ),
            process=process,
        )
    except (TimeoutError, ValueError, KeyError) as exc:
        if process.returncode is None:
            process.kill()
        await process.wait()
        raise DemoServerFailed(
            f"the demo server did not start ({exc or type(exc).__name__})"
        ) from None
    log.info("demo server %s running as pid %d", demo.url, process.pid)
    return demo
