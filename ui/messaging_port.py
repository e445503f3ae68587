"""What the Messages pane asks of the messaging service (``app.services.messaging``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.domain.texting import ConversationSummary, Message, TextingNumber


class MessagingPort(Protocol):
    async def conversations(self, filter_text: str = "") -> list[ConversationSummary]: ...

    async def summaries(self, conversation_ids: Sequence[str]) -> list[ConversationSummary]: ...

    async def messages_before(
        self, conversation_id: str, before: Message | None, limit: int = 50
    ) -> list[Message]: ...

    async def send(
        self,
        text: str,
        *,
        conversation_id: str | None = None,
        to_number: str | None = None,
        from_number: str | None = None,
    ) -> Message: ...

    async def retry(self, stamp_id: str) -> object: ...

    async def discard(self, stamp_id: str) -> object: ...

    async def mark_read(self, conversation_id: str) -> object: ...

    async def delete_messages(self, conversation_id: str, ids: list[str]) -> None: ...

    async def delete_conversation(self, conversation_id: str) -> None: ...

    async def search(self, text: str) -> list[tuple[ConversationSummary, Message | None]]: ...

    async def sending_numbers(self) -> list[TextingNumber]: ...

    async def unread_total(self) -> int: ...
