"""Themes: the codebook, two coders coding free text independently, the themes table, kappa and quotes."""

import csv
import importlib
import io
import re
from collections.abc import Iterable

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analysis.models import STUDY_THEMES, Theme, ThemeCoding
from analysis.themes import Comment, agreement, codebook, theme_counts
from analysis.views import CODING_PAGE_SIZE
from audit.models import AuditEvent
from participants.privacy import participant_erase
from tests.analysis.helpers import free_text
from tests.factories import LeadFactory, UserFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def url(cohort, name: str, *args) -> str:
    return reverse(f"analysis:{name}", args=[cohort.slug, *args])


@pytest.fixture
def comments(cohort):
    return [
        free_text(cohort, "M01", "mentor", "baseline", "Worried about the power gradient."),
        free_text(cohort, "M02", "mentor", "baseline", '=HYPERLINK("http://evil") might upset my consultant'),
        free_text(cohort, "M01", "mentor", "after_phase2", "A refreshing idea."),
        free_text(cohort, "C01", "mentee", "before_phase2", "No time to do it properly."),
    ]


def themes_by_label(cohort) -> dict[str, Theme]:
    return {theme.label: theme for theme in codebook(cohort)}


def coding_post(comments, ticked: dict[int, list[Theme]], no_theme: Iterable[int] = ()) -> dict:
    """The coding page's form: themes ticked per answer id, and the answers ticked "No theme applies"."""
    data = {"answer": [str(c.pk) for c in comments], "page": "1"}
    for answer in comments:
        data[f"a{answer.pk}-themes"] = [str(t.pk) for t in ticked.get(answer.pk, [])]
        if answer.pk in no_theme:
            data[f"a{answer.pk}-no_theme"] = "on"
    return data


def test_a_new_codebook_starts_with_the_studys_seven_themes(lead_client, cohort):
    page = page_text(lead_client.get(url(cohort, "theme_list")))
    for label in STUDY_THEMES:
        assert label in page
    assert [t.label for t in cohort.themes.all()] == STUDY_THEMES


def test_the_lead_adds_renames_and_removes_themes(lead_client, cohort):
    codebook(cohort)
    response = lead_client.post(url(cohort, "theme_list"), {"label": "Wellbeing  of seniors"}, follow=True)
    assert "Theme “Wellbeing of seniors” added." in page_text(response)
    theme = cohort.themes.get(label="Selection bias")
    lead_client.post(url(cohort, "theme_edit", theme.pk), {f"t{theme.pk}-label": "Who volunteers"})
    theme.refresh_from_db()
    assert theme.label == "Who volunteers"
    lead_client.post(url(cohort, "theme_delete", theme.pk))
    assert not cohort.themes.filter(pk=theme.pk).exists()
    assert cohort.themes.last().label == "Wellbeing of seniors"


def test_a_duplicate_theme_is_refused_with_a_message(lead_client, cohort):
    codebook(cohort)
    response = lead_client.post(url(cohort, "theme_list"), {"label": "selection bias"})
    assert "The codebook already has a theme called “selection bias”." in page_text(response)
    assert cohort.themes.count() == len(STUDY_THEMES)


def test_a_theme_used_in_coding_cannot_be_removed(lead_client, lead, cohort, comments):
    theme = themes_by_label(cohort)["Refreshing idea"]
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[2].pk: [theme]}))
    response = lead_client.post(url(cohort, "theme_delete", theme.pk), follow=True)
    assert "cannot be removed" in page_text(response)
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_the_coding_page_shows_answers_by_code_never_by_name(lead_client, cohort, comments):
    response = lead_client.get(url(cohort, "theme_coding"))
    page = page_text(response)
    assert "M01 · Mentor (junior doctor) · Baseline (before phase 1)" in page
    assert "Worried about the power gradient." in page
    assert "C01 · Mentee (consultant) · Before phase 2" in page
    assert "Secret" not in response.content.decode()
    assert "example.nhs.uk" not in response.content.decode()


def test_two_coders_code_independently(client, lead_client, lead, cohort, comments):
    themes = themes_by_label(cohort)
    hierarchy = themes["Hierarchy or power gradient concerns"]
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[0].pk: [hierarchy]}))
    second = LeadFactory(username="second")
    cohort.programme.leads.add(second)
    client.force_login(second)
    page = client.get(url(cohort, "theme_coding")).content.decode()
    # The second coder starts from a blank page: nothing of the first coder's is ticked.
    assert "checked" not in page
    others = [c.pk for c in comments if c != comments[1]]
    client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[1].pk: [hierarchy]}, no_theme=others))
    assert ThemeCoding.objects.get(coder=lead, answer=comments[0]).themes.get() == hierarchy
    assert not ThemeCoding.objects.get(coder=second, answer=comments[0]).themes.exists()
    assert ThemeCoding.objects.filter(coder=second).count() == len(comments)


def test_a_theme_of_another_cohort_is_refused_and_nothing_saved(lead_client, cohort, comments, programme):
    from tests.factories import CohortFactory

    other = CohortFactory(programme=programme)
    foreign = codebook(other)[0]
    response = lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[0].pk: [foreign]}))
    assert "Nothing was saved" in page_text(response)
    assert not ThemeCoding.objects.exists()


def test_an_answer_of_another_cohort_cannot_be_coded(lead_client, cohort, comments, programme):
    from tests.factories import CohortFactory

    other = CohortFactory(programme=programme)
    elsewhere = free_text(other, "M09", "mentor", "baseline", "Elsewhere")
    response = lead_client.post(url(cohort, "theme_coding"), coding_post([elsewhere], {}))
    assert response.status_code == 404
    assert not ThemeCoding.objects.exists()


def test_another_lead_cannot_see_or_code_the_answers(client, other_lead, cohort, comments):
    client.force_login(other_lead)
    for name in ("theme_list", "theme_coding", "theme_quotes_csv"):
        assert client.get(url(cohort, name)).status_code == 404
    assert client.post(url(cohort, "theme_coding"), coding_post(comments, {})).status_code == 404


def test_the_themes_table_counts_comments_per_theme_by_role_and_stage():
    comments = [
        Comment(1, "M01", "mentor", "baseline", "concerns", "a"),
        Comment(2, "M02", "mentor", "baseline", "concerns", "b"),
        Comment(3, "M01", "mentor", "after_phase2", "comments", "c"),
        Comment(4, "C01", "mentee", "before_phase2", "concerns", "d"),
    ]
    codes = {1: {10, 11}, 2: {10}, 3: {11}, 4: {10}}
    columns, rows = theme_counts(comments, codes, [(10, "Hierarchy"), (11, "Refreshing idea"), (12, "Unused")])
    assert columns == [("mentor", "baseline"), ("mentor", "after_phase2"), ("mentee", "before_phase2")]
    assert rows == [
        {"label": "Hierarchy", "counts": [2, 0, 1], "total": 3},
        {"label": "Refreshing idea", "counts": [1, 1, 0], "total": 2},
        {"label": "Unused", "counts": [0, 0, 0], "total": 0},
    ]


def test_kappa_per_theme_is_over_the_answers_both_coders_coded():
    # Theme 10: a says yes, yes, no, no; b says yes, no, no, no -> po = 0.75, pe = 0.5, kappa = 0.5.
    a = {1: {10}, 2: {10}, 3: set(), 4: set(), 5: {10}}
    b = {1: {10}, 2: set(), 3: set(), 4: set()}
    both, rows = agreement(a, b, [(10, "Hierarchy"), (11, "Never used")])
    assert both == 4
    # Each coder's tags are counted on the answers both coded: a's fifth answer is not among them.
    assert rows[0] == {"label": "Hierarchy", "kappa": 0.5, "agreement": 0.75, "ticked_a": 2, "ticked_b": 1}
    # Nobody ever used theme 11: agreement is complete but kappa is undefined.
    assert rows[1] == {"label": "Never used", "kappa": None, "agreement": 1.0, "ticked_a": 0, "ticked_b": 0}


def test_the_report_shows_the_themes_table_and_kappa(client, lead_client, lead, cohort, comments):
    themes = themes_by_label(cohort)
    hierarchy, refreshing = themes["Hierarchy or power gradient concerns"], themes["Refreshing idea"]
    first = {comments[0].pk: [hierarchy], comments[1].pk: [hierarchy], comments[2].pk: [refreshing]}
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, first, no_theme=[comments[3].pk]))
    second = UserFactory(username="coder2")
    cohort.programme.leads.add(second)
    client.force_login(second)
    rest = [c.pk for c in comments[1:]]
    client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[0].pk: [hierarchy]}, no_theme=rest))
    page = page_text(lead_client.get(url(cohort, "cohort_report")))
    assert (
        "Theme Mentor: Baseline (before phase 1) Mentor: After phase 2 Mentee: Before phase 2 Total "
        "Hierarchy or power gradient concerns 2 2" in page
    )
    assert "Refreshing idea 1 1" in page
    assert "4 free-text answers, 4 coded by lead" in page
    # Hierarchy: lead yes, yes, no, no; coder2 yes, no, no, no -> kappa 0.50, agreement 0.75.
    assert "Agreement between lead and coder2 per theme, on the 4 answers both coded" in page
    assert "Cohen's kappa Agreement Tagged by lead Tagged by coder2" in page
    assert "Hierarchy or power gradient concerns 0.50 0.75 2 1" in page


def test_quotes_export_by_code_with_formulas_neutralised_and_audited(lead_client, cohort, comments):
    themes = themes_by_label(cohort)
    hierarchy, refreshing = themes["Hierarchy or power gradient concerns"], themes["Refreshing idea"]
    lead_client.post(
        url(cohort, "theme_coding"),
        coding_post(comments, {comments[1].pk: [hierarchy, refreshing], comments[3].pk: []}),
    )
    response = lead_client.get(url(cohort, "theme_quotes_csv"))
    assert response["Content-Disposition"] == 'attachment; filename="gastro-2026-quotes.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["participant", "role", "stage", "question", "theme", "text"],
        ["M02", "mentor", "baseline", "concerns", "Hierarchy or power gradient concerns", rows[1][5]],
        ["M02", "mentor", "baseline", "concerns", "Refreshing idea", rows[1][5]],
    ]
    assert rows[1][5] == '\'=HYPERLINK("http://evil") might upset my consultant'
    assert "Secret" not in response.content.decode()
    event = AuditEvent.objects.get(action="export", target="theme quotes CSV")
    assert event.detail == "theme quotes CSV, pseudonymised"


def test_the_coding_page_pages_through_answers_and_saving_returns_to_the_same_page(lead_client, cohort):
    answers = [
        free_text(cohort, f"M{n:02d}", "mentor", "baseline", f"Answer number {n}.")
        for n in range(1, CODING_PAGE_SIZE + 6)
    ]
    second = page_text(lead_client.get(url(cohort, "theme_coding"), {"page": "2"}))
    assert f"Showing {CODING_PAGE_SIZE + 1} to {CODING_PAGE_SIZE + 5} of {CODING_PAGE_SIZE + 5} answers." in second
    shown = [a for a in answers if f"{a.value}" in second]
    assert len(shown) == 5
    data = coding_post(shown, {}, no_theme=[a.pk for a in shown]) | {"page": "2"}
    response = lead_client.post(url(cohort, "theme_coding") + "?page=2", data)
    assert response.status_code == 302 and response["Location"].endswith("?page=2")
    assert ThemeCoding.objects.filter(answer__in=shown).count() == 5


def test_going_to_another_coding_page_saves_the_ticks_on_this_one_first(lead_client, cohort):
    answers = [
        free_text(cohort, f"M{n:02d}", "mentor", "baseline", f"Answer number {n}.")
        for n in range(1, CODING_PAGE_SIZE + 6)
    ]
    html = lead_client.get(url(cohort, "theme_coding")).content.decode()
    content = html[html.index("<h1") :]
    first_page = content[: content.index("</form>")]  # the page buttons submit the form, ticks and all
    assert '<button type="submit" class="page-link" name="page" value="2">' in first_page
    shown = [a for a in answers if a.value in first_page]
    hierarchy = themes_by_label(cohort)["Hierarchy or power gradient concerns"]
    data = coding_post(shown, {shown[0].pk: [hierarchy]}) | {"page": "2"}  # the "Next" button
    response = lead_client.post(url(cohort, "theme_coding"), data)
    assert response["Location"].endswith("?page=2")
    assert ThemeCoding.objects.get(coder__username="lead", answer=shown[0]).themes.get() == hierarchy
    # The answers of the page left unticked were only read: they stay uncoded.
    assert ThemeCoding.objects.filter(coder__username="lead").count() == 1


def test_paging_through_answers_without_ticking_codes_nothing(lead_client, cohort, comments):
    response = lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {}) | {"page": "2"}, follow=True)
    assert "you have coded 0 of the 4 answers on that page; those with nothing ticked stay uncoded" in page_text(
        response
    )
    assert not ThemeCoding.objects.exists()


def test_no_theme_applies_is_a_coding_that_shows_again_and_counts(lead_client, lead, cohort, comments):
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {}, no_theme=[comments[0].pk]))
    coding = ThemeCoding.objects.get(coder=lead)
    assert coding.answer == comments[0] and not coding.themes.exists()
    page = lead_client.get(url(cohort, "theme_coding")).content.decode()
    assert re.search(rf'name="a{comments[0].pk}-no_theme"[^>]*checked', page)
    assert not re.search(rf'name="a{comments[1].pk}-no_theme"[^>]*checked', page)


def test_unticking_everything_takes_a_code_back(lead_client, lead, cohort, comments):
    hierarchy = themes_by_label(cohort)["Hierarchy or power gradient concerns"]
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[0].pk: [hierarchy]}))
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {}))
    assert not ThemeCoding.objects.filter(coder=lead).exists()


def test_a_theme_and_no_theme_ticked_together_are_refused_and_nothing_saved(lead_client, cohort, comments):
    hierarchy = themes_by_label(cohort)["Hierarchy or power gradient concerns"]
    data = coding_post(comments, {comments[0].pk: [hierarchy]}, no_theme=[comments[0].pk, comments[1].pk])
    response = lead_client.post(url(cohort, "theme_coding"), data)
    text = page_text(response)
    assert "Nothing was saved: see the answers marked below." in text
    assert "Tick the themes that apply or “No theme applies”, not both." in text
    assert not ThemeCoding.objects.exists()


def test_erasing_a_participant_keeps_their_coded_comments_in_the_themes_table(lead_client, cohort, comments):
    hierarchy = themes_by_label(cohort)["Hierarchy or power gradient concerns"]
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[0].pk: [hierarchy]}))
    participant_erase(participant=comments[0].response.participant)
    page = page_text(lead_client.get(url(cohort, "cohort_report")))
    assert "Hierarchy or power gradient concerns 1 1" in page
    assert "Worried about the power gradient" not in lead_client.get(url(cohort, "theme_coding")).content.decode()


def test_answers_to_code_and_quotes_follow_the_protocols_order_of_stages(lead_client, cohort, comments):
    page = lead_client.get(url(cohort, "theme_coding")).content.decode()
    assert page.index("Worried about the power gradient.") < page.index("A refreshing idea.")  # baseline first
    refreshing = themes_by_label(cohort)["Refreshing idea"]
    ticked = {comments[0].pk: [refreshing], comments[2].pk: [refreshing]}
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, ticked))
    rows = list(csv.reader(io.StringIO(lead_client.get(url(cohort, "theme_quotes_csv")).content.decode())))
    assert [row[2] for row in rows[1:]] == ["baseline", "after_phase2"]


def test_the_xlsx_agreement_sheet_names_the_coders_and_holds_numbers(client, lead_client, cohort, comments):
    hierarchy = themes_by_label(cohort)["Hierarchy or power gradient concerns"]
    both_read = [c.pk for c in comments[1:]]
    lead_client.post(url(cohort, "theme_coding"), coding_post(comments, {comments[0].pk: [hierarchy]}, both_read))
    second = UserFactory(username="coder2")
    cohort.programme.leads.add(second)
    client.force_login(second)
    client.post(url(cohort, "theme_coding"), coding_post(comments, {}, no_theme=[c.pk for c in comments]))
    workbook = load_workbook(io.BytesIO(client.get(url(cohort, "report_xlsx")).content))
    rows = list(workbook["Agreement"].values)
    assert rows[0][0].startswith("Agreement between lead and coder2 per theme, on the 4 answers both coded.")
    assert rows[2] == ("Theme", "Cohen's kappa", "Agreement", "Tagged by lead", "Tagged by coder2")
    assert rows[3] == ("Hierarchy or power gradient concerns", 0.0, 0.75, 1, 0)


def test_a_lead_who_removes_every_theme_keeps_an_empty_codebook_and_can_add_one(lead_client, cohort):
    for theme in codebook(cohort):
        lead_client.post(url(cohort, "theme_delete", theme.pk), follow=True)
    page = page_text(lead_client.get(url(cohort, "theme_list")))
    assert "The codebook has no themes. Add the first one below." in page
    assert not any(label in page for label in STUDY_THEMES)
    assert not cohort.themes.exists()
    assert "The codebook has no themes: add themes to code the answers with." in page_text(
        lead_client.get(url(cohort, "theme_coding"))
    )
    lead_client.post(url(cohort, "theme_list"), {"label": "Psychological safety"})
    assert [t.label for t in codebook(cohort)] == ["Psychological safety"]


def test_existing_cohorts_are_given_the_studys_themes_unless_their_answers_have_been_coded(lead, cohort, programme):
    from django.apps import apps

    from tests.factories import CohortFactory

    migration = importlib.import_module("analysis.migrations.0004_seed_study_themes_for_existing_cohorts")
    coded = CohortFactory(programme=programme, slug="coded")
    custom = CohortFactory(programme=programme, slug="custom")
    ThemeCoding.objects.create(answer=free_text(coded, "M01", "mentor", "baseline", "Fine."), coder=lead)
    Theme.objects.filter(cohort__in=[cohort, coded]).delete()  # as cohorts made before themes were seeded
    Theme.objects.filter(cohort=custom).exclude(label="Selection bias").delete()
    migration.seed_study_themes(apps, None)
    assert [t.label for t in cohort.themes.all()] == STUDY_THEMES
    assert not coded.themes.exists()
    assert [t.label for t in custom.themes.all()] == ["Selection bias"]
