"""What the customer is told at each step, in the complaint's language and in the manner of its
channel (R-RS-2: feeling first, then the plan, then when they will hear from us next).

Public channels (Weibo, Douyin, app-store reviews) get a reply that repeats nothing of the
complaint: it points the customer to a private conversation.
"""

from __future__ import annotations

from schemas.intake import Channel, Language

_TEMPLATES: dict[str, dict[Language, str]] = {
    "agent_message": {Language.ZH: "{text}", Language.EN: "{text}"},
    "acknowledged": {
        Language.ZH: "您好，您的投诉（编号 {complaint_id}）已收到。我们理解您的心情，"
        "专属负责人会尽快与您联系。",
        Language.EN: "We have received your complaint {complaint_id}. We understand this is "
        "frustrating; the agent who owns your case will contact you shortly.",
    },
    "plan_proposed": {
        Language.ZH: "非常抱歉给您带来不便。我们的处理方案：{plan}。我们将在 {next_update} "
        "前向您更新进展。请回复是否接受该方案。",
        Language.EN: "We are sorry for the trouble this caused. Our proposal: {plan}. You will "
        "hear from us again by {next_update}. Please tell us whether you accept it.",
    },
    "plan_accepted": {
        Language.ZH: "感谢您的认可，方案正在执行中，预计在 {due} 前完成。",
        Language.EN: "Thank you. The plan is being carried out and should be done by {due}.",
    },
    "result_delivered": {
        Language.ZH: "您的投诉 {complaint_id} 已处理：{note}。请确认问题是否已经解决。",
        Language.EN: "Your complaint {complaint_id} has been handled: {note}. Please confirm "
        "whether the problem is solved.",
    },
    "reopened": {
        Language.ZH: "我们已重新受理您的投诉 {complaint_id}，负责人会尽快与您联系。",
        Language.EN: "We have re-opened your complaint {complaint_id}; its owner will contact "
        "you shortly.",
    },
    "closed": {
        Language.ZH: "您的投诉 {complaint_id} 已结案，感谢您的耐心。几天后我们会邀请您评价本次服务。",
        Language.EN: "Your complaint {complaint_id} is closed; thank you for your patience. In a "
        "few days we will ask how we did.",
    },
    "merged": {
        Language.ZH: "您的投诉 {complaint_id} 将与投诉 {into} 合并处理，后续进展请以 {into} 为准。",
        Language.EN: "Your complaint {complaint_id} is handled together with complaint {into} "
        "from now on; you will hear about both under {into}.",
    },
    "survey": {
        Language.ZH: "关于投诉 {complaint_id}：请为处理结果、服务态度、处理时效各打 1-5 分，"
        "并留下您的建议。如问题仍未解决，可直接申请重新处理。",
        Language.EN: "About complaint {complaint_id}: please score the result, our attitude and "
        "our timeliness from 1 to 5 and tell us what to improve. If the problem is back, you can "
        "ask us to re-open it.",
    },
    "survey_reminder": {
        Language.ZH: "关于投诉 {complaint_id}：我们还没有收到您的评价。请花一分钟为本次处理打分，"
        "评价在几天后截止。如问题仍未解决，可直接申请重新处理。",
        Language.EN: "About complaint {complaint_id}: we have not heard how we did yet. Please "
        "take a minute to score how we handled it; the survey closes in a few days. If the "
        "problem is back, you can ask us to re-open it.",
    },
}


PUBLIC_CHANNELS = frozenset({Channel.WEIBO, Channel.DOUYIN, Channel.APP_STORE_REVIEW})

_PUBLIC = {
    Language.ZH: "您好，关于您反映的问题（编号 {complaint_id}），我们已通过私信与您联系，请留意查收。",
    Language.EN: "Hello, about the issue you raised (ref. {complaint_id}): we have sent you a "
    "private message, please check your inbox.",
}
_FRAMES: dict[Channel, dict[Language, str]] = {
    Channel.EMAIL: {
        Language.ZH: "尊敬的{customer}：\n\n{body}\n\n客户服务中心",
        Language.EN: "Dear {customer},\n\n{body}\n\nCustomer Care",
    },
}
_CHAT = {Language.ZH: "{customer}，{body}", Language.EN: "Hi {customer}, {body}"}
_CHAT_CHANNELS = frozenset(
    {Channel.ONLINE_CHAT, Channel.APP_FORM, Channel.WECHAT, Channel.THIRD_PARTY_PLATFORM}
)
_NO_NAME = {Language.ZH: "您好", Language.EN: "there"}


def customer_text(
    topic: str, language: Language, channel: Channel, customer: str | None, **facts: str
) -> str:
    """The message for `topic`; hotline and store-desk contacts get the plain text (read out or
    sent by SMS), chat channels a greeting, e-mail a letter."""
    if channel in PUBLIC_CHANNELS:
        return _PUBLIC[language].format(**facts)
    body = _TEMPLATES[topic][language].format(**facts)
    frame = _FRAMES.get(channel, {}).get(language) or (
        _CHAT[language] if channel in _CHAT_CHANNELS else "{body}"
    )
    return frame.format(customer=customer or _NO_NAME[language], body=body)
