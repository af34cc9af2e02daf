"""The hook for an external identity provider (OIDC, SAML via a proxy, …).

The workspace signs staff in with passwords from the accounts file by default. An organisation
with an IdP gives `web.app.build(..., identity=...)` an object with this interface: `/signin`
then sends the browser to `start()`'s address, and `/signin/callback` hands the request to
`finish()`, which checks what the IdP sent (for OIDC: exchange the code, verify the ID token's
signature, issuer, audience, nonce and expiry; the `state` given to `start` is the one the
browser brought back in its cookie) and returns the user name it vouches for. That
person must still have an entry in the accounts file (role and language come from there, with
no password hash needed); anyone else is refused. No IdP is wired in here.
"""

from __future__ import annotations

from typing import Protocol

from starlette.requests import Request


class IdentityProvider(Protocol):
    name: str  # shown on the sign-in button

    def start(self, request: Request, state: str) -> str:
        """The IdP's authorisation URL; `state` must come back unchanged to `finish`."""
        ...

    async def finish(self, request: Request, state: str) -> str | None:
        """The verified user name, or None when the IdP's answer does not hold up."""
        ...
