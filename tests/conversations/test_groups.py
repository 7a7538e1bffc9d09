"""In a group chat the bot answers commands only and never shows anyone's answers."""

from __future__ import annotations

from conversations import catalogue as say
from conversations.messages import Inbound
from conversations.service import ConversationService
from tests.conversations.driver import BotClient, answer, onboard


def group(user: str, update: str, text: str) -> Inbound:
    return Inbound(
        "telegram", user, "-100123", update, text=text, is_group=True, display_name=user
    )


async def test_group_messages_get_commands_only(
    client: BotClient, service: ConversationService
) -> None:
    await onboard(client)
    await answer(client, "v:y")  # Lan's answers exist
    assert await service.handle(group(client.user_id, "g1", "27")) == []
    assert await service.handle(group(client.user_id, "g2", "kết quả")) == []
    helped = await service.handle(group(client.user_id, "g3", "/huongdan"))
    assert helped[0].text == say.GROUP_HELP
    assert "nhóm chat" in helped[0].text
    answered = await service.handle(group(client.user_id, "g4", "/hoi cần gì để đạt mức 2"))
    assert "Để đạt mức độ 2" in answered[0].text
    assert "Lan" not in answered[0].text  # rulebook facts only, never a member's figures
    private = await service.handle(group(client.user_id, "g5", "/ketqua"))
    assert [r.text for r in private] == [say.GROUP_PRIVATE]
    assert "KẾT QUẢ" not in private[0].text
