"""HTML to PDF with headless Chromium (`--print-to-pdf`), the browser the desk already needs for
its web tests: the PDF is the very page supervisors read, laid out once, and Chinese renders with
the system's CJK font (fontconfig: `fonts-wqy-zenhei` or `fonts-noto-cjk`). Nothing is fetched:
the page is self-contained and the browser runs with networking off. docs/special-report.md says
why this over a pure-Python PDF library."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

# Where the browser is, if not on PATH as one of these (COMPLAINT_PDF_BROWSER).
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
PRINT_SECONDS = 60.0


class PdfUnavailable(RuntimeError):
    """No browser to print with, or it failed: the HTML report still stands."""


def browser(configured: Path | None = None) -> str | None:
    """The browser to print with: the configured one (`COMPLAINT_PDF_BROWSER`, read by the
    settings), else one on PATH; None when there is none."""
    if configured is not None:
        return str(configured) if configured.exists() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


async def print_pdf(html: str, executable: str | None) -> bytes:
    """The page as PDF (A4, the page's own `@page` margins, no header or footer), printed by
    `executable` (`browser()`'s answer: None when there is none to print with)."""
    if executable is None:
        raise PdfUnavailable(
            "no Chromium to print with (install chromium, or set COMPLAINT_PDF_BROWSER)"
        )
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as folder:
        page, out = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        args = [
            executable,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--proxy-server=127.0.0.1:9",  # a self-contained page needs no network
            f"--user-data-dir={Path(folder) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers run as root
            args.insert(1, "--no-sandbox")
        process = await asyncio.create_subprocess_exec(
            *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        try:
            async with asyncio.timeout(PRINT_SECONDS):
                _, _err = await process.communicate()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise PdfUnavailable("the browser did not finish printing") from None
        if process.returncode != 0 or not out.exists():
            raise PdfUnavailable(f"the browser could not print (exit {process.returncode})")
        return out.read_bytes()
