from django.apps import AppConfig
from django.db.backends.signals import connection_created


def plan_cursors_for_every_row(sender, connection, **kwargs) -> None:
    """Have PostgreSQL plan server-side cursors for their whole result.

    Every cursor here (the exports, the analysis) reads all its rows, but PostgreSQL plans a
    cursor for its first tenth by default: a 1,000,000-answer export took a fifth longer with
    that fast-start plan. A SET on each new connection rather than a connection option, which
    PgBouncer refuses in transaction mode and which would replace an operator's own options.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET cursor_tuple_fraction = 1")


class QuestionnairesConfig(AppConfig):
    name = "questionnaires"

    def ready(self) -> None:
        connection_created.connect(plan_cursors_for_every_row, dispatch_uid="plan_cursors_for_every_row")
