"""Settings of the Xero simulator, shared by its identity and API halves."""

from __future__ import annotations

from dataclasses import dataclass, field

# The Demo Company's "registered app" lists the same loopback ports as the product's.
from core.store.settings import DEFAULT_REDIRECT_PORTS, XeroAppSettings, loopback_redirect_uri

# A Xero client id is 32 upper-case hex-like characters; this one is the Demo Company's app.
DEMO_CLIENT_ID = "DE30C0A1B2C3D4E5F60718293A4B5C6D"


@dataclass
class XeroConfig:
    client_id: str = DEMO_CLIENT_ID
    redirect_uris: list[str] = field(
        default_factory=lambda: [loopback_redirect_uri(p) for p in DEFAULT_REDIRECT_PORTS]
    )
    access_token_ttl: int = 1800  # seconds; Xero access tokens last 30 minutes
    refresh_grace: int = 1800  # the old refresh token stays valid 30 min after rotation
    refresh_token_ttl: int = 60 * 86400  # unused refresh tokens expire after 60 days
    code_ttl: int = 300  # authorization codes are short-lived and single-use
    concurrent_limit: int = 5  # per tenant
    minute_limit: int = 60  # per tenant, fixed window
    day_limit: int = 5000  # per tenant, fixed window
    app_minute_limit: int = 10000  # per app across tenants
    high_volume_threshold: int = 100_000  # contacts above which unindexed `where` filters fail
    max_page_size: int = 1000  # Contacts pageSize cap


def demo_xero_settings(xero_base: str) -> XeroAppSettings:
    """Settings for the Demo Company's Xero simulator listening at ``xero_base``."""
    base = xero_base.rstrip("/")
    return XeroAppSettings(
        client_id=DEMO_CLIENT_ID,
        redirect_ports=tuple(DEFAULT_REDIRECT_PORTS),
        authorize_url=base + "/identity/connect/authorize",
        token_url=base + "/identity/connect/token",
        revocation_url=base + "/identity/connect/revocation",
        api_base=base,
    )
