"""The sign-in dialog: server URL, API key, and who to act as.

Two steps behind one button: *Check key* lists the company's users with the key (acting as
``primary``); *Sign in* checks that the key may act as the chosen user. Only then is the
dialog accepted and :attr:`SignInDialog.result_value` set; saving is the caller's business.
Problems (wrong key, unreachable server, TLS, ...) are said in words under the form.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.account import DEFAULT_SERVER_URL
from app.services.sign_in import (
    PRIMARY_USER,
    CompanyDirectory,
    SignInFailed,
    SignInProblem,
    UserChoice,
    fetch_company_users,
    verify_user,
)
from app.services.tasks import TaskGroup
from ui.assets import app_icon

log = logging.getLogger(__name__)

FetchUsers = Callable[[str, str], Awaitable[CompanyDirectory]]
VerifyUser = Callable[[str, str, str], Awaitable[str]]

DIALOG_STYLE = """
QLabel#signInTitle { font-size: 14pt; font-weight: 600; }
QLabel#signInIntro, QLabel#signInHint { color: palette(placeholder-text); }
QLineEdit, QComboBox { padding: 4px 6px; }
QLabel#signInStatus[kind="error"] {
    background: rgba(209, 36, 47, 38);
    border: 1px solid rgba(209, 36, 47, 150);
    border-radius: 6px;
}
QLabel#signInStatus[kind="ok"] {
    background: rgba(45, 164, 78, 38);
    border: 1px solid rgba(45, 164, 78, 150);
    border-radius: 6px;
}
"""


@dataclass(frozen=True, slots=True)
class SignInResult:
    server_url: str
    api_key: str = field(repr=False)
    user: UserChoice
    company_name: str


class SignInDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        server_url: str = DEFAULT_SERVER_URL,
        user_id: str = "",
        message: str = "",
        fetch_users: FetchUsers = fetch_company_users,
        verify: VerifyUser = verify_user,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to RingDesk")
        self.setWindowIcon(app_icon())
        self.setAccessibleName("Sign in")
        self.setStyleSheet(DIALOG_STYLE)
        self.setMinimumWidth(580)
        self._fetch_users = fetch_users
        self._verify = verify
        self._tasks = TaskGroup("sign-in")
        self._directory: CompanyDirectory | None = None
        self._wanted_user = user_id
        self.result_value: SignInResult | None = None

        title = QLabel("Sign in to RingPlan")
        title.setObjectName("signInTitle")
        intro = QLabel(
            "Enter your company's API key from the RingPlan Self Service Portal. RingDesk checks "
            "it with the server and keeps it only in the system keyring."
        )
        intro.setObjectName("signInIntro")
        intro.setWordWrap(True)

        self.server = QLineEdit(server_url)
        self.server.setAccessibleName("Server URL")
        self.server.setPlaceholderText(DEFAULT_SERVER_URL)
        self.key = QLineEdit()
        self.key.setAccessibleName("API key")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("Paste the API key")
        self.reveal = QCheckBox("Show key")
        self.reveal.setAccessibleName("Show the API key")
        self.reveal.toggled.connect(self._on_reveal_toggled)
        self.user = QComboBox()
        self.user.setAccessibleName("Act as user")
        self.user.setEditable(True)
        self.user.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.user.setEnabled(False)
        self.user.setPlaceholderText("Check the key to list your company's users")
        completer = self.user.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

        user_hint = QLabel("Pick yourself; primary is the company's administrator.")
        user_hint.setObjectName("signInHint")
        user_hint.setWordWrap(True)
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("&Server URL", self.server)
        form.addRow("API &key", self.key)
        form.addRow("", self.reveal)
        form.addRow("Act &as", self.user)
        form.addRow("", user_hint)

        self.status = QLabel(message)
        self.status.setObjectName("signInStatus")
        self.status.setAccessibleName("Sign-in status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setContentsMargins(10, 8, 10, 8)
        self.status.setProperty("kind", "error" if message else "")
        self.status.setVisible(bool(message))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.proceed = QPushButton("Check key")
        self.proceed.setAccessibleName("Check key")
        self.proceed.setDefault(True)
        self.buttons.addButton(self.proceed, QDialogButtonBox.ButtonRole.ActionRole)
        self.proceed.clicked.connect(self._on_proceed_clicked)
        self.buttons.rejected.connect(self.reject)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(56, 56))
        logo.setAccessibleName("RingDesk")
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = QVBoxLayout()
        heading.setSpacing(4)
        heading.addWidget(title)
        heading.addWidget(intro)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(logo)
        top.addLayout(heading, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.server.textEdited.connect(self._forget_directory)
        self.key.textEdited.connect(self._forget_directory)
        (self.key if server_url else self.server).setFocus()

    # -- state --------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return len(self._tasks) > 0

    def _forget_directory(self, _text: str = "") -> None:
        if self._directory is None:
            return
        self._directory = None
        self.user.clear()
        self.user.setEnabled(False)
        self.proceed.setText("Check key")
        self.proceed.setAccessibleName("Check key")

    def _set_status(self, text: str, kind: str) -> None:
        self.status.setText(text)
        self.status.setProperty("kind", kind)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    def _set_busy(self, busy: bool, text: str = "") -> None:
        for widget in (self.server, self.key, self.user, self.proceed):
            widget.setEnabled(not busy and (widget is not self.user or self._directory is not None))
        if busy:
            self._set_status(text, "")

    # -- steps --------------------------------------------------------------------------

    def _on_proceed_clicked(self) -> None:
        if self.busy:
            return
        if self._directory is None:
            self._tasks.start(self._check_key(), name="sign-in-check-key")
        else:
            self._tasks.start(self._sign_in(self._directory), name="sign-in-verify")

    async def _check_key(self) -> None:
        self._set_busy(True, "Checking the key…")
        try:
            directory = await self._fetch_users(self.server.text(), self.key.text())
        except SignInFailed as exc:
            self._set_busy(False)
            self._show_failure(exc)
            return
        except BaseException:
            self._set_busy(False)
            raise
        self._directory = directory
        self._set_busy(False)
        self.server.setText(directory.server_url)
        self.user.clear()
        for choice in directory.users:
            self.user.addItem(choice.label, choice.id)
        wanted = directory.find(self._wanted_user) if self._wanted_user else None
        self.user.setCurrentIndex(directory.users.index(wanted) if wanted else 0)
        self.user.setEnabled(True)
        self.proceed.setText("Sign in")
        self.proceed.setAccessibleName("Sign in")
        people = len(directory.users) - 1
        more = " (the first ones; type to search)" if directory.truncated else ""
        self._set_status(
            f"Key accepted for {directory.company_name}: {people} users{more}. Choose who you are, "
            "or stay primary, then sign in.",
            "ok",
        )
        log.info("sign-in: key accepted, %d users listed", people)
        self.user.setFocus()
        editor = self.user.lineEdit()
        if editor is not None:
            editor.selectAll()

    async def _sign_in(self, directory: CompanyDirectory) -> None:
        choice = self.chosen_user(directory)
        if choice is None:
            self._set_status(
                "Pick a user from the list (type part of a name or e-mail), or primary.", "error"
            )
            self.user.setFocus()
            return
        self._set_busy(True, f"Signing in as {choice.name}…")
        key = self.key.text().strip()
        try:
            company = await self._verify(directory.server_url, key, choice.id)
        except SignInFailed as exc:
            self._set_busy(False)
            self._show_failure(exc)
            return
        except BaseException:
            self._set_busy(False)
            raise
        self._set_busy(False)
        self.result_value = SignInResult(directory.server_url, key, choice, company)
        log.info("sign-in: verified as %s", "primary" if choice.id == PRIMARY_USER else "a company user")
        self.accept()

    def chosen_user(self, directory: CompanyDirectory) -> UserChoice | None:
        """The user the combo box names: a listed entry, or a typed id, e-mail or name."""
        text = self.user.currentText().strip()
        index = self.user.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            return directory.find(str(self.user.itemData(index)))
        folded = text.casefold()
        if not folded:
            return None
        for choice in directory.users:
            if folded in (choice.id.casefold(), choice.email.casefold(), choice.name.casefold()):
                return choice
        return None

    def _show_failure(self, exc: SignInFailed) -> None:
        log.info("sign-in: %s", exc.problem)
        self._set_status(exc.message, "error")
        if exc.problem in (SignInProblem.MISSING_KEY, SignInProblem.WRONG_KEY):
            target = self.user if (self._directory is not None and "user" in exc.message) else self.key
            target.setFocus()
            if target is self.key:
                self.key.selectAll()
        else:
            self.server.setFocus()
            self.server.selectAll()

    def _on_reveal_toggled(self, shown: bool) -> None:
        self.key.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)

    # -- closing ------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._tasks.cancel()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.done(QDialog.DialogCode.Rejected)
        super().closeEvent(event)
