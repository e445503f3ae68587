"""The contact editor on real widgets over a real cache: inline validation, Save only when
valid, create and edit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.contacts import Contact, PhoneKind, PhoneNumber
from app.domain.events import ContactsChanged
from app.services.event_bus import EventBus
from app.services.personal_contacts import ContactDraft, PersonalContacts
from app.store import contacts as contact_rows
from app.store.database import Store
from ui.contact_editor import REVEAL_AFTER_MS, ContactEditorDialog


@pytest.fixture(autouse=True)
def app_stays_up(qapp: QApplication) -> Iterator[None]:
    """As in RingDesk (it lives on in the tray): closing the last window (this dialog) must
    not quit the application, which would stop the test's qasync loop."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


@pytest.fixture
async def personal(tmp_path: Path) -> AsyncIterator[PersonalContacts]:
    store = Store(tmp_path / "cache.sqlite3")
    yield PersonalContacts(store, EventBus())
    store.close()


async def until(predicate: Callable[[], object], within: float = 5.0) -> None:
    """Let the event loop run (tasks included) until ``predicate()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.01)


def open_editor(
    qtbot: QtBot, personal: PersonalContacts, contact: Contact | None = None
) -> ContactEditorDialog:
    dialog = ContactEditorDialog(personal, contact)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


async def test_a_new_contact_can_be_saved_only_once_it_is_valid(
    qtbot: QtBot, personal: PersonalContacts
) -> None:
    changes: list[int] = []
    personal.bus.subscribe(ContactsChanged, lambda e: changes.append(e.total))
    dialog = open_editor(qtbot, personal)
    assert dialog.windowTitle() == "New contact"
    assert not dialog.save_button.isEnabled()
    assert dialog.name_error.isHidden()  # nothing typed yet: no scolding

    qtbot.keyClicks(dialog.phone_rows[0].edit, "(415) 555-01")
    assert not dialog.save_button.isEnabled()
    assert dialog.phone_rows[0].error.isHidden()  # still typing
    dialog.show_all_problems()
    assert dialog.name_error.text() == "Enter a first name, a last name or a company."
    assert dialog.phone_rows[0].error.text() == "“(415) 555-01” is not a complete phone number."

    qtbot.keyClicks(dialog.phone_rows[0].edit, "01")
    qtbot.keyClicks(dialog.first_name, "Grace")
    qtbot.keyClicks(dialog.last_name, "Hopper")
    assert dialog.name_error.isHidden() and dialog.phone_rows[0].error.isHidden()
    assert dialog.problems() == []
    assert dialog.save_button.isEnabled()

    qtbot.keyClicks(dialog.email_rows[0].edit, "grace@navy")
    assert not dialog.save_button.isEnabled()
    dialog.email_rows[0].edit.editingFinished.emit()  # leaving the field shows the problem
    assert dialog.email_rows[0].error.text() == "“grace@navy” is not a valid e-mail address."
    qtbot.keyClicks(dialog.email_rows[0].edit, ".example")
    assert dialog.email_rows[0].error.isHidden()

    qtbot.mouseClick(dialog.add_phone_button, Qt.MouseButton.LeftButton)
    assert [row.phone_kind for row in dialog.phone_rows] == [PhoneKind.MOBILE, PhoneKind.WORK]
    qtbot.keyClicks(dialog.phone_rows[1].edit, "1001")
    dialog.phone_rows[1].kind.setCurrentIndex(dialog.phone_rows[1].kind.findData(PhoneKind.EXTENSION))
    dialog.address.setPlainText("1 Navy Yard\nWashington, DC")
    dialog.notes.setPlainText("COBOL")
    assert dialog.save_button.isEnabled()

    saved: list[Contact] = []
    dialog.saved.connect(saved.append)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.save_button.isEnabled() and not dialog.cancel_button.isEnabled()  # saving
    await until(lambda: saved)
    contact = saved[0]
    assert isinstance(contact, Contact)
    assert (contact.first_name, contact.last_name, contact.emails) == (
        "Grace",
        "Hopper",
        ("grace@navy.example",),
    )
    assert contact.phones == (
        PhoneNumber(PhoneKind.MOBILE, "+14155550101", "(415) 555-0101"),
        PhoneNumber(PhoneKind.EXTENSION, "1001", "1001"),
    )
    assert contact.address == "1 Navy Yard\nWashington, DC" and contact.notes == "COBOL"
    assert dialog.result() == dialog.DialogCode.Accepted
    assert await personal.get(contact.source_id) == contact
    assert changes == [1]


async def test_problems_show_by_themselves_after_a_pause_in_typing(
    qtbot: QtBot, personal: PersonalContacts
) -> None:
    dialog = open_editor(qtbot, personal)
    qtbot.keyClicks(dialog.email_rows[0].edit, "nope")
    await until(dialog.email_rows[0].error.isVisible, within=REVEAL_AFTER_MS * 5 / 1000)
    assert dialog.email_rows[0].error.text() == "“nope” is not a valid e-mail address."
    assert dialog.email_rows[0].edit.property("invalid") is True


async def test_removing_a_bad_number_makes_the_contact_valid(
    qtbot: QtBot, personal: PersonalContacts
) -> None:
    dialog = open_editor(qtbot, personal)
    qtbot.keyClicks(dialog.company, "Initech")
    qtbot.keyClicks(dialog.phone_rows[0].edit, "call me")
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.phone_rows[0].remove, Qt.MouseButton.LeftButton)
    assert dialog.phone_rows == []
    assert dialog.save_button.isEnabled()


async def test_editing_an_existing_contact(qtbot: QtBot, personal: PersonalContacts) -> None:
    contact = await personal.create(
        ContactDraft(
            first_name="Alan",
            last_name="Turing",
            emails=("alan@bletchley.example",),
            phones=((PhoneKind.HOME, "+44 20 7946 0958"), (PhoneKind.MOBILE, "(415) 555-0101")),
            notes="Enigma",
        )
    )
    dialog = open_editor(qtbot, personal, contact)
    assert dialog.windowTitle() == "Edit contact"
    assert (dialog.first_name.text(), dialog.last_name.text()) == ("Alan", "Turing")
    assert [(r.phone_kind, r.edit.text()) for r in dialog.phone_rows] == [
        (PhoneKind.HOME, "+44 20 7946 0958"),
        (PhoneKind.MOBILE, "(415) 555-0101"),
    ]
    assert dialog.notes.toPlainText() == "Enigma"
    assert dialog.save_button.isEnabled()

    dialog.first_name.clear()
    dialog.last_name.clear()
    assert dialog.name_error.isVisible()  # an existing contact shows problems at once
    assert not dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.company, "Bletchley Park")
    dialog.phone_rows[1].edit.setText("+1 415 555 0199")

    saved: list[Contact] = []
    dialog.saved.connect(saved.append)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await until(lambda: saved)
    edited = saved[0]
    assert edited.source_id == contact.source_id
    assert (edited.first_name, edited.company) == ("", "Bletchley Park")
    assert [p.number for p in edited.phones] == ["+442079460958", "+14155550199"]
    assert await personal.store.call(contact_rows.count_contacts) == 1


async def test_a_contact_deleted_meanwhile_is_reported(qtbot: QtBot, personal: PersonalContacts) -> None:
    contact = await personal.create(ContactDraft(first_name="Gone"))
    dialog = open_editor(qtbot, personal, contact)
    await personal.delete([contact.source_id])
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    await until(dialog.save_error.isVisible)
    assert dialog.save_error.text() == "This contact was deleted meanwhile; it cannot be saved."
    assert dialog.isVisible() and dialog.cancel_button.isEnabled()


def test_synced_contacts_are_not_edited_here(qtbot: QtBot, tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite3")
    with pytest.raises(ValueError, match="not a personal contact"):
        ContactEditorDialog(PersonalContacts(store, EventBus()), Contact("ringplan", "u1", "Sam"))
    store.close()
