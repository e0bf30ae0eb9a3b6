"""Absolute links the app hands out (mailed reset and confirmation links, share links).

They are built from the configured PUBLIC_BASE_URL, never from the request: a request's Host
header is chosen by whoever sends it, and a reset requested with `Host: evil.example` would
otherwise mail the victim a genuine token inside a link to the attacker's site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app


def public_base_url(app: Flask) -> str:
    """The checked PUBLIC_BASE_URL, without a trailing slash; the app refuses to start without
    one, or with anything but an http(s) address of a host and no path."""
    raw = (app.config.get("PUBLIC_BASE_URL") or "").strip()
    if not raw:
        raise RuntimeError(
            "PUBLIC_BASE_URL must be set (export PUBLIC_BASE_URL=https://prodready.example): "
            "the links the app mails are built from it."
        )
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise RuntimeError(
            f"PUBLIC_BASE_URL={raw!r}: expected http(s)://host[:port], with no path."
        )
    return f"{parts.scheme}://{parts.netloc}"


def configure_public_url(app: Flask) -> None:
    """Check PUBLIC_BASE_URL and, unless TRUSTED_HOSTS is set, trust only its host when the
    configuration asks for it (production): a request naming another Host gets 400."""
    base = public_base_url(app)
    app.config["PUBLIC_BASE_URL"] = base
    if app.config.get("TRUSTED_HOSTS") is None and app.config.get("TRUST_ONLY_PUBLIC_HOST"):
        app.config["TRUSTED_HOSTS"] = [urlsplit(base).hostname]


def external_url(endpoint: str, **values: object) -> str:
    """An absolute URL for `endpoint` on the public site. The path is built from the URL map
    alone, not the request: a WSGI server may take the mount point (SCRIPT_NAME) from a header,
    and works outside a request too (mail sent in the background)."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return current_app.config["PUBLIC_BASE_URL"] + adapter.build(endpoint, values)
