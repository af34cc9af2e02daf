"""中文。"""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "案件 {complaint_id} 已结束",
    "web.signin_throttled": "该账号或该地址的密码错误次数过多，请在 {seconds} 秒后再试。",
    "web.messages_throttled": "您在短时间内发送了多条消息，之前的消息我们都已收到；"
    "请等待 {seconds} 秒后再发送。",
    "web.back_to_case": "返回我的投诉",
}
