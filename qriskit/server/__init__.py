"""``qriskit serve``: an offline drop-in for the hosted BAYAR GG QRIS converter, with a
cashier's page (``pip install "pyqriskit[server]"``).

::

    qriskit serve --host 127.0.0.1 --port 8080        # or, with any ASGI server:
    uvicorn qriskit.server:app --port 8080

    from qriskit.server import Settings, create_app
    app = create_app(Settings(api_key="s3cret", deadline=10))

``app`` is built on first use from the ``QRISKIT_SERVER_*`` environment variables.
Endpoints, limits and the fetcher's rules: docs/server.md. Importing this package needs
no extra; ``app`` and ``create_app`` need Starlette (the ``server`` extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._settings import ENV_PREFIX, Settings

if TYPE_CHECKING:  # what type checkers see of the two names __getattr__ loads on first use
    from starlette.applications import Starlette

    from ._app import create_app

    app: Starlette

__all__ = ["ENV_PREFIX", "Settings", "app", "create_app"]


def __getattr__(name: str) -> Any:
    """Load the app (and Starlette) on first use: ``qriskit --help`` stays light."""
    if name not in ("app", "create_app"):
        raise AttributeError(f"module 'qriskit.server' has no attribute {name!r}")
    from ._deps import require

    require()
    from ._app import create_app

    value: Any = create_app() if name == "app" else create_app
    globals()[name] = value
    return value
