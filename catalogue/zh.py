"""中文。"""

MESSAGES: dict[str, str] = {
    "refusal.case_ended": "案件 {complaint_id} 已结束",
    "refusal.case_already_opened": (
        "投诉 {complaint_id} 已有案件（阶段 {stage}）：一个投诉只立案一次；重新打开的投诉是与之关联的新案件"
    ),
    "refusal.state_not_carried": (
        "{workflow_id}：案件延续的状态只接受来自该案件自身的 continue-as-new；请用投诉受理信息立案"
    ),
    "refusal.start_scheduled": "{workflow_id}：案件和复盘不按 cron 计划运行",
    "refusal.review_not_from_case": "{workflow_id}：重大事件复盘只能由其案件在结案时启动",
}
