"""A file recorded on the case (`schemas.evidence`): never refused, like every customer's message.

The bytes are in the evidence store; the case records the file's id, digest, size, type and name
on its timeline, or that it was not kept and why. The same file recorded twice (a mail delivered
again, a second upload of the same bytes) is one entry.
"""

from __future__ import annotations

from datetime import datetime

from schemas.case import EntryKind
from schemas.evidence import EvidenceFile, EvidenceSource
from workflows.case_record import CUSTOMER, SYSTEM, CaseRecord

_KINDS = (EntryKind.EVIDENCE_ADDED, EntryKind.EVIDENCE_NOT_KEPT)


def add_evidence(case: CaseRecord, file: EvidenceFile, now: datetime) -> None:
    if any(
        e.kind in _KINDS and e.facts.get("attachment_id") == file.attachment_id
        for e in case.state.timeline
    ):
        return
    facts = {
        "file_name": file.file_name,
        "content_type": file.content_type,
        "size_bytes": str(file.size_bytes),
        "sha256": file.sha256,
    }
    actor = file.added_by or (SYSTEM if file.source is EvidenceSource.EMAIL else CUSTOMER)
    if file.not_kept is None:
        summary = f"Evidence {file.attachment_id}: {file.content_type}, {file.size_bytes} bytes"
        kept = {**facts, "attachment_id": file.attachment_id}
        case.record(EntryKind.EVIDENCE_ADDED, actor, summary, now, facts=kept)
    else:
        refused = {**facts, "evidence_refusal": file.not_kept.value}
        summary = f"A file was not kept ({file.not_kept.value}), {file.size_bytes} bytes"
        case.record(EntryKind.EVIDENCE_NOT_KEPT, actor, summary, now, facts=refused)
