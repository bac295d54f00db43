"""ASGI middleware that gives every page (not the API) its security headers: a strict
Content-Security-Policy (scripts and styles only from this server), no framing, no referrer
to other sites, no content sniffing."""

from __future__ import annotations

from conveyor.server.middleware import App, Message, Receive, Scope, Send
from conveyor.server.web.errors import is_page

CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
PAGE_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
)


class SecurityHeaders:
    """Adds PAGE_HEADERS to the answers of page paths."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *PAGE_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
