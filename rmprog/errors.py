"""Error pages that tell people what happened without showing them a stack trace."""

import logging
import secrets
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("rmprog.incidents")


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500, called while the exception is being handled.

    Every error gets an incident id that is both logged and shown. When the
    database cannot be reached the page says so (503), and the broken connections
    are dropped so that the next request connects afresh once it is back.
    """
    incident_id = secrets.token_hex(4).upper()
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("Incident %s: database unavailable: %s", incident_id, exception)
        for connection in connections.all(initialized_only=True):
            if not connection.in_atomic_block:
                connection.close()
        return HttpResponse(render_to_string("503.html", {"incident_id": incident_id}), status=503)
    logger.error("Incident %s on %s", incident_id, request.path, exc_info=exception)
    return HttpResponse(render_to_string("500.html", {"incident_id": incident_id}), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF_FAILURE_VIEW: a form refused by the CSRF check, explained in the site's own page.

    Participants meet it when their browser drops this site's cookies (private browsing, an e-mail
    app's built-in browser) or a page stayed open past a sign-out; Django's own page, unstyled and
    in technical terms, did not tell them that nothing was saved or what to do.
    """
    logger.info("Form refused by the CSRF check on %s: %s", request.path, reason)
    return HttpResponse(render_to_string("403_csrf.html", request=request), status=403)
