"""The one composition root: every layer's routers, migrations, templates, hooks and workers, wired here.

Lower layers never register themselves: they offer routers, migration sets, template folders and
hook types, and this module lists them in layer order and fills `app.state` completely at start.
The `lab` command (`lab.cli`) reads the same lists, so the web app and the CLI see one wiring.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from fastapi import Depends, FastAPI
from fastapi.templating import Jinja2Templates
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import analysis.reports
import analysis.themes
import feedback
import lab
import lab.campaigns
import prototypes
from analysis.reports import migrations as report_migrations
from analysis.reports import routes as report_routes
from analysis.reports.erasure import forget_reports
from analysis.reports.refresh_task import SnapshotRefresh
from analysis.themes import migrations as theme_migrations
from analysis.themes import routes as theme_routes
from analysis.themes.actions import delivered_action_titles
from analysis.themes.erasure import forget_themes
from analysis.themes.jobs import QueuedAnalyses
from analysis.themes.preparation import CommentPreparation
from feedback import migrations as feedback_migrations
from feedback.limits import Limiters
from feedback.mail_task import MailSending
from feedback.mailings import queue_change_notices
from feedback.retention import purge_expired
from feedback.routes import api, imports, kiosk, mail_citizen, mail_staff, own_data, participant, staff, widget
from lab import errors
from lab import migrations as kernel_migrations
from lab.access import endpoints, route_rule
from lab.body_limit import BodyLimit
from lab.campaigns import migrations as campaign_migrations
from lab.campaigns.deployments import DeploymentHook
from lab.campaigns.routes import deployments, groups
from lab.clock import utcnow
from lab.db import ConnectionPool, checkpoint, migrate, opened, write
from lab.group_commit import GroupCommit
from lab.head_requests import HeadAsGet
from lab.routes import admin, auth
from lab.routes import organisation as organisation_routes
from lab.routes.auth import LoginLimits
from lab.routes.organisation import with_organisation
from lab.security import CompressStatic, SecurityHeaders, VisitorCookies
from lab.settings import Settings
from lab.templating import STATIC_DIR, build_templates, template_dir
from lab.worker import Task, Worker
from prototypes import migrations as prototype_migrations
from prototypes import routes as prototype_routes
from prototypes.spec import MAX_SPEC_BYTES

#: Applied in this order at every start: each layer's tables after those it refers to.
MIGRATIONS = (
    kernel_migrations.migrations,
    prototype_migrations.migrations,
    campaign_migrations.migrations,
    feedback_migrations.migrations,
    theme_migrations.migrations,
    report_migrations.migrations,
)

#: One Jinja environment over every layer's `templates` folder (each namespaced by its layer's name).
TEMPLATE_FOLDERS = tuple(
    template_dir(package.__file__)
    for package in (lab, lab.campaigns, prototypes, feedback, analysis.themes, analysis.reports)
)

#: Order decides path precedence. Routes are matched one by one, so the feedback API, the busiest
#: and a path no other route shares, comes first.
ROUTERS = (
    api.router,
    auth.router,
    admin.router,
    organisation_routes.router,
    groups.router,
    deployments.router,
    prototype_routes.router,
    participant.router,
    own_data.router,
    kiosk.router,
    staff.router,
    widget.router,
    imports.router,
    mail_staff.router,
    mail_citizen.router,
    report_routes.router,
    theme_routes.router,
)

#: What erasure and retention must also forget: derived from comments by the layers above feedback.
FORGET_HOOKS = (forget_themes, forget_reports)

#: Sections the iteration page shows below its own content, from layers above prototypes.
ITERATION_SECTIONS = (theme_routes.DELIVERED_SECTION,)


def deployment_hooks(settings: Settings) -> tuple[DeploymentHook, ...]:
    """What creating a session also does: "ce qui a changé" messages, queued only when mail can be sent."""
    return (functools.partial(queue_change_notices, settings=settings),) if settings.smtp.configured else ()


def background_tasks(settings: Settings, group_commit: GroupCommit, templates: Jinja2Templates) -> tuple[Task, ...]:
    """The background worker's tasks, most urgent first: each call of the worker does one unit of the first with work."""
    return (
        # People wait for these; each unit is one short exchange with the relay, paced by the rate limit.
        MailSending(settings, templates.env, delivered_action_titles),
        QueuedAnalyses(),  # staff watch the progress bar of the analysis they started
        SnapshotRefresh(settings.db_path),  # a manager reads stale figures (or waits for the first ones)
        CommentPreparation(foreground_busy=group_commit.busy),  # nobody waits; yields while submissions pour in
    )


#: Largest body a citizen's step may send (files are spooled to disk, only their name and size are kept).
CITIZEN_UPLOAD_BYTES = 32 * 1024 * 1024

log = logging.getLogger("servicelab")


class UndeclaredAccess(RuntimeError):
    """A route was mounted without saying who may call it."""


def check_access_rules(app: FastAPI) -> None:
    """Deny by default: refuse to start if any route lacks an access rule."""
    missing = [f"{sorted(r.methods)} {r.path}" for r in endpoints(app) if route_rule(r) is None]
    if missing:
        raise UndeclaredAccess("routes without an access rule: " + ", ".join(missing))


def migrate_all(db) -> None:
    """Bring a database up to date with every layer's migrations."""
    migrate(db, MIGRATIONS)


def purge_on_start(db) -> None:
    """Retention is enforced at every start as well as by `lab purge` (e.g. from cron)."""
    with write(db):
        purged = purge_expired(db, now=utcnow(), hooks=FORGET_HOOKS)
    if purged:
        checkpoint(db)
        log.info("retention: purged deployments %s", sorted(purged))


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI):
    """Stop the background worker, commit queued writes and close pooled connections when the server stops."""
    try:
        yield
    finally:
        await asyncio.to_thread(app.state.worker.stop)
        app.state.group_commit.close()
        app.state.db_pool.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build a ready-to-serve app: database migrated, routers mounted, state filled, middleware in place."""
    settings = settings or Settings.from_env()
    logging.basicConfig(level=logging.INFO)
    group_commit = GroupCommit(settings.db_path)
    templates = build_templates(TEMPLATE_FOLDERS)
    worker = Worker(settings.db_path, background_tasks(settings, group_commit, templates))
    with opened(settings.db_path) as db:
        migrate_all(db)
        purge_on_start(db)
        worker.recover(db)  # even when workers are off: a job left running must not look alive
    app = FastAPI(
        title="servicelab",
        version="0.1.0",
        docs_url=None,  # served by `lab.routes.auth` from vendored Swagger UI files
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    state = app.state
    state.settings = settings
    state.db_pool = ConnectionPool(settings.db_path)
    state.group_commit = group_commit
    state.templates = templates
    state.login_limits = LoginLimits.from_settings(settings)
    state.feedback_limiters = Limiters.from_settings(settings)
    state.forget_hooks = FORGET_HOOKS
    state.iteration_sections = ITERATION_SECTIONS
    state.delivered_actions = delivered_action_titles
    state.deployment_hooks = deployment_hooks(settings)
    # Built always, so tests and tools can drive its tasks; its thread runs only when workers are on.
    state.worker = worker.start() if settings.start_workers else worker
    errors.install(app)
    for router in ROUTERS:
        # Pages name the collectivité; the JSON API, the busiest route, reads nothing it does not need.
        app.include_router(router, dependencies=[] if router is api.router else [Depends(with_organisation)])
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    check_access_rules(app)
    app.add_middleware(VisitorCookies, secure=settings.secure_cookies, default_locale=settings.default_locale,
                       cookieless_prefixes=("/api/v1/feedback",))
    # Citizens' steps take phone photos (often 6-12 MB): let the step itself refuse an oversized file
    # with a message next to the field; the request cap only stops absurd bodies.
    app.add_middleware(BodyLimit, default=settings.max_body_bytes, limits={"/api/v1/specs/": MAX_SPEC_BYTES, "/api/": 64 * 1024},
                       upload_limits={"/take/": max(settings.max_body_bytes, CITIZEN_UPLOAD_BYTES)},
                       default_locale=settings.default_locale)
    app.add_middleware(CompressStatic)
    app.add_middleware(errors.UnexpectedErrors)
    app.add_middleware(SecurityHeaders, frameable_prefixes=("/widget/",))
    app.add_middleware(HeadAsGet)
    if settings.trusted_proxies:
        # Outermost, so rate limits key on each citizen's address rather than on the proxy's.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app
