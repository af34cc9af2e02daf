"""中文。"""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "案件 {complaint_id} 已结束",
}
