"""The workflow ids of a case and of its reviews: one per complaint (a second start for the same
complaint finds the case), one per review round. A start checks its id against these, so that
an input naming one case can never act under another's id."""


def workflow_id_for(complaint_id: str) -> str:
    return f"complaint-{complaint_id}"


def review_id(complaint_id: str, round: int) -> str:
    return f"review-{complaint_id}-{round}"
