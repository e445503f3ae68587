"""The demo server's seeded data and its command line (``python -m app.demo``)."""

from __future__ import annotations

import gc
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import phonenumbers
import pytest

from app.demo.database import DemoDatabase
from app.demo.server import DemoServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def collect_garbage_here() -> None:
    """Collect cyclic garbage left by earlier modules (Qt objects of their qasync loops
    included) on this thread, before a demo server thread could: Qt crashes when they die
    on another thread. The tests here make no Qt objects themselves."""
    gc.collect()


def all_contacts(db: DemoDatabase) -> list[dict[str, object]]:
    contacts, total = db.list_contacts(first_name=None, work_email=None, limit=1_000_000, offset=0)
    assert len(contacts) == total
    return contacts


def test_seeding_is_deterministic(tmp_path: Path) -> None:
    first = DemoDatabase(tmp_path / "a.sqlite3", seed=7, contacts=300)
    second = DemoDatabase(tmp_path / "b.sqlite3", seed=7, contacts=300)
    other = DemoDatabase(tmp_path / "c.sqlite3", seed=8, contacts=300)
    smaller = DemoDatabase(tmp_path / "d.sqlite3", seed=7, contacts=40)
    try:
        assert all_contacts(first) == all_contacts(second)
        assert all_contacts(first) != all_contacts(other)
        assert all_contacts(smaller) == all_contacts(first)[:40]
        assert first.list_texting_contacts(None) == second.list_texting_contacts(None)
        assert first.list_texting_contacts(None) == smaller.list_texting_contacts(None)
        assert first.conversation_ids() == second.conversation_ids()
        assert first.company() == second.company()
        assert first.api_key != second.api_key  # a secret per database, not per seed
        assert first.acting_user_id == second.acting_user_id
    finally:
        for db in (first, second, other, smaller):
            db.close()


def test_an_existing_database_is_reused_when_seeded_alike(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    db = DemoDatabase(path, seed=3, contacts=100)
    key = db.api_key
    added = db.add_contact({"first_name": "Kept"})
    db.close()
    reused = DemoDatabase(path, seed=3, contacts=100)
    assert reused.api_key == key
    assert reused.get_contact(str(added["id"])) == added
    reused.close()
    reseeded = DemoDatabase(path, seed=3, contacts=120)
    assert reseeded.api_key != key
    assert reseeded.get_contact(str(added["id"])) is None
    assert len(all_contacts(reseeded)) == 120
    reseeded.close()
    path.write_bytes(b"this is not a database")
    repaired = DemoDatabase(path, seed=3, contacts=10)
    assert len(all_contacts(repaired)) == 10
    repaired.close()


def test_ten_thousand_contacts_are_unique_and_plausible(tmp_path: Path) -> None:
    db = DemoDatabase(tmp_path / "big.sqlite3", seed=1, contacts=10_000)
    try:
        contacts = all_contacts(db)
    finally:
        db.close()
    assert [c["extension"]["number"] for c in contacts] == list(range(1001, 11001))  # type: ignore[index]
    emails = [c["contacts"]["email"] for c in contacts]  # type: ignore[index]
    assert len(set(emails)) == len(emails)
    numbers: list[str] = []
    for contact in contacts:
        phones = contact["contacts"]["phones"]  # type: ignore[index]
        numbers.extend(n for n in (phones["work"], phones["mobile"], phones["home"]) if n)
    assert len(set(numbers)) == len(numbers)
    for number in numbers[:: len(numbers) // 500]:
        parsed = phonenumbers.parse(number, "US")
        assert phonenumbers.is_possible_number(parsed)
        assert phonenumbers.region_code_for_number(parsed) == "US"
        assert number[5:8] == "555"


def test_the_company_texts_with_a_few_dozen_customers(tmp_path: Path) -> None:
    db = DemoDatabase(tmp_path / "demo.sqlite3", seed=1, contacts=10)
    try:
        conversations, total = db.list_conversations(limit=100, offset=0)
        assert 24 <= total <= 60
        directions = set()
        unread = 0
        for conversation in conversations:
            listed = db.list_messages(str(conversation["id"]), limit=100, offset=0)
            assert listed is not None
            messages, count = listed
            assert count >= 2
            directions |= {m["direction"] for m in messages}
            unread += int(conversation["countunreadmessages"])
        assert directions == {"inbound", "outbound"}
        assert unread > 0
    finally:
        db.close()


def test_a_port_in_use_fails_loudly(demo_server: DemoServer) -> None:
    with pytest.raises(OSError):
        DemoServer(port=demo_server.port, contacts=5).start()


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.demo", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str], signum: int) -> int:
    process.send_signal(signum)
    started = time.monotonic()
    try:
        code = process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert time.monotonic() - started < 3
    return code


def test_cli_prints_one_json_line_and_stops_on_sigterm(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    process = _spawn("--port", "0", "--json", "--no-traffic", "--contacts", "25", "--db", str(db))
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert set(info) == {"url", "api_key", "user_id", "user_email"}
        assert info["url"].startswith("http://127.0.0.1:")
        headers = {"Authorization": f"Bearer {info['api_key']}", "X-User-Id": info["user_id"]}
        company = httpx.get(f"{info['url']}/system/company", headers=headers, timeout=10)
        assert company.json()["employees"] == 25
        listed = httpx.get(
            f"{info['url']}/system/company/contacts",
            headers=headers,
            params={"work_email": info["user_email"]},
            timeout=10,
        )
        assert [c["id"] for c in listed.json()] == [info["user_id"]]
    finally:
        code = _finish(process, signal.SIGTERM)
    assert code == 0
    assert db.exists()


def test_cli_tells_a_person_how_to_connect(tmp_path: Path) -> None:
    process = _spawn("--port", "0", "--contacts", "5", "--traffic-interval", "2", "--db", str(tmp_path / "x"))
    lines: list[str] = []
    try:
        assert process.stdout is not None
        while not lines or not lines[-1].startswith("Ctrl-C"):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line.strip())
    finally:
        code = _finish(process, signal.SIGINT)
    assert code == 0
    text = "\n".join(lines)
    assert "listening on http://127.0.0.1:" in text
    assert "RINGDESK_API_KEY=" in text and "RINGDESK_USER_ID=" in text and "ringdesk --server" in text


def test_cli_rejects_bad_arguments() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.demo", "--contacts", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "--contacts" in result.stderr
