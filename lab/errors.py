"""Every failure becomes a clear page (or JSON for the API) with the right status, never a trace."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lab.access import CsrfRejected, Forbidden, LoginRequired, PasswordChangeRequired
from lab.i18n import N_
from lab.i18n import gettext as _
from lab.web import is_htmx, render

log = logging.getLogger("servicelab")
#: Where an account with a temporary password is sent before anything else (`lab.routes.account`).
PASSWORD_PAGE = "/compte/mot-de-passe"

MESSAGES = {
    400: N_("La demande est incomplète ou mal formée."),
    401: N_("Connectez-vous pour accéder à cette page."),
    403: N_("Vous n'avez pas accès à cette page."),
    404: N_("Cette page n'existe pas ou n'est plus disponible."),
    405: N_("Cette action n'est pas possible à cette adresse."),
    409: N_("Cette action n'est plus possible : les données ont changé entre-temps."),
    413: N_("Le contenu envoyé est trop volumineux."),
    422: N_("Certaines informations envoyées ne sont pas valides."),
    429: N_("Trop de tentatives. Patientez quelques minutes avant de réessayer."),
    500: N_("Une erreur inattendue s'est produite. L'équipe a été prévenue ; réessayez plus tard."),
}


def wants_json(request: Request) -> bool:
    """The JSON API answers in JSON; everything else gets a page."""
    return request.url.path.startswith("/api/")


def error_response(request: Request, status: int, detail: str | None = None, headers: dict | None = None) -> Response:
    """Render the shared error page, or a JSON body for API clients."""
    message = detail or _(MESSAGES.get(status, MESSAGES[400]))
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return render(request, "lab/error.html", {"status": status, "message": message}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = "/login?next=" + quote(request.url.path)
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        if request.method == "GET" and not wants_json(request):
            return RedirectResponse(target, status_code=303)
        return error_response(request, 401)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
        if is_htmx(request):
            return Response(status_code=403, headers={"HX-Redirect": PASSWORD_PAGE})
        if request.method == "GET" and not wants_json(request):
            return RedirectResponse(PASSWORD_PAGE, status_code=303)
        return error_response(request, 403, _("Choisissez d'abord votre propre mot de passe : le mot de passe provisoire "
                                              "ne donne accès qu'à ce choix."))

    @app.exception_handler(CsrfRejected)
    async def csrf_rejected(request: Request, exc: CsrfRejected) -> Response:
        return error_response(
            request,
            403,
            _("La demande a été refusée par sécurité : la page a peut-être expiré. Rechargez-la et recommencez."),
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        standard = exc.detail == HTTPStatus(exc.status_code).phrase  # Starlette's English default: ours instead
        detail = exc.detail if isinstance(exc.detail, str) and not standard else None
        return error_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": _json_safe(exc.errors())}, status_code=422)
        return error_response(request, 422)




class UnexpectedErrors:
    """An unexpected exception becomes the 500 page here, inside the security headers middleware.

    Starlette answers an unhandled exception from its outermost layer, outside every middleware,
    so that page would carry no CSP, no nosniff and no no-store.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            await error_response(Request(scope), 500)(scope, receive, send)


def _json_safe(errors: list[dict]) -> list[dict]:
    """Validation errors may carry exceptions in ctx; keep only what JSON can say."""
    return [{k: v for k, v in error.items() if k in {"loc", "msg", "type"}} for error in errors]
