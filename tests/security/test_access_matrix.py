"""Every URL pattern of the project against every role, with the answer each must get.

To add a URL: add its row to MATRIX below (a test fails, naming the pattern, until you do).
The world the rows run in is in tests/security/world.py: "here" is the cohort the URL is
about (its programme, mentor, mentee, document versions 1 approved and 2 draft, interview,
analysis run, baseline stage); a parameter the world does not know needs a value there.

Roles, in column order:
  anon       nobody signed in, with a forged personal-link token
  p_here     a participant of this cohort, through their own personal link (no account)
  p_else     a participant of another programme's cohort, through their own personal link
  facil      a facilitator of this cohort (a user in its facilitators, not a lead)
  lead       a lead of this programme
  l_else     a lead of another programme
  admin      a superuser

Answers: OK (200), LOGIN (302 to sign in), AWAY (302 elsewhere: done, or sent on), NONE
(404: out of reach, as if it did not exist), DENIED (403: within reach, but not for this
role), GONE (405 for the wrong method). Personal-link pages are reached by the link's
token, so the roles without a link use the forged one. Every request runs in a savepoint
that is rolled back, so a POST by one role does not change the world for the next; a
refused request must also leave the database as it was.
"""

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import ROLES, build_world

pytestmark = pytest.mark.django_db

OK, LOGIN, AWAY, NONE, DENIED, GONE = 200, "LOGIN", "AWAY", 404, 403, 405


@dataclass(frozen=True)
class Row:
    method: str
    expected: tuple
    data: dict | None = None  # the POST body
    kwargs: dict | None = None  # URL parameters other than the world's defaults


def get(*expected, **kwargs) -> Row:
    return Row("GET", expected, kwargs=kwargs or None)


def post(*expected, data: dict | None = None, **kwargs) -> Row:
    return Row("POST", expected, data=data, kwargs=kwargs or None)


# What the send button posts: invitations to the mentors.
MENTORS = {"role": "mentor"}
# A theme's new name.
THEME = {"label": "Renamed theme"}

# fmt: off
MATRIX = {
    #                                            anon   p_here p_else facil   lead   l_else admin
    "login":                                 get(OK,    OK,    OK,    AWAY,   AWAY,  AWAY,  AWAY),
    "logout":                                post(LOGIN, LOGIN, LOGIN, LOGIN,  LOGIN, LOGIN, LOGIN),
    "password_change":                       get(LOGIN, LOGIN, LOGIN, OK,     OK,    OK,    OK),
    "password_change_done":                  get(LOGIN, LOGIN, LOGIN, OK,     OK,    OK,    OK),
    # Asking for a link, and using one, need no account: the link is the proof.
    "password_reset":                        get(OK,    OK,    OK,    OK,     OK,    OK,    OK),
    "password_reset_done":                   get(OK,    OK,    OK,    OK,     OK,    OK,    OK),
    # A made-up link (world.py): the page says it no longer works.
    "password_reset_confirm":                get(OK,    OK,    OK,    OK,     OK,    OK,    OK),
    "password_reset_complete":               get(OK,    OK,    OK,    OK,     OK,    OK,    OK),
    # Programmes and cohorts: the leads of the programme, and admins.
    "participants:dashboard":                get(LOGIN, LOGIN, LOGIN, OK,     OK,    OK,    OK),
    "participants:programme_create":         get(LOGIN, LOGIN, LOGIN, DENIED, OK,    OK,    OK),
    "participants:programme_detail":         get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "participants:programme_edit":           get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "participants:cohort_create":            get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "participants:cohort_detail":            get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "participants:cohort_edit":              get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    # Answers exist in this cohort, so its domains are fixed: the page sends the lead back.
    "participants:cohort_domains":           get(LOGIN, LOGIN, LOGIN, NONE,   AWAY,  NONE,  AWAY),
    "participants:participant_create":       get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "participants:participant_upload":       get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "participants:participant_edit":         get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "participants:participant_withdraw":     get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    # The mentor here is on record (link, consent, pair): the page sends the lead back saying why.
    "participants:participant_remove":       get(LOGIN, LOGIN, LOGIN, NONE,   AWAY,  NONE,  AWAY),
    "participants:participant_template":     get(LOGIN, LOGIN, LOGIN, NONE,   OK,    OK,    OK),
    # Everything held about one person: admins only.
    "participants:participant_data_export":  get(LOGIN, LOGIN, LOGIN, NONE,   NONE,  NONE,  OK),
    "participants:participant_erase":        get(LOGIN, LOGIN, LOGIN, NONE,   NONE,  NONE,  OK),
    # Personal links: the token is the key (consented, stage open).
    "questionnaires:respond":                get(NONE,  OK,    OK,    NONE,   NONE,  NONE,  NONE),
    "questionnaires:consent":                get(NONE,  AWAY,  AWAY,  NONE,   NONE,  NONE,  NONE),
    # Questionnaire administration.
    "questionnaires:cohort_questionnaires":  get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "questionnaires:stage_detail":           get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "questionnaires:stage_edit":             get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "questionnaires:stage_send":             post(LOGIN, LOGIN, LOGIN, NONE,  AWAY,  NONE,  AWAY, data=MENTORS),
    "questionnaires:link_reissue":           post(LOGIN, LOGIN, LOGIN, NONE,  AWAY,  NONE,  AWAY),
    "questionnaires:link_revoke":            post(LOGIN, LOGIN, LOGIN, NONE,  AWAY,  NONE,  AWAY),
    "questionnaires:responses_csv":          get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "questionnaires:free_text_csv":          get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    # The audit trail: admins only.
    "audit:audit_log":                       get(LOGIN, LOGIN, LOGIN, NONE,   NONE,  NONE,  OK),
    "audit:audit_log_csv":                   get(LOGIN, LOGIN, LOGIN, NONE,   NONE,  NONE,  OK),
    # Phase 1: leads run the interviews and approve; facilitators write the documents.
    "mentoring_sessions:interview_list":     get(LOGIN, LOGIN, LOGIN, DENIED, OK,    NONE,  OK),
    "mentoring_sessions:interview_create":   get(LOGIN, LOGIN, LOGIN, DENIED, OK,    NONE,  OK),
    "mentoring_sessions:interview_edit":     get(LOGIN, LOGIN, LOGIN, DENIED, OK,    NONE,  OK),
    "mentoring_sessions:interview_delete":   get(LOGIN, LOGIN, LOGIN, DENIED, OK,    NONE,  OK),
    "mentoring_sessions:feedback_list":      get(LOGIN, LOGIN, LOGIN, OK,     OK,    NONE,  OK),
    "mentoring_sessions:feedback_history":   get(LOGIN, LOGIN, LOGIN, OK,     OK,    NONE,  OK),
    "mentoring_sessions:feedback_edit":      get(LOGIN, LOGIN, LOGIN, OK,     OK,    NONE,  OK),
    "mentoring_sessions:feedback_detail":    get(LOGIN, LOGIN, LOGIN, OK,     OK,    NONE,  OK),
    "mentoring_sessions:feedback_approve":   post(LOGIN, LOGIN, LOGIN, DENIED, AWAY, NONE,  AWAY, version=2),
    "mentoring_sessions:feedback_print":     get(LOGIN, LOGIN, LOGIN, OK,     OK,    NONE,  OK),
    "mentoring_sessions:feedback_pdf":       get(LOGIN, LOGIN, LOGIN, OK,     OK,    NONE,  OK),
    # Analysis.
    "analysis:cohort_analysis":              get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:run_start":                    post(LOGIN, LOGIN, LOGIN, NONE,  AWAY,  NONE,  AWAY),
    "analysis:run_detail":                   get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:run_status":                   get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:run_results_csv":              get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    # Phase 2, the lead's side: willingness, allocation, meetings, progress.
    "mentoring_sessions:willingness_matrix": get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "mentoring_sessions:willingness_edit":   get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "mentoring_sessions:allocation":         get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "mentoring_sessions:pairing_by_hand":    get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "mentoring_sessions:allocation_record":  get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "mentoring_sessions:allocation_record_inputs": get(LOGIN, LOGIN, LOGIN, NONE, OK, NONE, OK),
    "mentoring_sessions:pairing_detail":     get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    # The pair's meeting is scheduled, not cancelled: the lead is sent back with a message.
    "mentoring_sessions:pairing_reallocate": post(LOGIN, LOGIN, LOGIN, NONE,  AWAY,  NONE,  AWAY),
    "mentoring_sessions:meeting_edit":       get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "mentoring_sessions:meeting_reschedule": get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "mentoring_sessions:progress":           get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    # Phase 2, the mentor's side, through their own link: only their own mentee's approved document.
    "mentoring_sessions:mentor_home":        get(NONE,  OK,    OK,    NONE,   NONE,  NONE,  NONE),
    # The mentor here has a mentee, so their answer is fixed: the page sends them home.
    "mentoring_sessions:mentor_willingness": get(NONE,  AWAY,  OK,    NONE,   NONE,  NONE,  NONE),
    "mentoring_sessions:mentor_feedback":    get(NONE,  OK,    NONE,  NONE,   NONE,  NONE,  NONE),
    # The report, its downloads and the themes: the leads of the programme, and admins.
    "analysis:cohort_report":                get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:report_chart":                 get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:report_pdf":                   get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:report_xlsx":                  get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:report_sav":                   get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:report_dictionary":            get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:theme_list":                   get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:theme_edit":                   post(LOGIN, LOGIN, LOGIN, NONE,  AWAY,  NONE,  AWAY, data=THEME),
    "analysis:theme_delete":                 post(LOGIN, LOGIN, LOGIN, NONE,  AWAY,  NONE,  AWAY),
    "analysis:theme_coding":                 get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    "analysis:theme_quotes_csv":             get(LOGIN, LOGIN, LOGIN, NONE,   OK,    NONE,  OK),
    # Offers only the cohorts of the programmes the user leads (none to a facilitator).
    "analysis:compare_cohorts":              get(LOGIN, LOGIN, LOGIN, OK,     OK,    OK,    OK),
    # For load balancers: no session, no data, one query.
    "healthz":                               get(OK,    OK,    OK,    OK,     OK,    OK,    OK),
}
# fmt: on

# Left out of the matrix, and why:
# - the Django admin (namespace "admin"): it has its own gate (staff accounts with model
#   permissions, answered by a sign-in page), which Django tests; only admins have staff accounts.
# - static files: served by WhiteNoise before URL routing, never through a URL pattern; a
#   pattern under STATIC_URL would be left out for the same reason.
EXCLUDED_NAMESPACES = {"admin"}


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", route: str = ""):
    """(name, route, parameter names) of every pattern, walking included URLconfs recursively."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        here = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            yield from url_patterns(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix, here)
        elif isinstance(entry, URLPattern):
            if here.startswith(settings.STATIC_URL.lstrip("/")):
                continue
            name = f"{prefix}{entry.name}" if entry.name else f"(unnamed) {here}"
            yield name, here, list(entry.pattern.regex.groupindex)


def pages_open_to(world, role: str) -> list[str]:
    """Every address the matrix answers OK to a GET from the role, with the world's objects."""
    column = ROLES.index(role)
    params = {name: names for name, _, names in url_patterns()}
    urls = []
    for name, row in MATRIX.items():
        if row.method == "GET" and row.expected[column] == OK:
            kwargs = {key: world.url_kwargs(role)[key] for key in params[name]} | (row.kwargs or {})
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def outcome(response) -> object:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else AWAY
    return response.status_code


def database_state() -> list:
    """Every row the application keeps, apart from sessions: a refused request must not change it."""
    labels = {"participants", "mentoring_sessions", "questionnaires", "analysis", "audit", "auth"}
    state = []
    for model in apps.get_models():
        if model._meta.app_label in labels:
            state.append((model._meta.label, list(model.objects.order_by("pk").values_list())))
    return state


def test_every_url_pattern_has_a_row_in_the_access_matrix():
    names = [name for name, _, _ in url_patterns()]
    missing = [name for name in names if name not in MATRIX]
    assert not missing, f"URL patterns with no row in the access matrix (add them to MATRIX): {missing}"
    stale = sorted(set(MATRIX) - set(names))
    assert not stale, f"Rows in the access matrix for URL patterns that no longer exist: {stale}"


def test_every_row_has_an_answer_for_every_role():
    wrong = [name for name, row in MATRIX.items() if len(row.expected) != len(ROLES)]
    assert not wrong, f"Rows without exactly {len(ROLES)} answers: {wrong}"


def test_every_role_gets_the_expected_answer_from_every_url():
    world = build_world()
    params = {name: names for name, _, names in url_patterns()}
    failures = []
    for name, row in MATRIX.items():
        for role, expected in zip(ROLES, row.expected, strict=True):
            kwargs = {key: world.url_kwargs(role)[key] for key in params[name]}
            kwargs.update(row.kwargs or {})
            got, unchanged = _request(world, role, reverse(name, kwargs=kwargs), row)
            if got != expected:
                failures.append(f"{name} as {role}: expected {expected}, got {got}")
            elif refused(expected, signed_in=world.users[role] is not None) and not unchanged:
                failures.append(f"{name} as {role}: refused ({got}) but the database changed")
    assert not failures, "\n".join(failures)


def refused(expected, *, signed_in: bool) -> bool:
    # Sent to sign in is a refusal for a visitor; for a signed-in user it can only be signing out.
    return expected in (NONE, DENIED, GONE) or (expected == LOGIN and not signed_in)


def _request(world, role: str, url: str, row: Row) -> tuple[object, bool]:
    with transaction.atomic():
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        before = database_state()
        response = client.post(url, row.data or {}) if row.method == "POST" else client.get(url)
        unchanged = database_state() == before
        transaction.set_rollback(True)
    return outcome(response), unchanged
