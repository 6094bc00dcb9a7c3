"""The client address behind reverse proxies.

Rate limits count per client address. Behind a proxy every request comes from the
proxy's address, so the real one has to be read from X-Forwarded-For, but only
as many hops as TRUSTED_PROXIES says: further left the header is whatever the
client wrote. With no proxy configured the header is ignored altogether.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxies(app: Flask) -> None:
    """Read the client address from the last TRUSTED_PROXIES X-Forwarded-For hops."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        # x_for only: links are built from BASE_URL, never from forwarded host or scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0)
