"""中文。"""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "案件 {complaint_id} 已结束",
    # SMTP answers of e-mail in; sent in English (SMTP answers are ASCII), kept here for reference.
    "mail_in.unreadable": "无法读取这封邮件。请以纯文本重新发送您的投诉，不要附带大附件",
    "mail_in.retry": "投诉台暂时无法接收邮件，请稍后重试",
}
