"""Each instrument's items and each cohort's domains, read from the database once per process.

Every questionnaire page and every submission builds its form from them, and a whole cohort
answers in the same week, while a lead changes them rarely. Each change gives the instrument or
the cohort a new revision (`Instrument.items_revision`, `Cohort.domains_revision`: see
`item_changed` and `participants.services.domain_changed`), and so does every save of the
instrument or the cohort itself, which would otherwise write back the revision it was loaded
with. The page reads the revision anyway with the stage and the personal link; the copy kept
here is filed under the revision it was read at, so the next request after a change, in any
process, reads the new rows. The revision is read before the rows, so rows filed under a revision
are never older than it. Writes that send no signals (`QuerySet.update()`, `bulk_create()`,
`bulk_update()`, raw SQL, data migrations) must call `item_changed` or `domain_changed` themselves.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar
from uuid import uuid4

from participants.models import Cohort, Domain
from questionnaires.models import Instrument, Item

Value = TypeVar("Value")


class KeptPerProcess:
    """The most recently used values by key, at most `keep` of them, safe to share between threads."""

    def __init__(self, keep: int):
        self.keep = keep
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], Value]) -> Value:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        # Outside the lock, so that one slow read holds up no one else; two threads may both load.
        value = load()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.keep:
                self._values.popitem(last=False)
        return value


_items = KeptPerProcess(keep=64)  # a few instruments per cohort
_domains = KeptPerProcess(keep=1024)  # every cohort answering at once, in a national roll-out


def instrument_items(instrument: Instrument) -> tuple[Item, ...]:
    return _items.get((instrument.pk, instrument.items_revision), lambda: tuple(instrument.items.all()))


def cohort_domains(cohort: Cohort) -> tuple[Domain, ...]:
    return _domains.get((cohort.pk, cohort.domains_revision), lambda: tuple(cohort.domains.all()))


def item_changed(instrument_id: int) -> None:
    """Record that an instrument's items changed, so that every process reads them again."""
    Instrument.objects.filter(pk=instrument_id).update(items_revision=uuid4())
