"""A health check for load balancers and monitoring: the process answers and reaches the database."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" after one database round trip; 503 when the database cannot be reached.

    No session, no template and no sign-in, so that a balancer polling it every second costs
    one small query; the load benchmark uses it as the cheapest page that still reads the database.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
