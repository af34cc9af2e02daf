"""Mail that e-mail in could not read or take, kept as it arrived so no one's words are lost.

Each mail is one `.eml` file (its bytes exactly as received) in `MAIL_IN_QUARANTINE` (default
`$COMPLAINT_DESK_HOME/quarantine`): the folder is readable by its owner only (0700) and each file
too (0600), for a mail is personal data. The name says when, why (a reason code) and which mail
(a digest of its bytes), never who: `20261207T104512-too_many_parts-3f2a…eml`. The same mail kept
twice (a sender retrying) is one file. An operator opens the file in any mail program, and can
send it again to e-mail in once the cause is fixed.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import structlog

log = structlog.get_logger("complaint_desk.email_in")


class Quarantine:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def keep(self, raw: bytes, reason: str) -> Path:
        """Write the mail unless the same bytes are already kept; its path either way."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.folder.chmod(0o700)  # mkdir's mode is cut by the umask, and ignored if it existed
        digest = hashlib.sha256(raw).hexdigest()[:24]
        for kept in self.folder.glob(f"*-{digest}.eml"):
            return kept
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{reason}-{digest}.eml"
        partial = path.with_suffix(".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        partial.rename(path)  # whole or absent: a reader never sees half a mail
        log.warning("mail quarantined", reason=reason, size=len(raw), file=path.name)
        return path

    def count(self) -> int:
        """Mails kept here now (an operator's check, a gauge)."""
        return sum(1 for _ in self.folder.glob("*.eml")) if self.folder.exists() else 0
