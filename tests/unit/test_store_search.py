"""Contact search over the cache's FTS5 index, on a real SQLite file."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.store import contacts as rows
from app.store import search
from app.store.contacts import search_document
from app.store.database import connect
from app.store.schema import MIGRATIONS, SCHEMA_VERSION
from app.store.search import search_contacts


def contact(
    source_id: str,
    first: str,
    last: str = "",
    *,
    company: str = "",
    emails: tuple[str, ...] = (),
    numbers: tuple[tuple[str, str], ...] = (),
    extension: str = "",
    source: str = "ringplan",
) -> Contact:
    phones = tuple(PhoneNumber(PhoneKind.WORK, e164, shown) for e164, shown in numbers)
    if extension:
        phones += (PhoneNumber(PhoneKind.EXTENSION, extension),)
    return Contact(
        source,
        source_id,
        first,
        last,
        company=company,
        emails=emails,
        phones=phones,
        extension=extension,
    )


def sync(conn: sqlite3.Connection, contacts: list[Contact], source: str = "ringplan") -> int:
    generation = rows.begin_sync(conn, source)
    rows.upsert_contacts(conn, contacts, generation)
    return rows.finish_sync(conn, source, generation)


def names(conn: sqlite3.Connection, query: str, offset: int = 0, limit: int = 100) -> list[str]:
    return [s.contact.display_name for s in search_contacts(conn, query, offset, limit)]


def assert_index_consistent(conn: sqlite3.Connection) -> None:
    """Search keys sort like the book, and both FTS tables hold exactly the contacts' keys."""
    rows.flush_search_index(conn)
    by_book = [k for (k,) in conn.execute("SELECT search_key FROM contacts ORDER BY sort_key, id")]
    assert None not in by_book
    assert by_book == sorted(by_book)
    assert len(set(by_book)) == len(by_book)
    for table in ("contact_search", "contact_search_text"):
        assert [k for (k,) in conn.execute(f"SELECT rowid FROM {table} ORDER BY rowid")] == sorted(by_book)
    for key, first, last, company, emails, phones, ext in conn.execute(
        "SELECT search_key, first_name, last_name, company, emails, phones, extension FROM contacts"
    ):
        document = search_document(
            first, last, company, json.loads(emails), rows._phones_from_json(phones), ext
        )
        indexed = conn.execute(
            "SELECT n.starts, n.t9_pairs, n.name, n.digits, n.digit_pairs, d.company, d.emails "
            "FROM contact_search n, contact_search_text d WHERE n.rowid = ? AND d.rowid = ?",
            (key, key),
        ).fetchone()
        assert indexed == document


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return connect(tmp_path / "cache.sqlite3")


@pytest.fixture
def book(conn: sqlite3.Connection) -> sqlite3.Connection:
    sync(
        conn,
        [
            contact(
                "1",
                "John",
                "Smith",
                company="Acme Logistics",
                emails=("jsmith@acme.example",),
                numbers=(("+15551234567", "(555) 123-4567"),),
                extension="1042",
            ),
            contact("2", "Ann", "Johnson", company="Zeta Labs", emails=("ann@zeta.example",)),
            contact("3", "Bob", "Stjohns", company="Northwind"),
            contact("4", "Carla", "Diaz", company="Johnny Rockets", emails=("carla@rockets.example",)),
            contact("5", "Dana", "Reyes", emails=("dana.johnson@mail.example",)),
            contact("6", "Zoë", "O'Hara", company="Acme Logistics"),
            contact(
                "7",
                "Eve",
                "Long",
                numbers=(("+442079460958", "020 7946 0958"), ("+16195550101", "(619) 555-0101")),
            ),
            contact("8", "johanna", "Berg"),
        ],
    )
    return conn


def test_name_prefixes_come_first_then_other_names_then_details(book: sqlite3.Connection) -> None:
    assert names(book, "john") == [
        # first or last name starts with it, alphabetical
        "Ann Johnson",
        "John Smith",
        # the name holds it elsewhere
        "Bob Stjohns",
        # company, e-mail
        "Carla Diaz",
        "Dana Reyes",
    ]


def test_prefix_of_first_or_last_name_in_any_case(book: sqlite3.Connection) -> None:
    assert names(book, "JOH") == [
        "Ann Johnson",
        "johanna Berg",
        "John Smith",
        "Bob Stjohns",
        "Carla Diaz",
        "Dana Reyes",
    ]
    assert names(book, "smi") == ["John Smith"]
    assert names(book, "Berg") == ["johanna Berg"]


def test_one_and_two_characters_match_name_prefixes_only(book: sqlite3.Connection) -> None:
    assert names(book, "j") == ["Ann Johnson", "johanna Berg", "John Smith"]
    assert names(book, "jo") == ["Ann Johnson", "johanna Berg", "John Smith"]
    assert names(book, "z") == ["Zoë O'Hara"]
    assert names(book, "oh") == []  # inside a word: needs three characters


def test_several_words_each_start_a_name_word(book: sqlite3.Connection) -> None:
    assert names(book, "jo sm") == ["John Smith"]
    assert names(book, "smith j") == ["John Smith"]
    assert names(book, "o'ha") == ["Zoë O'Hara"]
    assert names(book, "jo xy") == []


def test_accents_and_case_do_not_matter(book: sqlite3.Connection) -> None:
    assert names(book, "zoe") == ["Zoë O'Hara"]
    assert names(book, "ZOË o'h") == ["Zoë O'Hara"]


def test_company_and_email_substrings(book: sqlite3.Connection) -> None:
    assert names(book, "logist") == ["John Smith", "Zoë O'Hara"]
    assert names(book, "ocket") == ["Carla Diaz"]
    assert names(book, "zeta.exa") == ["Ann Johnson"]
    assert names(book, "@mail") == ["Dana Reyes"]


@pytest.mark.parametrize(
    "query",
    [
        "5551234",
        "(555) 123-4",
        "555-123-4567",
        "555.123.4567",
        "+1 555 123 4567",
        "15551234567",
        "1234567",
        "4567",
        " 23 45 ",
    ],
)
def test_any_run_of_digits_in_any_formatting(book: sqlite3.Connection, query: str) -> None:
    assert names(book, query) == ["John Smith"]


def test_national_digits_with_a_trunk_prefix_and_extensions(book: sqlite3.Connection) -> None:
    assert names(book, "020 7946") == ["Eve Long"]  # UK national format, not in the E.164 digits
    assert names(book, "+44 20 7946 0958") == ["Eve Long"]
    assert names(book, "1042") == ["John Smith"]
    assert names(book, "555") == ["Eve Long", "John Smith"]


def test_dial_pad_digits_find_names(book: sqlite3.Connection) -> None:
    assert names(book, "5646") == ["Ann Johnson", "John Smith"]  # j-o-h-n
    assert names(book, "5646764") == ["John Smith"]  # john smi..., not johnson
    assert names(book, "76484") == ["John Smith"]  # smith
    assert names(book, "963") == ["Zoë O'Hara"]  # zoë
    assert names(book, "5") == ["Ann Johnson", "Eve Long", "johanna Berg", "John Smith"]  # j k l


def test_dial_pad_matches_rank_before_number_matches(conn: sqlite3.Connection) -> None:
    sync(
        conn,
        [
            contact("1", "Aaron", "Numbers", numbers=(("+15556464444", "(555) 646-4444"),)),
            contact("2", "Zack", "Johnson"),
        ],
    )
    assert names(conn, "5646") == ["Zack Johnson", "Aaron Numbers"]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        'a"b',
        "*",
        "jo*",
        "-",
        "-john",
        "NEAR",
        "NEAR(john smith)",
        "john OR smith",
        "john AND",
        "NOT john",
        "(",
        ")",
        ":",
        "name:john",
        "{name}: x",
        "^john",
        "+",
        "'",
        "\\",
        "\x00",
        "||j",
        "|| 5646",
        "☎️ 555",
        "ジョン",
        "a" * 2000,
        "5" * 500,
        "٣٤٥",
        "\uff15\uff16\uff14\uff16",  # full-width 5646
    ],
)
def test_query_syntax_in_user_text_never_raises(book: sqlite3.Connection, query: str) -> None:
    search_contacts(book, query, 0, 60)
    search_contacts(book, query, 60, 60)


def test_a_query_with_nothing_to_match_finds_nothing(book: sqlite3.Connection) -> None:
    for query in ("*", "-", "()", '"', "+", "--", "."):
        assert names(book, query) == [], query


def test_special_characters_are_matched_as_text(book: sqlite3.Connection) -> None:
    assert names(book, "jo*") == names(book, "jo")
    assert names(book, "name:john") == []
    assert names(book, "-john")[:2] == ["Ann Johnson", "John Smith"]


def test_empty_query_lists_the_book(book: sqlite3.Connection) -> None:
    everyone = [s.contact.display_name for s in rows.contacts_page(book, 0, 100)]
    assert names(book, "") == everyone
    assert names(book, "   ") == everyone
    assert names(book, "", 2, 3) == everyone[2:5]


def test_pages_join_up_into_the_whole_result(conn: sqlite3.Connection) -> None:
    rng = random.Random(3)
    firsts = ["Jo", "John", "Joan", "Anna", "Marjorie", "Bojan", "Kim", "Zed"]
    lasts = ["Johns", "Smith", "Ajona", "Lee", "Majors"]
    companies = ["Jolly Co", "Acme", "Banjo Labs", ""]
    people = [
        contact(
            str(i),
            rng.choice(firsts),
            rng.choice(lasts),
            company=rng.choice(companies),
            emails=(f"p{i}@{rng.choice(['jo.example', 'x.example'])}",),
            numbers=((f"+1555{rng.randrange(10**7):07d}", ""),),
        )
        for i in range(400)
    ]
    sync(conn, people)
    for query in ("jo", "jo s", "ajo", "555", "bo", ""):
        whole = [s.row_id for s in search_contacts(conn, query, 0, 10_000)]
        assert len(set(whole)) == len(whole)
        for size in (1, 7, 60, 100):
            paged: list[int] = []
            while True:
                page = search_contacts(conn, query, len(paged), size)
                paged += [s.row_id for s in page]
                if len(page) < size:
                    break
            assert paged == whole, (query, size)
        assert search_contacts(conn, query, len(whole), 10) == []
    # tiers span pages: "jo" has prefix matches, then other name matches, then details
    kinds = [s.contact for s in search_contacts(conn, "jo", 0, 10_000)]
    assert any("jo" in c.company.lower() or "jo." in c.emails[0] for c in kinds[-5:])


def test_renamed_contact_is_found_by_its_new_name_only(book: sqlite3.Connection) -> None:
    sync(
        book,
        [contact("1", "Jonathan", "Smythe", company="Acme Logistics")]
        + [contact(str(i), f"Person{i}") for i in range(2, 4)],
    )
    assert names(book, "smith") == []
    assert names(book, "smyth") == ["Jonathan Smythe"]
    assert names(book, "5551234") == []  # the number went
    assert names(book, "johnson") == []  # removed by the resync
    assert_index_consistent(book)


def test_changed_number_and_company_are_reindexed(book: sqlite3.Connection) -> None:
    rows.upsert_contacts(
        book,
        [contact("2", "Ann", "Johnson", company="Omega", numbers=(("+13125550199", "(312) 555-0199"),))],
    )
    assert names(book, "zeta") == []
    assert names(book, "omeg") == ["Ann Johnson"]
    assert names(book, "3125550") == ["Ann Johnson"]
    assert_index_consistent(book)


def test_removed_contacts_leave_the_index(book: sqlite3.Connection) -> None:
    assert rows.delete_contact(book, "ringplan", "1")
    assert not rows.delete_contact(book, "ringplan", "1")
    assert names(book, "smith") == []
    assert names(book, "5551234") == []
    # deleted by other code straight in SQL: a trigger keeps the index right
    book.execute("DELETE FROM contacts WHERE source_id = '2'")
    assert names(book, "johnson") == ["Dana Reyes"]
    assert_index_consistent(book)


def test_a_refresh_that_changes_nothing_keeps_the_index(book: sqlite3.Connection) -> None:
    before = book.execute("SELECT id, search_key FROM contacts ORDER BY id").fetchall()
    people = [s.contact for s in rows.contacts_page(book, 0, 100)]
    sync(book, people)
    assert book.execute("SELECT id, search_key FROM contacts ORDER BY id").fetchall() == before
    assert names(book, "john")[:2] == ["Ann Johnson", "John Smith"]
    assert_index_consistent(book)


def test_search_keys_follow_the_book_through_crowded_inserts(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    spreads: list[int] = []
    spread = rows._spread
    monkeypatch.setattr(rows, "_spread", lambda *args: spreads.append(1) or spread(*args))
    sync(conn, [contact("a", "Aaron"), contact("z", "Zed")])
    generation = rows.begin_sync(conn, "ringplan")
    # One at a time into one gap, each indexed at once: the gap halves until keys are spread.
    for i in range(60):
        rows.upsert_contacts(conn, [contact(f"m{i}", f"Mid{i:03d}")], generation)
        rows.flush_search_index(conn)
    for i in range(60):  # the other way round
        rows.upsert_contacts(conn, [contact(f"n{i}", f"Mid{59 - i:03d}x")], generation)
        rows.flush_search_index(conn)
    for i in range(60):  # the same name again and again: each one after the last
        rows.upsert_contacts(conn, [contact(f"s{i}", "Same", "Name")], generation)
        rows.flush_search_index(conn)
    assert spreads
    rng = random.Random(5)
    batch = [contact(f"r{i}", rng.choice(["Ann", "Bo", "Mid050", "Zed"]), str(i)) for i in range(300)]
    rows.upsert_contacts(conn, batch, generation)
    rows.upsert_contacts(conn, [contact("a", "Mid050"), contact("z", "Aaron")], generation)  # renames
    assert_index_consistent(conn)
    book_order = [s.contact.display_name for s in rows.contacts_page(conn, 0, 10_000)]
    assert names(conn, "mid05", 0, 10_000) == [n for n in book_order if n.startswith("Mid05")]
    assert names(conn, "same") == ["Same Name"] * 60
    rows.rebuild_search_index(conn)
    assert_index_consistent(conn)


def test_a_book_arriving_in_order_or_at_random_keeps_its_keys_in_order(conn: sqlite3.Connection) -> None:
    people = [contact(str(i), f"N{i:05d}") for i in range(3000)]
    generation = rows.begin_sync(conn, "ringplan")
    for start in range(0, 1500, 100):  # alphabetical pages, then the rest shuffled
        rows.upsert_contacts(conn, people[start : start + 100], generation)
    rest = people[1500:]
    random.Random(2).shuffle(rest)
    for start in range(0, len(rest), 100):
        rows.upsert_contacts(conn, rest[start : start + 100], generation)
    rows.finish_sync(conn, "ringplan", generation)
    assert_index_consistent(conn)
    assert names(conn, "n0299", 0, 5) == ["N02990", "N02991", "N02992", "N02993", "N02994"]


def test_favorites_are_joined_onto_pages_and_results(book: sqlite3.Connection) -> None:
    book.execute("INSERT INTO favorites (source, source_id, position) VALUES ('ringplan', '1', 0)")
    book.execute("INSERT INTO favorites (source, source_id, position) VALUES ('other', '2', 1)")
    page = {s.contact.source_id: s.is_favorite for s in rows.contacts_page(book, 0, 100)}
    assert page["1"] and not page["2"]
    found = {s.contact.source_id: s.is_favorite for s in search_contacts(book, "john", 0, 100)}
    assert found == {"1": True, "2": False, "3": False, "4": False, "5": False}


def test_a_version_1_cache_with_contacts_becomes_searchable(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    phones = json.dumps([["work", "+15551234567", "(555) 123-4567"]])
    raw.executemany(
        "INSERT INTO contacts (source, source_id, first_name, last_name, company, emails, phones, "
        "sort_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("ringplan", "1", "John", "Smith", "Acme", '["j@acme.example"]', phones, "john smith"),
            ("ringplan", "2", "Ann", "Lee", "", "[]", "[]", "ann lee"),
        ],
    )
    raw.execute("INSERT INTO contact_numbers VALUES (1, '+15551234567', 'work')")
    raw.close()

    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert names(conn, "john") == ["John Smith"]
    assert names(conn, "(555) 123") == ["John Smith"]
    assert names(conn, "acm") == ["John Smith"]
    assert names(conn, "") == ["Ann Lee", "John Smith"]
    assert_index_consistent(conn)
    assert conn.execute("SELECT count(*) FROM favorites").fetchone()[0] == 0
    rows.upsert_contacts(conn, [contact("3", "Bea", "Ng")])
    assert names(conn, "bea") == ["Bea Ng"]


def test_a_failed_migration_leaves_the_old_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.store import schema

    path = tmp_path / "cache.sqlite3"
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
    raw.close()

    def broken(conn: sqlite3.Connection) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(schema.BACKFILLS, 2, broken)
    with pytest.raises(RuntimeError):
        connect(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'favorites'").fetchone()[0] == 0
    raw.close()


def test_index_changes_wait_in_the_backlog_until_a_search(conn: sqlite3.Connection) -> None:
    rows.upsert_contacts(conn, [contact("1", "John", "Smith")])
    assert conn.execute("SELECT count(*) FROM search_backlog").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM contact_search").fetchone()[0] == 0
    assert names(conn, "smith") == ["John Smith"]  # the search brought the index up to date
    assert conn.execute("SELECT count(*) FROM search_backlog").fetchone()[0] == 0
    assert not rows.flush_search_index(conn)


def test_a_sync_leaves_the_index_to_steps_taken_in_search_key_order(conn: sqlite3.Connection) -> None:
    generation = rows.begin_sync(conn, "ringplan")
    for page in range(7):
        rows.upsert_contacts(
            conn, [contact(f"{page}-{i}", f"P{6 - page}", f"N{i:02d}") for i in range(20)], generation
        )
    rows.finish_sync(conn, "ringplan", generation)
    assert conn.execute("SELECT count(*) FROM contact_search").fetchone()[0] == 0
    steps = 0
    while rows.index_backlog_step(conn, limit=50):
        steps += 1
        indexed = [key for (key,) in conn.execute("SELECT rowid FROM contact_search ORDER BY rowid")]
        first_keys = [
            key
            for (key,) in conn.execute(
                "SELECT search_key FROM contacts ORDER BY search_key LIMIT ?", (len(indexed),)
            )
        ]
        assert indexed == first_keys  # each step continues where the last one stopped
    assert steps == 2
    assert conn.execute("SELECT count(*) FROM search_backlog").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM contact_search").fetchone()[0] == 140
    assert_index_consistent(conn)


def test_while_a_big_first_sync_waits_for_its_index_searches_scan_the_contacts(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows, "SEARCH_FLUSH_LIMIT", 10)
    monkeypatch.setattr(search, "SEARCH_FLUSH_LIMIT", 10)
    generation = rows.begin_sync(conn, "ringplan")
    people = [contact(str(i), f"Ann{i:02d}", "Lee", numbers=((f"+1415555{i:04d}", ""),)) for i in range(30)]
    rows.upsert_contacts(conn, [*people, contact("x", "Zed", "Smith", company="Acme_Labs")], generation)
    assert names(conn, "ann0") == [f"Ann0{i} Lee" for i in range(10)]
    assert names(conn, "5550012") == ["Ann12 Lee"]
    assert names(conn, "acme_") == ["Zed Smith"]  # LIKE wildcards in the query are literal
    assert names(conn, "acme%") == []
    assert conn.execute("SELECT count(*) FROM contact_search").fetchone()[0] == 0  # not flushed
    rows.finish_sync(conn, "ringplan", generation)
    while rows.index_backlog_step(conn, limit=7):
        pass
    assert names(conn, "ann0") == [f"Ann0{i} Lee" for i in range(10)]
    assert_index_consistent(conn)


def test_contacts_renamed_and_removed_while_waiting_in_the_backlog(conn: sqlite3.Connection) -> None:
    sync(conn, [contact(str(i), "Ann", f"Lee{i}") for i in range(5)])
    rows.upsert_contacts(conn, [contact("1", "Zed", "Lee1"), contact("9", "Ann", "Lee9")])
    rows.delete_contact(conn, "ringplan", "2")
    conn.execute("DELETE FROM contacts WHERE source_id = '9'")
    assert names(conn, "ann") == ["Ann Lee0", "Ann Lee3", "Ann Lee4"]
    assert names(conn, "zed") == ["Zed Lee1"]
    assert_index_consistent(conn)


def test_every_run_of_three_or_more_digits_at_any_position_finds_the_number(conn: sqlite3.Connection) -> None:
    digits = "14155550123"
    sync(
        conn,
        [
            contact("1", "Target", numbers=((f"+{digits}", "(415) 555-0123"),), extension="70"),
            contact("2", "Other", numbers=(("+19998887766", "(999) 888-7766"),)),
        ],
    )
    for length in range(3, len(digits) + 1):
        for start in range(len(digits) - length + 1):
            run = digits[start : start + length]
            assert names(conn, run) == ["Target"], run
    for miss in ("41555501234", "5550124", "155551", "55141", "01230"):
        assert "Target" not in names(conn, miss), miss
