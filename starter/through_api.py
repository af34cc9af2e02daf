"""A case action sent to the desk's running API instead of to Temporal: one HTTP request.

With `COMPLAINT_DESK_API_URL` and `COMPLAINT_DESK_API_KEY` set, `complaint-desk finding …` (and
every action of the table) posts to the API's route for it. The process then pays for neither
Temporal's client nor pydantic (the API has both loaded already): the flags come from the JSON
Schemas (`action_commands`), the API checks the payload, and its answer is printed as the direct
path prints the desk's (docs/benchmarks.md, "The agent's click"). The key is read from the
environment, never from the command line, where `ps` would show it.

The person who acts (`--agent`, `--by`) travels in `X-Acting-For`, as the API's workspace keys
expect: the API's key must act for people (`complaint-desk api-key … --acts-for`).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from configuration import environment
from starter import action_commands

URL_SETTING = "complaint_desk_api_url"
KEY_SETTING = "complaint_desk_api_key"
ACTING_FOR = "X-Acting-For"  # api.gate.ACTING_FOR (importing it would load FastAPI)
TIMEOUT_SECONDS = 60.0
# The exit codes the direct path gives (starter.cli._explain): bad input, refused, no such case
# or the desk out of reach (here also: the API refusing the key; nothing was done), a setting.
INVALID, REFUSED, UNREACHED, MISCONFIGURED = 2, 3, 4, 5


@dataclass(frozen=True)
class ApiAccess:
    url: str
    key: str


def configured() -> ApiAccess | None:
    """Where the API is and the key to it, if the URL is set (the key may be missing: `send`
    says so); None: the CLI talks to Temporal itself."""
    url = (environment.raw(URL_SETTING) or "").strip()
    if not url:
        return None
    return ApiAccess(url.rstrip("/"), (environment.raw(KEY_SETTING) or "").strip())


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def send(args: argparse.Namespace, access: ApiAccess) -> int:
    """Send the parsed action to the API, print what became of it; the exit code."""
    lang: str = args.lang
    if not access.key:
        return _fail(MISCONFIGURED, _sentence("cli.api_key_missing", lang))
    act = action_commands.action_table()[args.command]
    body = action_commands.payload(args)
    headers = {"Authorization": f"Bearer {access.key}", "Content-Type": "application/json"}
    actor = act["actor"]
    if actor is not None and actor in body:
        headers[ACTING_FOR] = str(body.pop(actor))
    cid: str = args.complaint_id
    dry_run = bool(getattr(args, "dry_run", False))
    path = f"/v1/complaints/{quote(cid, safe='')}/{args.command}{'/preview' if dry_run else ''}"
    try:
        answer = _post(access.url + path, body, headers)
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", None) or err
        return _fail(
            UNREACHED,
            _sentence("cli.api_unreachable", lang, {"url": access.url, "reason": str(reason)}),
        )
    return _said(args, answer, access)


def _post(url: str, body: dict[str, Any], headers: dict[str, str]) -> Answer:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return Answer(response.status, _json(response.read()), dict(response.headers))
    except urllib.error.HTTPError as refusal:
        with refusal:
            return Answer(refusal.code, _json(refusal.read()), dict(refusal.headers))


def _json(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _said(args: argparse.Namespace, answer: Answer, access: ApiAccess) -> int:
    """The API's answer as the direct path would print the desk's, or a sentence on stderr."""
    lang: str = args.lang
    cid: str = args.complaint_id
    status, body = answer.status, answer.body
    if status == 200 and getattr(args, "dry_run", False):
        print(_preview_text(body, lang))
        return 0
    if status == 200 and "stage" in body:  # an update's: `ActionAck`, or a case's snapshot
        if "recorded" in body:
            waits = "approval_requested" in body["recorded"]
        else:
            waits = args.command == "plan" and body.get("plan_awaiting_approval") is not None
        print(action_commands.update_outcome(cid, str(body["stage"]), waits))
        return 0
    if status in (201, 202):  # a customer's message: the case that has it
        print(action_commands.message_sent(cid, body))
        return 0
    if status == 409 and body.get("code"):
        sentence = _sentence(f"refusal.{body['code']}", lang, body.get("params") or {})
        return _fail(REFUSED, f"refused: {sentence}")
    if status == 404 and "error" in body:  # the desk's (a wrong URL's 404 is FastAPI's)
        return _fail(UNREACHED, f"no case with complaint id {cid}")
    if status in (400, 413, 415, 422):
        problems = body.get("fields") or [{"field": "(input)", "message": body.get("error", "")}]
        lines = "\n".join(f"  {p.get('field')}: {p.get('message')}" for p in problems)
        return _fail(INVALID, f"invalid input, nothing was sent:\n{lines}")
    facts: dict[str, str | int] = {
        "url": access.url,
        "status": status,
        "reason": str(body.get("error", "")),
        "seconds": answer.headers.get("Retry-After", "1"),
    }
    key = {401: "cli.api_key_refused", 403: "cli.api_forbidden", 429: "cli.api_rate_limited"}
    return _fail(UNREACHED, _sentence(key.get(status, "cli.api_failed"), lang, facts))


def _preview_text(body: dict[str, Any], lang: str) -> str:
    """A dry run's answer as the direct path shows it (that table reads the model: a dry run
    is rare, and pays for pydantic)."""
    from reports import policy_preview
    from schemas.policy_preview import PolicyPreview

    return policy_preview.text([PolicyPreview.model_validate(body)], lang)


def _sentence(key: str, lang: str, params: dict[str, Any] | None = None) -> str:
    """The catalogue's sentence, loaded only when there is one to say (an accepted action
    prints the same English line as the direct path, and needs none)."""
    from catalogue import render

    return render(key, lang, params)


def _fail(code: int, sentence: str) -> int:
    print(sentence, file=sys.stderr)
    return code
