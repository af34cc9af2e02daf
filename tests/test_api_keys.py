"""API keys and rate limits, pure: configuration, the development key, the token bucket."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from api.intake import derived_id
from api.keys import ApiKey, ApiKeys, KeyConfigError, Scope, development_key, digest, new_api_key
from api.rate_limit import TokenBucket
from api.server import configured_keys
from configuration.settings import Settings


def test_a_made_key_is_found_by_its_configured_hash(tmp_path: Path) -> None:
    token, entry = new_api_key("store-desk", ["intake", "customer"])
    keys = configured_keys(Settings(complaint_desk_home=tmp_path, complaint_api_keys=f"[{entry}]"))

    key = keys.identify(token)
    assert key is not None and key.actor == "api:store-desk"
    assert key.scopes == {Scope.INTAKE, Scope.CUSTOMER}
    assert token not in entry  # only the hash is configured
    assert keys.identify(token + "x") is None


def test_keys_from_a_file_under_the_home(tmp_path: Path) -> None:
    _, entry = new_api_key("mail-gateway", ["intake"])
    (tmp_path / "keys.json").write_text(f"[{entry}]", encoding="utf-8")

    keys = configured_keys(Settings(complaint_desk_home=tmp_path, complaint_api_keys="keys.json"))

    assert len(keys) == 1


@pytest.mark.parametrize(
    ("configured", "says"),
    [
        (None, "no API keys"),
        ("missing.json", "cannot read"),
        ('[{"name": "x", "sha256": "abc", "scopes": ["intake"]}]', "0.sha256"),
        ('[{"name": "x", "sha256": "' + "a" * 64 + '", "scopes": ["admin"]}]', "0.scopes"),
    ],
)
def test_unusable_key_configuration_stops_the_server(
    tmp_path: Path, configured: str | None, says: str
) -> None:
    with pytest.raises(KeyConfigError, match=says):
        configured_keys(Settings(complaint_desk_home=tmp_path, complaint_api_keys=configured))


def test_two_keys_with_one_name_are_refused() -> None:
    key = ApiKey(name="a", sha256=digest("1"), scopes=frozenset({Scope.INTAKE}))
    with pytest.raises(KeyConfigError):
        ApiKeys([key, key.model_copy(update={"sha256": digest("2")})])


def test_the_development_key_is_made_once_and_private(tmp_path: Path) -> None:
    token, key = development_key(tmp_path)
    again, _ = development_key(tmp_path)

    assert token == again
    assert key.scopes == set(Scope) and key.sha256 == digest(token)
    assert stat.S_IMODE((tmp_path / "api-key").stat().st_mode) == 0o600


def test_a_derived_complaint_id_is_stable_and_per_backend() -> None:
    a = ApiKey(name="form", sha256=digest("1"), scopes=frozenset({Scope.INTAKE}))
    b = a.model_copy(update={"name": "tablet"})

    assert derived_id(a, "k-1") == derived_id(a, "k-1")
    assert derived_id(a, "k-1") != derived_id(b, "k-1")
    assert derived_id(a, "k-1") != derived_id(a, "k-2")


def test_the_token_bucket_allows_a_burst_then_its_rate() -> None:
    bucket = TokenBucket.full(rate=2, capacity=3, now=0)

    assert [bucket.take(0) for _ in range(3)] == [None, None, None]
    assert bucket.take(0) == pytest.approx(0.5)  # one token every half second
    assert bucket.take(0.5) is None
    assert bucket.take(0.5) == pytest.approx(0.5)
    assert bucket.take(100) is None  # refills to its capacity, no more
    assert [bucket.take(100) for _ in range(3)][-1] == pytest.approx(0.5)


def test_entries_print_as_configuration() -> None:
    _, entry = new_api_key("crm", ["supervisor", "agent"], acts_for=True)
    data = json.loads(entry)
    assert data["scopes"] == ["agent", "supervisor"] and data["acts_for"] is True
