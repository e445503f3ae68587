"""Search-as-you-type speed over the contact cache at 100,000 and 1,000,000 contacts.

    /tmp/venv/bin/python -m tests.benchmarks.bench_search [--contacts 100000 1000000]
        [--runs 200] [--naive-keystrokes 3] [--rebuild]

Builds (once; cached under /tmp/ringdesk-bench-search/) a cache per size of realistic
contacts, each with a work, a mobile and a home number and an e-mail, written through
``upsert_contacts`` in sync-sized transactions, and reports how long building and indexing
took and the file size. Then, in a fresh process per size (so the build's garbage does not
count), times ``search_contacts(conn, query, 0, 60)`` on a warm connection for each kind of
query and prints p50/p95/max, with the process RSS after the run.

The naive baseline, also in a fresh process: every contact's name, company, e-mail and number
text in a ``QStandardItemModel`` under a ``QSortFilterProxyModel`` (offscreen Qt) filtering on
all columns with a case-insensitive fixed string; per keystroke, the time to apply the filter.
At 1,000,000 only a few keystrokes are timed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

CACHE_DIR = Path("/tmp/ringdesk-bench-search")
BATCH = 20_000
BUILD_CACHE_MB = 1_000  # SQLite's page cache while building (the app keeps the 2 MB default)
SEED = 4
PREFIXES = ("j", "jo", "joh", "john")

_COMPANY_HEADS = (
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Litware",
    "Adventure",
    "Proseware",
    "Lucerne",
    "Humongous",
    "Coho",
    "Alpine",
    "Blue Yonder",
    "Fourth Coffee",
    "Margie's",
    "Trey",
    "Woodgrove",
    "Graphic",
    "Southridge",
    "Wide World",
    "Consolidated",
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Cyberdyne",
    "Soylent",
    "Vandelay",
    "Hooli",
    "Pied Piper",
    "Dunder",
    "Sterling",
    "Massive",
    "Oceanic",
    "Virtucon",
    "Gringotts",
)
_COMPANY_TAILS = (
    "Traders",
    "Logistics",
    "Industries",
    "Labs",
    "Systems",
    "Partners",
    "Holdings",
    "Insurance",
    "Airlines",
    "Bank",
    "Health",
    "Foods",
    "Energy",
    "Media",
    "Software",
    "Consulting",
    "Manufacturing",
    "Realty",
    "Telecom",
    "Pharmaceuticals",
    "Retail",
    "Motors",
)
_DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "corp.example")
_AREA_CODES = (
    "201", "206", "212", "213", "303", "305", "312", "404", "415", "469", "503", "512",
    "602", "617", "619", "646", "702", "713", "718", "773", "805", "818", "858", "917",
)  # fmt: skip


def generate(count: int, start: int = 0) -> Iterator[object]:
    """``count`` realistic contacts, reproducibly (numbered from ``start``)."""
    from app.demo.wordlists import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES
    from app.domain.contacts import Contact, PhoneKind, PhoneNumber

    first_names = FEMALE_FIRST_NAMES + MALE_FIRST_NAMES
    companies = [f"{h} {t}" for h in _COMPANY_HEADS for t in _COMPANY_TAILS]
    rng = random.Random(SEED * 1_000_003 + start)

    def number() -> tuple[str, str]:
        area, exchange, line = rng.choice(_AREA_CODES), rng.randint(200, 999), rng.randint(0, 9999)
        return f"+1{area}{exchange}{line:04d}", f"({area}) {exchange}-{line:04d}"

    for i in range(start, start + count):
        first, last = rng.choice(first_names), rng.choice(LAST_NAMES)
        company = rng.choice(companies)
        domain = company.split()[0].lower().replace("'", "") + ".example" if rng.random() < 0.6 else ""
        email = f"{first.lower()}.{last.lower()}@{domain or rng.choice(_DOMAINS)}"
        phones = [PhoneNumber(kind, *number()) for kind in (PhoneKind.WORK, PhoneKind.MOBILE, PhoneKind.HOME)]
        yield Contact(
            "bench", f"c{i}", first, last, company=company, title="", emails=(email,), phones=tuple(phones)
        )


def cache_path(count: int) -> Path:
    return CACHE_DIR / f"contacts-{count}.sqlite3"


def build(count: int, rebuild: bool) -> dict[str, float]:
    """Create the cache of ``count`` contacts unless it is there; returns its build figures."""
    from app.store import contacts as rows
    from app.store.database import connect
    from app.store.schema import SCHEMA_VERSION

    path = cache_path(count)
    meta_path = path.with_suffix(".json")
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("schema") == SCHEMA_VERSION:
            return dict(meta["figures"])
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    for stale in CACHE_DIR.glob(path.name + "*"):
        stale.unlink()
    conn = connect(path)
    conn.execute(f"PRAGMA cache_size = -{BUILD_CACHE_MB * 1000}")
    started = time.perf_counter()
    generating = 0.0
    generation = rows.begin_sync(conn, "bench")
    for start in range(0, count, BATCH):
        t0 = time.perf_counter()
        batch = list(generate(min(BATCH, count - start), start))
        generating += time.perf_counter() - t0
        rows.upsert_contacts(conn, batch, generation)
        if start and start % (BATCH * 10) == 0:
            done = time.perf_counter() - started - generating
            print(f"  {start:>9,} written, {done:6.1f} s", file=sys.stderr, flush=True)
    rows.finish_sync(conn, "bench", generation)
    while rows.index_backlog_step(conn):  # as ContactBook.update_search_index does after a sync
        pass
    writing = time.perf_counter() - started - generating
    t0 = time.perf_counter()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint = time.perf_counter() - t0
    conn.close()
    figures = {
        "write_s": writing,
        "checkpoint_s": checkpoint,
        "generate_s": generating,
        "size_mb": path.stat().st_size / 1e6,
    }
    meta_path.write_text(json.dumps({"schema": SCHEMA_VERSION, "figures": figures}))
    return figures


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _digit_runs(conn: object, length: int, n: int, rng: random.Random) -> list[str]:
    import sqlite3

    assert isinstance(conn, sqlite3.Connection)
    (top,) = conn.execute("SELECT max(id) FROM contacts").fetchone()
    runs = []
    while len(runs) < n:
        row = conn.execute(
            "SELECT number FROM contact_numbers WHERE contact_id = ? LIMIT 1", (rng.randint(1, top),)
        ).fetchone()
        if row:
            digits = row[0].lstrip("+")
            at = rng.randint(0, len(digits) - length)
            runs.append(digits[at : at + length])
    return runs


def measure_search(count: int, runs: int) -> dict[str, object]:
    """In this (fresh) process: time each query kind against the cache of ``count``."""
    from app.store.database import connect
    from app.store.search import search_contacts

    conn = connect(cache_path(count))
    rng = random.Random(7)
    kinds: dict[str, list[str]] = {q: [q] for q in PREFIXES}
    kinds["company substring"] = ["logist", "gistics", "ndustr", "yonder", "armac", "elecom"]
    for length in (4, 5, 6, 7):
        kinds[f"{length} digits"] = _digit_runs(conn, length, 40, rng)
    kinds["(555) 123-4 style"] = [f"({r[:3]}) {r[3:6]}-{r[6]}" for r in _digit_runs(conn, 7, 40, rng)]
    kinds["T9 5646"] = ["5646"]
    kinds["2 words 'jo sm'"] = ["jo sm"]
    kinds["no match 'qxzv'"] = ["qxzv"]
    kinds["rare 1 char 'x'"] = ["x"]
    kinds["empty (whole book)"] = [""]
    for queries in kinds.values():  # warm the connection and the OS page cache
        for q in queries:
            search_contacts(conn, q, 0, 60)
    results: dict[str, object] = {}
    for kind, queries in kinds.items():
        times = []
        cpu = []
        hits = 0
        for i in range(runs):
            q = queries[i % len(queries)]
            c0 = time.thread_time()
            t0 = time.perf_counter()
            found = search_contacts(conn, q, 0, 60)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
            hits += len(found)
        results[kind] = _stats(times) | {"rows": hits / runs, "cpu_p95": _stats(cpu)["p95"]}
    # paging deeper into a big result set, as a scrolled list asks
    for label, query, offset in (
        ("'j' page at 6,000", "j", 6_000),
        ("'logist' page at 3,000", "logist", 3_000),
    ):
        times = []
        for _ in range(max(20, runs // 4)):
            t0 = time.perf_counter()
            found = search_contacts(conn, query, offset, 100)
            times.append((time.perf_counter() - t0) * 1000)
        results[label] = _stats(times) | {"rows": len(found), "cpu_p95": float("nan")}
    conn.close()
    return {"kinds": results, "rss_mb": rss_mb()}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _stats(times_ms: list[float]) -> dict[str, float]:
    ordered = sorted(times_ms)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max": ordered[-1],
    }


def measure_naive(count: int, keystrokes: int) -> dict[str, object]:
    """In this (fresh) process: the QSortFilterProxyModel baseline over all rows."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication

    from app.store.database import connect

    app = QApplication.instance() or QApplication([])
    conn = connect(cache_path(count))
    t0 = time.perf_counter()
    model = QStandardItemModel(0, 4)
    for first, last, company, emails, phones in conn.execute(
        "SELECT first_name, last_name, company, emails, phones FROM contacts ORDER BY sort_key, id"
    ):
        numbers = " ".join(display for _kind, _number, display in json.loads(phones))
        model.appendRow(
            [
                QStandardItem(f"{first} {last}"),
                QStandardItem(company),
                QStandardItem(" ".join(json.loads(emails))),
                QStandardItem(numbers),
            ]
        )
    load_s = time.perf_counter() - t0
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    typed = ["j", "jo", "joh", "john", "logist", "5551"][:keystrokes]
    times = []
    for text in typed:
        t0 = time.perf_counter()
        proxy.setFilterFixedString(text)
        proxy.rowCount()
        times.append((time.perf_counter() - t0) * 1000)
        proxy.setFilterFixedString("")
    del app
    return {"keystrokes": dict(zip(typed, times, strict=True)), "load_s": load_s, "rss_mb": rss_mb()}


def _child(mode: str, count: int, extra: int) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_search", "--child", mode, str(count), str(extra)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, object] = json.loads(output.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--naive-keystrokes", type=int, default=0, help="0: all at 100k, 3 at 1M")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        mode, count, extra = options.child
        fn = measure_search if mode == "search" else measure_naive
        print(json.dumps(fn(int(count), int(extra))))
        return

    import sqlite3

    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    reports = {}
    for count in options.contacts:
        print(f"\n== {count:,} contacts ({cache_path(count)})", flush=True)
        figures = build(count, options.rebuild)
        print(
            f"build: {figures['write_s']:.1f} s writing through upsert_contacts ({BATCH:,} per transaction, "
            f"{count / figures['write_s']:,.0f} contacts/s) + {figures['checkpoint_s']:.1f} s checkpoint; "
            f"file {figures['size_mb']:.0f} MB",
            flush=True,
        )
        print(f"load average before measuring: {_load()}", flush=True)
        search = _child("search", count, options.runs)
        keystrokes = options.naive_keystrokes or (6 if count <= 200_000 else 3)
        naive = _child("naive", count, keystrokes)
        reports[count] = (search, naive)
        _print_report(count, search, naive)


def _print_report(count: int, search: dict[str, object], naive: dict[str, object]) -> None:
    kinds = search["kinds"]
    assert isinstance(kinds, dict)
    print(f"\nsearch_contacts(query, offset=0, limit=60), ms  [{count:,} contacts]")
    print(f"{'query':<26}{'p50':>8}{'p95':>8}{'max':>8}{'rows':>7}{'CPU p95':>9}")
    for kind, s in kinds.items():
        print(
            f"{kind:<26}{s['p50']:>8.2f}{s['p95']:>8.2f}{s['max']:>8.2f}{s['rows']:>7.0f}{s['cpu_p95']:>9.2f}"
        )
    print(f"(wall-clock ms; CPU p95 is the search thread's own CPU time; load average {_load()})")
    print(f"process RSS after the searches: {search['rss_mb']:.0f} MB")
    strokes = naive["keystrokes"]
    assert isinstance(strokes, dict)
    print(
        f"\nnaive QSortFilterProxyModel over all rows [{count:,}]: model load {naive['load_s']:.1f} s, "
        f"RSS {naive['rss_mb']:.0f} MB"
    )
    print(f"{'keystroke':<26}{'naive ms':>10}{'index p50':>11}{'ratio':>9}")
    for text, ms in strokes.items():
        ours = kinds.get(text) or kinds.get("company substring" if text.isalpha() else "4 digits")
        assert isinstance(ours, dict)
        print(f"{text!r:<26}{ms:>10.0f}{ours['p50']:>11.2f}{ms / ours['p50']:>8.0f}x")


if __name__ == "__main__":
    main()
