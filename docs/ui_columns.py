"""Takes docs/ui-columns.png: the Temporal UI's case list with stage, severity and next-deadline
columns, added as an operator would (Configure Columns). Needs a running `complaint-desk up` with
a few cases, `pip install playwright` and Debian's chromium:

    python docs/ui_columns.py http://localhost:8233 docs/ui-columns.png
"""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import quote

from playwright.async_api import Page, async_playwright

ADD = ("ComplaintStage", "ComplaintSeverity", "ComplaintNextDeadline")
REMOVE = ("Run ID", "Type", "End")
QUERY = 'WorkflowType = "Complaint"'


async def _press(page: Page, label: str) -> None:
    """The plus or minus button beside a column's name in the Configure Columns drawer."""
    row = page.locator("li", has=page.get_by_text(label, exact=True)).last
    await row.locator("button").last.click()


async def main(ui: str, out: str) -> None:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium")
        page = await browser.new_page(viewport={"width": 1640, "height": 600})
        await page.goto(f"{ui}/namespaces/default/workflows?query={quote(QUERY)}")
        await page.get_by_text("complaint-C-", exact=False).first.wait_for()
        await page.locator('[data-track-intent="configure-columns"]').click()
        for label in REMOVE:
            await _press(page, label)
        for label in ADD:
            await _press(page, label)
        await page.get_by_role("button", name="Close").locator("visible=true").first.click()
        await page.get_by_text("Configure Workflows Table").wait_for(state="hidden")
        await page.get_by_role("columnheader", name="ComplaintNextDeadline").wait_for()
        await page.screenshot(path=out)
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
