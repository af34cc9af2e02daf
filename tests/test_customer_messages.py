"""Customer messages per topic, language and channel."""

from __future__ import annotations

import pytest

from schemas import Channel, Language
from workflows.customer_messages import _TEMPLATES, customer_text

FACTS = {"complaint_id": "C-7", "plan": "上门更换新机", "next_update": "2026-11-24 18:00"}


def test_every_topic_exists_in_both_languages() -> None:
    assert all(set(by_language) == set(Language) for by_language in _TEMPLATES.values())


def test_a_plan_follows_feeling_then_plan_then_next_update() -> None:
    text = customer_text("plan_proposed", Language.ZH, Channel.HOTLINE, "王小明", **FACTS)
    assert text.index("抱歉") < text.index("上门更换新机") < text.index("2026-11-24 18:00")


def test_email_is_a_letter_and_chat_a_greeting() -> None:
    letter = customer_text("plan_proposed", Language.EN, Channel.EMAIL, "Alex", **FACTS)
    assert letter.startswith("Dear Alex,") and letter.endswith("Customer Care")
    chat = customer_text("closed", Language.ZH, Channel.WECHAT, None, complaint_id="C-7")
    assert chat.startswith("您好，")


@pytest.mark.parametrize("channel", [Channel.WEIBO, Channel.DOUYIN, Channel.APP_STORE_REVIEW])
def test_public_channels_never_repeat_the_complaint(channel: Channel) -> None:
    text = customer_text("plan_proposed", Language.ZH, channel, "王小明", **FACTS)
    assert "上门更换新机" not in text and "王小明" not in text and "私信" in text
