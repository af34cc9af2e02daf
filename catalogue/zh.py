"""中文。"""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "案件 {complaint_id} 已结束",
    "refusal.id_taken": "投诉编号 {complaint_id} 已属于另一件投诉的案件；未新建任何案件",
    "refusal.refused": "{reason}",
}
