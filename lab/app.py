"""The one composition root: build the app for given settings, mount every package."""

from __future__ import annotations

import contextlib
import importlib
import logging

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from lab import errors
from lab.access import endpoints, route_rule
from lab.clock import utcnow
from lab.db import ConnectionPool, migrate, opened, write
from lab.group_commit import GroupCommit
from lab.ratelimit import RateLimiter
from lab.security import BodyLimit, CompressStatic, SecurityHeaders, VisitorCookies
from lab.settings import Settings
from lab.templating import STATIC_DIR, build_templates

#: Router modules, each exposing `router`; order decides path precedence. Routes are matched one
#: by one, so the feedback API, the busiest and a path no other route shares, comes first.
ROUTER_MODULES = (
    "feedback.api",
    "lab.routes.auth",
    "lab.routes.admin",
    "lab.routes.groups",
    "lab.routes.deployments",
    "prototypes.routes",
    "feedback.routes",
    "feedback.staff_routes",
    "feedback.widget",
    "feedback.import_routes",
    "analysis.report_routes",
    "analysis.theme_routes",
)


#: Largest body a citizen's step may send (files are spooled to disk, only their name and size are kept).
CITIZEN_UPLOAD_BYTES = 32 * 1024 * 1024


class UndeclaredAccess(RuntimeError):
    """A route was mounted without saying who may call it."""


def check_access_rules(app: FastAPI) -> None:
    """Deny by default: refuse to start if any route lacks an access rule."""
    missing = [f"{sorted(r.methods)} {r.path}" for r in endpoints(app) if route_rule(r) is None]
    if missing:
        raise UndeclaredAccess("routes without an access rule: " + ", ".join(missing))


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    """Commit queued writes and give pooled connections back to SQLite when the server stops."""
    yield
    app.state.group_commit.close()
    app.state.db_pool.close()


def purge_on_start(db) -> None:
    """Retention is enforced at every start as well as by `lab purge` (e.g. from cron)."""
    from feedback.retention import purge_expired

    with write(db):
        purged = purge_expired(db, now=utcnow())
    if purged:
        logging.getLogger("servicelab").info("retention: purged deployments %s", sorted(purged))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build a ready-to-serve app: database migrated, routers mounted, middleware in place."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=logging.INFO)
    with opened(settings.db_path) as db:
        migrate(db)
        purge_on_start(db)
    app = FastAPI(
        title="servicelab",
        version="0.1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db_pool = ConnectionPool(settings.db_path)
    app.state.group_commit = GroupCommit(settings.db_path)
    app.state.templates = build_templates()
    app.state.login_limiter = RateLimiter(settings.login_attempts, settings.login_window_seconds)
    errors.install(app)
    for module in ROUTER_MODULES:
        app.include_router(importlib.import_module(module).router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    check_access_rules(app)
    # Theme analysis: fail jobs a previous server left running, start its worker if enabled.
    importlib.import_module("analysis.theme_routes").install(app)
    app.add_middleware(VisitorCookies, secure=settings.secure_cookies, default_locale=settings.default_locale,
                       cookieless_prefixes=("/api/v1/feedback",))
    # Citizens' steps take phone photos (often 6-12 MB): let the step itself refuse an oversized file
    # with a message next to the field; the request cap only stops absurd bodies.
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, limits={"/api/": 64 * 1024},
                       upload_limits={"/take/": max(settings.max_body_bytes, CITIZEN_UPLOAD_BYTES)},
                       default_locale=settings.default_locale)
    app.add_middleware(CompressStatic)
    app.add_middleware(SecurityHeaders, frameable_prefixes=("/widget/",))
    return app
