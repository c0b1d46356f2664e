"""Settings of the Xero app registration this copy of the product signs in with.

A desktop app is a Xero "Auth Code with PKCE" app: a client id and no secret. Whoever
distributes the product registers it once at developer.xero.com/myapps with one redirect URI
per loopback port (``http://localhost:<port>/callback``) and tells the app the client id:

* environment first: ``XQB_XERO_CLIENT_ID`` and ``XQB_XERO_REDIRECT_PORTS`` (``28271,28272``);
* else ``<config dir>/settings.json``: ``{"xero_client_id": "...", "xero_redirect_ports": [...]}``
  (the ports may also be a comma-separated string there).

Each value is looked up on its own, so the environment can override just the ports.
The Demo Company uses :func:`demo_xero_settings` instead.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import SettingsFileInvalid, XeroAppNotConfigured, XeroRedirectPortsInvalid

SETTINGS_FILE = "settings.json"
ENV_CLIENT_ID = "XQB_XERO_CLIENT_ID"
ENV_REDIRECT_PORTS = "XQB_XERO_REDIRECT_PORTS"

# The ports the product's own Xero app registration lists, in order of preference. Fixed
# ports because Xero matches the redirect URI exactly, port included (no RFC 8252 any-port).
# Below 32768 on purpose: ports inside the systems' ephemeral ranges (Linux 32768-60999,
# Windows/macOS 49152-65535) get taken by ordinary outgoing connections, and then the
# sign-in cannot listen there (seen in our own test runs with 53682-53684).
DEFAULT_REDIRECT_PORTS: tuple[int, ...] = (28271, 28272, 28273)

XERO_AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"
XERO_TOKEN_URL = "https://identity.xero.com/connect/token"  # noqa: S105 (a URL)
XERO_REVOCATION_URL = "https://identity.xero.com/connect/revocation"
XERO_API_BASE = "https://api.xero.com"

_MAX_PORTS = 50  # Xero accepts up to 50 redirect URIs per app

# The one place the redirect URI is spelled: the sign-in's listener, the settings' error
# sentence and the Demo Company's registered app all build it here.
LOOPBACK_CALLBACK_PATH = "/callback"


def loopback_redirect_uri(port: int) -> str:
    """The exact string registered with Xero for ``port`` (``localhost``, not 127.0.0.1)."""
    return f"http://localhost:{port}{LOOPBACK_CALLBACK_PATH}"


@dataclass(frozen=True)
class XeroAppSettings:
    client_id: str
    redirect_ports: tuple[int, ...] = DEFAULT_REDIRECT_PORTS
    authorize_url: str = XERO_AUTHORIZE_URL
    token_url: str = XERO_TOKEN_URL
    revocation_url: str = XERO_REVOCATION_URL
    api_base: str = XERO_API_BASE
    #: an app registered before 2 March 2026: invoices are written with the broad
    #: ``accounting.transactions`` scope instead of ``accounting.invoices``
    #: (settings file ``"xero_scopes_legacy": true``)
    scopes_legacy: bool = False

    @property
    def connections_url(self) -> str:
        return self.api_base.rstrip("/") + "/connections"

    @property
    def redirect_uris(self) -> list[str]:
        return [loopback_redirect_uri(p) for p in self.redirect_ports]


def parse_ports(value: Any, source: str) -> tuple[int, ...]:
    """``"28271, 28272"`` or ``[28271, 28272]`` -> ``(28271, 28272)``; order kept, no duplicates."""
    items: list[Any]
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise XeroRedirectPortsInvalid(source=source)
    ports: list[int] = []
    for item in items:
        if isinstance(item, bool):
            raise XeroRedirectPortsInvalid(source=source)
        try:
            port = int(item)
        except (TypeError, ValueError):
            raise XeroRedirectPortsInvalid(source=source) from None
        if not 1024 <= port <= 65535:
            raise XeroRedirectPortsInvalid(source=source)
        if port not in ports:
            ports.append(port)
    if not ports or len(ports) > _MAX_PORTS:
        raise XeroRedirectPortsInvalid(source=source)
    return tuple(ports)


def _read_settings_file(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsFileInvalid(
            path=str(path), reason=exc.strerror or type(exc).__name__
        ) from exc
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SettingsFileInvalid(path=str(path), reason=f"line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise SettingsFileInvalid(path=str(path), reason="not a JSON object")
    return data


def load_xero_settings(
    config_dir: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> XeroAppSettings:
    """The real Xero endpoints with the client id and ports from the environment or the file.

    Raises :class:`XeroAppNotConfigured` (with what to register and where to put the id)
    when no client id is set anywhere.
    """
    env = os.environ if environ is None else environ
    if config_dir is None:
        from core.store.paths import AppPaths

        config_dir = AppPaths.default().config
    path = Path(config_dir) / SETTINGS_FILE
    file_values = _read_settings_file(path)

    env_ports = env.get(ENV_REDIRECT_PORTS, "").strip()
    if env_ports:
        ports = parse_ports(env_ports, ENV_REDIRECT_PORTS)
    elif file_values.get("xero_redirect_ports") not in (None, "", []):
        ports = parse_ports(file_values["xero_redirect_ports"], f"{path} (xero_redirect_ports)")
    else:
        ports = DEFAULT_REDIRECT_PORTS

    client_id = env.get(ENV_CLIENT_ID, "").strip()
    if not client_id:
        raw = file_values.get("xero_client_id")
        client_id = raw.strip() if isinstance(raw, str) else ""
    if not client_id:
        raise XeroAppNotConfigured(
            redirect_uris=", ".join(loopback_redirect_uri(p) for p in ports),
            settings_file=str(path),
        )
    legacy = file_values.get("xero_scopes_legacy", False)
    if not isinstance(legacy, bool):
        raise SettingsFileInvalid(path=str(path), reason="xero_scopes_legacy must be true or false")
    return XeroAppSettings(client_id=client_id, redirect_ports=ports, scopes_legacy=legacy)
