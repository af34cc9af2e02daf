"""The HTTP API for backends: intake, every case action of the action table, and reading a case.

    POST /v1/complaints                          the intake (201 new case, 200 a repeat)
    GET  /v1/complaints/{id}                     the customer view
    GET  /v1/complaints/{id}/snapshot            the whole case (staff keys)
    POST /v1/complaints/{id}/{action}            each row of schemas.case_actions.ACTIONS

Every route only translates the desk's answer (`desk.ComplaintDesk`, `desk.errors`) into HTTP:
the rules of which case a complaint or a message lands on are the desk's.

The server keeps nothing between requests but each key's rate bucket: run as many as the load
needs behind a balancer. Paths carry only complaint ids, never personal data; bodies are never
logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Set
from typing import Any

from fastapi import FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from api import intake
from api.access_log import AccessLog
from api.bodies import (
    DEFAULT_BODY_SECONDS,
    DEFAULT_LIMIT,
    read_object,
    request_model,
    validated,
    with_actor,
)
from api.cases import complaint_path, on_case
from api.errors import ApiError, api_error_response, responses
from api.gate import ACTING_FOR, KEY, Gate, StaffIds, staff_actor
from api.keys import SCOPE_OF_ROLE, STAFF, ApiKeys, Scope
from desk.service import ComplaintDesk, StartedCase
from schemas.case import CaseSnapshot
from schemas.case_actions import ACTIONS, ActionAck, CaseAction, Delivery
from schemas.customer_view import CustomerView

VERSION = "1"
BODY_REFUSALS = (400, 401, 403, 408, 413, 415, 422, 429)


class Sent(BaseModel):
    """A customer's message handed to the case; signals are never refused by the case."""

    complaint_id: str = Field(
        description="the case it went to (a follow-up case when the named one has ended)"
    )
    workflow_id: str
    created: bool = Field(default=False, description="true: a new case linked to an ended one")
    owner: str | None = Field(
        default=None,
        description="a new linked case: the agent who owns it, the one who owned the ended case "
        "(R-IN-5); null: it waits in a team's queue, or the request went to an open case",
    )


class Health(BaseModel):
    ok: bool


def build_app(
    desk: ComplaintDesk,
    keys: ApiKeys,
    body_limit: int = DEFAULT_LIMIT,
    staff: StaffIds = frozenset,
    body_seconds: float = DEFAULT_BODY_SECONDS,
) -> FastAPI:
    """`staff`: the ids X-Acting-For may name (none by default: no key may act for anyone);
    `body_limit` and `body_seconds`: a request body's size and time to arrive."""
    gate = Gate(keys, staff)
    app = FastAPI(
        title="complaint desk",
        version=VERSION,
        description="Complaints in, case actions and case views out, for backends. "
        "Every refusal is a `Problem` naming the fields; none repeats what was sent.",
        # Swagger UI and ReDoc load scripts from a CDN; the document itself is /openapi.json.
        docs_url=None,
        redoc_url=None,
    )
    app.add_exception_handler(ApiError, api_error_response)
    app.add_exception_handler(RequestValidationError, _framework_refusal)
    app.add_middleware(AccessLog)
    bodies: list[type[BaseModel]] = [intake.IntakeRequest]

    @app.get("/v1/health", response_model=Health, tags=["operations"])
    async def health() -> Health:
        """For the load balancer: the process answers (no key needed)."""
        return Health(ok=True)

    @app.post(
        "/v1/complaints",
        status_code=201,
        response_model=intake.StartedComplaint,
        responses={
            200: {"model": intake.StartedComplaint, "description": "a repeat: its case"},
            **responses(*BODY_REFUSALS, 409),
        },
        openapi_extra=_body(intake.IntakeRequest),
        tags=["intake"],
    )
    async def start_complaint(
        request: Request,
        response: Response,
        credentials: HTTPAuthorizationCredentials | None = KEY,
        idempotency_key: str | None = Header(
            None, description="a complaint without complaint_id gets its id from this"
        ),
    ) -> intake.StartedComplaint:
        """Start a complaint's case (the intake JSON, `ComplaintIntake`)."""
        key = gate.admit(request, credentials, {Scope.INTAKE})
        data = intake.with_complaint_id(
            await read_object(request, body_limit, body_seconds), key, idempotency_key
        )
        complaint = intake.validated_intake(data)
        request.state.complaint_id = complaint.complaint_id
        async with on_case():
            started = await desk.start(complaint)
        response.status_code = 201 if started.created else 200
        return intake.StartedComplaint(
            complaint_id=started.complaint_id,
            workflow_id=started.workflow_id,
            created=started.created,
        )

    _add_read_route(
        app,
        gate,
        desk,
        ComplaintDesk.customer_view,
        ("", CustomerView, {Scope.CUSTOMER, *STAFF}),
        "What the customer may see of the case (no internal notes, agents or grades).",
    )
    _add_read_route(
        app,
        gate,
        desk,
        ComplaintDesk.snapshot,
        ("/snapshot", CaseSnapshot, STAFF),
        "The whole case as staff see it (agent and supervisor keys).",
    )
    for action in ACTIONS:
        body = _add_action_route(app, gate, desk, action, body_limit, body_seconds)
        if body not in bodies:
            bodies.append(body)
    app.state.request_models = bodies
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
    return app


def document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus the request bodies the routes read themselves."""
    spec: dict[str, Any] | None = getattr(app.state, "openapi", None)
    if spec is None:
        spec = app.state.openapi = FastAPI.openapi(app)
        models: list[type[BaseModel]] = app.state.request_models
        _, schemas = models_json_schema(
            [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
        )
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in schemas.get("$defs", {}).items():
            components.setdefault(name, schema)
        spec["components"]["schemas"] = dict(sorted(components.items()))
    return spec


def _add_read_route(
    app: FastAPI,
    gate: Gate,
    desk: ComplaintDesk,
    read: Callable[[ComplaintDesk, str], Awaitable[BaseModel]],
    route: tuple[str, type[BaseModel], Set[Scope]],
    description: str,
) -> None:
    """GET `/v1/complaints/{id}<path>`: the case as one of the desk's queries (`read`) has it,
    answered with `model`, to keys of `scopes` (`desk` is None while the document is made)."""
    path, model, scopes = route

    async def read_case(
        complaint_id: str, request: Request, credentials: HTTPAuthorizationCredentials | None = KEY
    ) -> Any:
        gate.admit(request, credentials, scopes)
        complaint_id = request.state.complaint_id = complaint_path(complaint_id)
        async with on_case():
            return await read(desk, complaint_id)

    app.add_api_route(
        f"/v1/complaints/{{complaint_id}}{path}",
        read_case,
        methods=["GET"],
        name=read.__name__,
        description=description,
        response_model=model,
        responses=responses(401, 403, 404, 422, 429),
        tags=["cases"],
    )


def _add_action_route(
    app: FastAPI,
    gate: Gate,
    desk: ComplaintDesk,
    action: CaseAction,
    body_limit: int,
    body_seconds: float,
) -> type[BaseModel]:
    """One route for one row of the action table: nothing here is particular to an action; the
    desk decides where a message lands (`ComplaintDesk.act`)."""
    body = (
        request_model(action.payload, frozenset({action.actor})) if action.actor else action.payload
    )

    async def act(
        complaint_id: str,
        request: Request,
        response: Response,
        credentials: HTTPAuthorizationCredentials | None = KEY,
        x_acting_for: str | None = Header(
            None, description="staff actions through a key with acts_for: the person acting"
        ),
    ) -> Any:
        complaint_id, payload = await _action_request(
            gate,
            action,
            (request, credentials, x_acting_for),
            complaint_id,
            body_limit,
            body_seconds,
        )
        async with on_case():
            answer = await desk.act(complaint_id, action.name, payload)
        if isinstance(answer, StartedCase):  # a customer's message: the case that has it
            response.status_code = 201 if answer.created else 202
            return Sent(
                complaint_id=answer.complaint_id,
                workflow_id=answer.workflow_id,
                created=answer.created,
                owner=answer.owner,
            )
        return answer

    update = action.delivery is Delivery.UPDATE
    app.add_api_route(
        f"/v1/complaints/{{complaint_id}}/{action.name}",
        act,
        methods=["POST"],
        name=action.name,
        summary=action.summary,
        description=_describe(action),
        status_code=200 if update else 202,
        response_model=ActionAck | CaseSnapshot if update else Sent,
        responses=responses(*BODY_REFUSALS, 404, 409),
        openapi_extra=_body(body),
        tags=["case actions"],
    )
    if action.preview is not None:
        _add_preview_route(
            app, gate, desk, action, (body, action.preview, body_limit, body_seconds)
        )
    return body


def _add_preview_route(
    app: FastAPI,
    gate: Gate,
    desk: ComplaintDesk,
    action: CaseAction,
    shape: tuple[type[BaseModel], type[BaseModel], int, float],
) -> None:
    """POST `/v1/complaints/{id}/<action>/preview`: the action's dry run, the same body as the
    action and the same keys; the case answers what it would change and nothing is recorded."""
    body, answer, body_limit, body_seconds = shape

    async def preview(
        complaint_id: str,
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = KEY,
        x_acting_for: str | None = Header(
            None, description="staff actions through a key with acts_for: the person acting"
        ),
    ) -> Any:
        complaint_id, payload = await _action_request(
            gate,
            action,
            (request, credentials, x_acting_for),
            complaint_id,
            body_limit,
            body_seconds,
        )
        async with on_case():
            return await desk.preview(complaint_id, action.name, payload)

    app.add_api_route(
        f"/v1/complaints/{{complaint_id}}/{action.name}/preview",
        preview,
        methods=["POST"],
        name=f"{action.name}_preview",
        summary=f"dry run: {action.summary}",
        description=f"What `{action.name}` would change on the case now; nothing is recorded. "
        f"The same body and keys as `{action.name}`.",
        response_model=answer,
        responses=responses(*BODY_REFUSALS, 404),
        openapi_extra=_body(body),
        tags=["case actions"],
    )


async def _action_request(
    gate: Gate,
    action: CaseAction,
    caller: tuple[Request, HTTPAuthorizationCredentials | None, str | None],
    complaint_id: str,
    body_limit: int,
    body_seconds: float,
) -> tuple[str, BaseModel]:
    """Who may send `action`, to which case, with which payload: the same for the action and
    its dry run, so the two cannot admit different callers or bodies."""
    request, credentials, acting_for = caller
    key = gate.admit(request, credentials, {SCOPE_OF_ROLE[role] for role in action.roles})
    complaint_id = request.state.complaint_id = complaint_path(complaint_id)
    actor = staff_actor(key, acting_for, gate.staff()) if action.actor else key.actor
    data = with_actor(await read_object(request, body_limit, body_seconds), action.actor, actor)
    request.state.actor = actor
    return complaint_id, validated(action.payload, data)


def _describe(action: CaseAction) -> str:
    who = ", ".join(sorted(SCOPE_OF_ROLE[r].value for r in action.roles))
    kind = (
        "An update: answers with what it did (`ActionAck`: the stage after it and what it "
        "recorded), or 409 with the case's reason (`code`, `params`)."
        if action.delivery is Delivery.UPDATE
        else "A customer's message: never lost. An open case takes it (202); one that does not "
        "apply is kept on its timeline with a note. To a case that has ended, a message or a "
        "re-open request opens a linked follow-up case carrying it (201, `created`)."
    )
    actor = (
        f" `{action.actor}` is not sent: it is the key's name (`api:<name>`), or the person in "
        f"`{ACTING_FOR}` for a key that acts for people."
        if action.actor
        else ""
    )
    return f"{kind} Scopes: {who}.{actor} Workflow handler `{action.handler}`."


def _body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI: the JSON body a route reads itself (to bound its size and word its refusals)."""
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


async def _framework_refusal(_: Request, err: Exception) -> Response:
    """A parameter FastAPI itself checked: named, never echoed."""
    assert isinstance(err, RequestValidationError)
    fields = [".".join(str(p) for p in e["loc"]) for e in err.errors()]
    refusal = ApiError(422, f"invalid input, nothing was done: {', '.join(fields)}")
    return await api_error_response(_, refusal)
