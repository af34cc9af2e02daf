"""`complaint-desk`: the command line over `ComplaintDesk`, for people and shell scripts.

complaint-desk up                                   # the whole system, locally
complaint-desk start --file complaint.json          # or with flags, see --help
complaint-desk reply C-1001 "还是坏的" [--intent not_resolved]
complaint-desk escalate C-1001 --by sup-li --reason "media" --severity L1
complaint-desk show C-1001 [--json]
complaint-desk codec-server                         # decrypted payloads in the UI and CLI
complaint-desk new-key                              # a payload key, for COMPLAINT_PAYLOAD_KEYS
complaint-desk mail-in                              # e-mail in (MAIL_IN_HOST, MAIL_IN_PORT)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

import logs
from encryption import codec_server
from encryption.keys import KeyConfigError, KeyRing, load_keyring
from schemas import CaseSnapshot, Category, ReplyIntent, RiskLevel, Severity, TimelineEntry
from schemas.actions import Department
from schemas.customer_view import CustomerView
from starter import json_schemas, list_cases, store_commands
from starter.client import ComplaintDesk, StartedCase, connect, register_search_attributes
from starter.schedules import ensure_schedules


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="complaint-desk",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="command", required=True)

    sub.add_parser("up", help="run the dev server, its UI and a worker (Ctrl-C stops)")
    sub.add_parser("setup", help="register the search attributes and schedules on the namespace")
    s = sub.add_parser(
        "codec-server", help="decrypt payloads for the Temporal UI and CLI (authorised operators)"
    )
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=codec_server.DEFAULT_PORT)
    s.add_argument(
        "--ui-origin",
        action="append",
        help="a Web UI origin allowed to call it (repeatable; default: the local UI)",
    )
    s = sub.add_parser("new-key", help="print a fresh payload key as KEY_ID=BASE64 (for rotation)")
    s.add_argument("--id", dest="key_id", help="key id (default: today's date)")
    s = sub.add_parser("schemas", help="write the JSON Schemas of every payload")
    s.add_argument("--out", type=Path, default=json_schemas.DEFAULT_DIR)

    s = sub.add_parser("start", help="start a complaint from a JSON file or from flags")
    s.add_argument("--file", type=Path, help="intake JSON (see schemas/json/ComplaintIntake.json)")
    s.add_argument("--id", dest="complaint_id")
    s.add_argument("--channel")
    s.add_argument("--receiver")
    s.add_argument("--subject")
    s.add_argument("--description")
    s.add_argument("--product")
    s.add_argument("--name")
    s.add_argument("--phone")
    s.add_argument("--email")
    s.add_argument("--anonymous", action="store_true")
    s.add_argument("--language", choices=["zh", "en"])

    s = sub.add_parser("reply", help="a customer's message (signal)")
    s.add_argument("complaint_id")
    s.add_argument("text")
    s.add_argument("--intent", choices=[i.value for i in ReplyIntent], default="message")
    s = sub.add_parser(
        "reopen", help="a customer's re-open request (signal; a new linked case once it has ended)"
    )
    s.add_argument("complaint_id")
    s.add_argument("reason")
    s = sub.add_parser("survey", help="a customer's follow-up answer (signal)")
    s.add_argument("complaint_id")
    for score in ("result", "attitude", "timeliness"):
        s.add_argument(f"--{score}", type=int, required=True)
    s.add_argument("--suggestions")
    s = _regrading(sub.add_parser("escalate", help="a supervisor's escalation (update)"))
    s.add_argument("--assign-to")
    _by_someone(sub, "assign", "hand the case to another agent", required=("to", "reason"))
    _by_someone(sub, "approve", "approve compensation above an agent's authority", ("note",))
    _by_someone(sub, "merge", "merge a duplicate into the case that carries on",
                required=("into", "reason"))  # fmt: skip
    _by_someone(sub, "close-for-customer", "close for a silent customer", required=("reason",))
    s = sub.add_parser("review-done", help="record a major-event review's findings (update)")
    s.add_argument("complaint_id")
    s.add_argument("--by", required=True)
    s.add_argument("--findings", required=True)
    s.add_argument("--measures")
    s.add_argument("--round", type=int, default=0)

    s = sub.add_parser("task-open", help="ask a department for work on the case (update)")
    s.add_argument("complaint_id")
    s.add_argument("--by", required=True)
    s.add_argument("--department", required=True, choices=[d.value for d in Department])
    s.add_argument("--owner", required=True)
    s.add_argument("--title", required=True)
    s.add_argument("--within", required=True, help="due after this long, e.g. PT4H or P1D")
    s.add_argument("--not-blocking", dest="blocking", action="store_false")
    for name, what in (("task-done", "a task is done"), ("task-override", "release a block")):
        s = sub.add_parser(name, help=f"{what} (update)")
        s.add_argument("complaint_id")
        s.add_argument("--task", type=int, required=True)
        s.add_argument("--by", required=True)
        s.add_argument("--reason" if name == "task-override" else "--note",
                       required=name == "task-override")  # fmt: skip

    _by_someone(sub, "confirm", "confirm the classification after reading the case", ("note",))
    s = _regrading(sub.add_parser("override", help="correct the classification (update)"))
    s.add_argument("--category", choices=[v.value for v in Category])

    for name, what in (
        ("respond", "text"),
        ("finding", "summary"),
        ("plan", "summary"),
        ("progress", "note"),
    ):
        s = sub.add_parser(
            name, help=f"an agent's {name} (update: refused with a reason if invalid)"
        )
        s.add_argument("complaint_id")
        s.add_argument(what)
        s.add_argument("--agent", required=True)
        if name == "plan":
            s.add_argument("--compensation", dest="compensation_yuan")
        if name == "progress":
            s.add_argument("--completed", action="store_true")

    store_commands.add_parser(sub)
    list_cases.add_parser(sub)

    sub.add_parser("mail-in", help="listen for e-mail: new mails open cases, answers reply")

    s = sub.add_parser("show", help="a case's snapshot and timeline")
    s.add_argument("complaint_id")
    s.add_argument("--json", action="store_true")
    s.add_argument("--customer", action="store_true", help="only what the customer may see")
    return p


def _by_someone(
    sub: Any, name: str, what: str, optional: tuple[str, ...] = (), required: tuple[str, ...] = ()
) -> None:
    """An update on one case by one person: the case, who, and the action's own flags."""
    s = sub.add_parser(name, help=f"{what} (update)")
    s.add_argument("complaint_id")
    s.add_argument("--by", required=True)
    for flag in required:
        s.add_argument(f"--{flag}", required=True)
    for flag in optional:
        s.add_argument(f"--{flag}")


def _regrading(s: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """What escalations and overrides share: the case, who, why, and the new levels."""
    s.add_argument("complaint_id")
    s.add_argument("--by", required=True)
    s.add_argument("--reason", required=True)
    s.add_argument("--severity", choices=[v.value for v in Severity])
    s.add_argument("--risk", choices=[v.value for v in RiskLevel])
    return s


def _given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) not in (None, False)}


def _intake(args: argparse.Namespace) -> dict[str, Any]:
    if args.file:
        data: dict[str, Any] = json.loads(args.file.read_text(encoding="utf-8"))
        return data
    contact = _given(args, "phone", "email")
    customer: dict[str, Any] = {"anonymous": args.anonymous, **_given(args, "name")}
    if contact:
        customer["contact"] = contact
    fields = _given(
        args, "complaint_id", "channel", "receiver", "subject", "description", "product", "language"
    )
    return {**fields, "customer": customer}


def _task(args: argparse.Namespace) -> dict[str, Any]:
    within = TypeAdapter(timedelta).validate_python(args.within)
    due_at = datetime.now(UTC) + within
    fields = _given(args, "by", "department", "owner", "title")
    return {**fields, "due_at": due_at.isoformat(), "blocking": args.blocking}


async def _run(args: argparse.Namespace) -> int:
    if args.command == "up":
        from starter.local import up

        await up()
        return 0
    if args.command == "store":
        return await store_commands.run(args)
    if args.command == "codec-server":
        config = codec_server.CodecConfig(
            ring=load_keyring(),
            origins=tuple(args.ui_origin or codec_server.LOCAL_UI_ORIGINS),
            token=os.environ.get(codec_server.TOKEN_ENV),
        )
        print(f"codec server on http://{args.host}:{args.port}", flush=True)
        await asyncio.to_thread(
            codec_server.codec_server(config, args.host, args.port).serve_forever
        )
        return 0
    if args.command == "new-key":
        print(KeyRing.generate(args.key_id).render())
        return 0
    if args.command == "schemas":
        for path in json_schemas.write(args.out):
            print(path)
        return 0

    client = await connect()
    if args.command == "setup":
        added = await register_search_attributes(client)
        print(f"registered: {', '.join(added)}" if added else "search attributes already there")
        created = await ensure_schedules(client)
        print(f"scheduled: {', '.join(created)}" if created else "schedules already there")
        return 0

    if args.command == "mail-in":
        from configuration.settings import load
        from delivery import email_in

        settings = load()
        server = await email_in.serve(client, settings)
        print(f"e-mail in on {settings.mail_in_host}:{settings.mail_in_port}", flush=True)
        await server.serve_forever()
        return 0
    if args.command == "list":
        return await list_cases.run(args, client)
    if args.command == "policy-apply":
        return await list_cases.apply_policy(args, client)

    desk = ComplaintDesk(client)
    cid = str(getattr(args, "complaint_id", ""))
    actions: dict[str, Callable[[], Awaitable[object]]] = {
        "reply": lambda: desk.reply(cid, _given(args, "text", "intent")),
        "reopen": lambda: desk.reopen(cid, _given(args, "reason")),
        "survey": lambda: desk.answer_survey(
            cid, _given(args, "result", "attitude", "timeliness", "suggestions")
        ),
        "escalate": lambda: desk.escalate_case(
            cid, _given(args, "by", "reason", "severity", "risk", "assign_to")
        ),
        "review-done": lambda: desk.complete_review(
            cid, _given(args, "by", "findings", "measures"), round=args.round
        ),
        "merge": lambda: desk.merge(cid, _given(args, "into", "by", "reason")),
        "assign": lambda: desk.reassign(cid, _given(args, "by", "to", "reason")),
        "approve": lambda: desk.approve_compensation(cid, _given(args, "by", "note")),
        "close-for-customer": lambda: desk.close_for_customer(cid, _given(args, "by", "reason")),
        "confirm": lambda: desk.confirm_classification(cid, _given(args, "by", "note")),
        "override": lambda: desk.override_classification(
            cid, _given(args, "by", "reason", "severity", "risk", "category")
        ),
        "task-open": lambda: desk.open_task(cid, _task(args)),
        "task-done": lambda: desk.complete_task(cid, _given(args, "task", "by", "note")),
        "task-override": lambda: desk.override_task(cid, _given(args, "task", "by", "reason")),
        "respond": lambda: desk.respond(cid, _given(args, "agent", "text")),
        "finding": lambda: desk.add_finding(cid, _given(args, "agent", "summary")),
        "plan": lambda: desk.propose_plan(
            cid, _given(args, "agent", "summary", "compensation_yuan")
        ),
        "progress": lambda: desk.record_progress(cid, _given(args, "agent", "note", "completed")),
    }
    if args.command == "start":
        started = await desk.start(_intake(args))
        state = "started" if started.created else "already exists: this is its case"
        print(f"{started.complaint_id}: {state} (workflow {started.workflow_id})")
    elif args.command == "show" and args.customer:
        view = await desk.customer_view(cid)
        print(view.model_dump_json(indent=2) if args.json else _render_for_customer(view))
    elif args.command == "show":
        snapshot, timeline = await desk.snapshot(cid), await desk.timeline(cid)
        if args.json:
            print(
                json.dumps(
                    {
                        "snapshot": snapshot.model_dump(mode="json"),
                        "timeline": [e.model_dump(mode="json") for e in timeline],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            print(_render(snapshot, timeline))
    else:
        result = await actions[args.command]()
        if isinstance(result, CaseSnapshot):
            print(f"{cid}: accepted; stage {result.stage.value}")
        elif isinstance(result, StartedCase) and result.complaint_id != cid:
            print(f"{cid} had ended: re-opened as {result.complaint_id}, linked to it")
        else:
            print(f"{cid}: sent")
    return 0


def _render(snapshot: CaseSnapshot, timeline: list[TimelineEntry]) -> str:
    lines = [
        f"{snapshot.complaint_id}  stage {snapshot.stage.value}"
        f"{'  outcome ' + snapshot.outcome.value if snapshot.outcome else ''}",
        f"  severity {snapshot.severity or '-'}  risk {snapshot.risk or '-'}  category "
        f"{snapshot.category or '-'}  owner {snapshot.owner} ({snapshot.escalation_level.value})"
        f"  re-opens {snapshot.reopen_count}",
        "  deadlines:",
    ]
    for d in snapshot.deadlines:
        state = ("breached " + d.breached_at.isoformat(timespec="minutes")) if d.breached_at else ""
        state += (" met " + d.met_at.isoformat(timespec="minutes")) if d.met_at else ""
        state += (" paused " + d.paused_at.isoformat(timespec="minutes")) if d.paused_at else ""
        lines.append(
            f"    {d.kind.value:<11} r{d.round} due {d.due_at.isoformat(timespec='minutes')}"
            f"  {state.strip() or 'pending'}"
        )
    if snapshot.tasks:
        lines.append("  tasks:")
    for t in snapshot.tasks:
        state = f"done {t.done_at.isoformat(timespec='minutes')}" if t.done_at else "open"
        state += "  overdue" if t.escalated_at and not t.done_at else ""
        state += "  blocks resolution" if t.open and t.blocking else ""
        lines.append(
            f"    #{t.number} {t.department.value:<11} {t.owner:<12} due "
            f"{t.due_at.isoformat(timespec='minutes')}  {state}  {t.title}"
        )
    lines.append("  timeline:")
    for e in timeline:
        lines.append(
            f"    {e.seq:>3} {e.at.isoformat(timespec='seconds')} {e.stage.value:<11} "
            f"{e.kind.value:<18} {e.actor:<10} {e.summary}"
        )
    return "\n".join(lines)


def _render_for_customer(view: CustomerView) -> str:
    promise = view.next_promise
    lines = [
        f"{view.complaint_id}  {view.subject}  stage {view.stage.value}"
        f"{'  outcome ' + view.outcome.value if view.outcome else ''}",
        f"  next promise: {promise.kind.value} by {promise.due_at.isoformat(timespec='minutes')}"
        if promise
        else "  next promise: -",
        *(["  waiting on the customer's answer"] if view.waiting_on_you else []),
        f"  plan: {view.plan or '-'}"
        + (f" (compensation {view.compensation_yuan} yuan)" if view.compensation_yuan else ""),
    ]
    for e in view.entries:
        lines.append(
            f"    {e.at.isoformat(timespec='seconds')} {e.by:<4} {e.kind.value:<18} {e.text or ''}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    logs.configure()
    args = _parser().parse_args(argv)
    try:
        code = asyncio.run(_run(args))
    except ValidationError as err:
        print(f"invalid input, nothing was sent:\n{_validation_text(err)}", file=sys.stderr)
        code = 2
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        print(
            f"refused: {cause.message if isinstance(cause, ApplicationError) else err}",
            file=sys.stderr,
        )
        code = 3
    except KeyConfigError as err:
        print(str(err), file=sys.stderr)
        code = 5
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            print("no open case with that complaint id (it may have ended)", file=sys.stderr)
        else:
            print(f"Temporal said: {err.message}", file=sys.stderr)
        code = 4
    if args.command == "up":
        sys.exit(code)
    # The Temporal client's native threads can abort a finishing interpreter ("PyGILState_Release:
    # thread state must be current", temporalio/sdk-python#300; about 1 run in 12 here), turning
    # a command that did its work into exit code 134. Its output is flushed, nothing is left to
    # clean up: leave without the interpreter's teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _validation_text(err: ValidationError) -> str:
    return "\n".join(
        f"  {'.'.join(str(p) for p in e['loc']) or '(input)'}: {e['msg']}" for e in err.errors()
    )


if __name__ == "__main__":
    main()
