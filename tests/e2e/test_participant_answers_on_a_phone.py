import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from questionnaires.models import CohortStage, LikertAnswer, Response, Stage
from questionnaires.services import link_issue
from tests.factories import MentorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def press_choice(page: Page, name: str, value: str) -> None:
    """Choose a radio button with the keyboard alone: focus it and press the space bar."""
    radio = page.locator(f'input[name="{name}"][value="{value}"]')
    radio.focus()
    page.keyboard.press("Space")
    expect(radio).to_be_checked()


def test_a_mentor_consents_and_answers_the_baseline_on_a_phone_with_the_keyboard(page: Page, live_server, cohort):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(
        opens_on=today, closes_on=today + datetime.timedelta(days=7)
    )
    mentor = MentorFactory(cohort=cohort, code="M01")
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)

    page.goto(f"{live_server.url}/r/{token}/")
    expect(page.get_by_role("heading", name="Taking part in")).to_be_visible()
    page.get_by_label("I have read the information above and agree to take part.").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Continue").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Mentor questionnaire before phase 1")).to_be_visible()
    page.get_by_label("What concerns, if any, do you have about reverse mentoring?").focus()
    page.keyboard.type("That my supervisor might take it badly.")
    press_choice(page, "understanding", "3")
    for construct in ("importance", "confidence", "ability"):
        for domain in cohort.domains.all():
            press_choice(page, f"{construct}__{domain.key}", "4")
    expect(page.get_by_text("23 of 24 questions answered")).to_be_visible()
    page.get_by_role("button", name="Submit answers").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    response = Response.objects.get(participant=mentor, stage=Stage.BASELINE)
    assert response.status == Response.Status.SUBMITTED
    assert LikertAnswer.objects.filter(response=response).count() == 22
    mentor.refresh_from_db()
    assert mentor.consent_given_at is not None


def test_the_questionnaire_fits_a_phone_screen(page: Page, live_server, cohort):
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(opens_on=today)
    mentor = MentorFactory(cohort=cohort, code="M02", consent_given_at=timezone.now(), consent_version="2026-11")
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
    page.goto(f"{live_server.url}/r/{token}/")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390  # nothing forces sideways scrolling


@pytest.fixture
def questionnaire_url(live_server, cohort) -> str:
    """The baseline questionnaire of a mentor who has consented, open today."""
    today = timezone.localdate()
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(opens_on=today)
    mentor = MentorFactory(cohort=cohort, code="M03", consent_given_at=timezone.now(), consent_version="2026-11")
    _, token = link_issue(participant=mentor, stage=Stage.BASELINE)
    return f"{live_server.url}/r/{token}/"


def wait_until_on_screen(page: Page, selector: str) -> None:
    """Wait for the element to be wholly on screen, Bootstrap's smooth scrolling done."""
    page.wait_for_function(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        arg=selector,
        timeout=3000,
    )


def test_a_failed_submission_lists_the_problems_in_focus_and_each_link_goes_to_its_question(
    page: Page, questionnaire_url
):
    page.goto(questionnaire_url)
    page.get_by_role("button", name="Submit answers").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Mentor questionnaire before phase 1 · rmprog")
    expect(summary.get_by_role("link")).to_have_count(22)

    summary.get_by_role(
        "link", name="How confident are you in giving feedback to senior colleagues on: Time management"
    ).click()
    expect(page.locator("#id_confidence__time_management_0")).to_be_focused()
    # The question and its message are on screen above the first answer, not hidden under the top edge.
    wait_until_on_screen(page, "#confidence__time_management-error")


def test_consent_without_the_tick_puts_the_problem_in_focus_at_the_top(page: Page, live_server, cohort):
    CohortStage.objects.filter(cohort=cohort, stage=Stage.BASELINE).update(opens_on=timezone.localdate())
    _, token = link_issue(participant=MentorFactory(cohort=cohort, code="M04"), stage=Stage.BASELINE)
    page.goto(f"{live_server.url}/r/{token}/consent/")
    page.get_by_role("button", name="Continue").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    wait_until_on_screen(page, "#error-summary")
    expect(page).to_have_title("Error: Taking part · rmprog")
    summary.get_by_role("link", name="Tick the box to agree").click()
    expect(page.get_by_label("I have read the information above and agree to take part.")).to_be_focused()


def option_boxes(page: Page, name: str) -> list[dict]:
    return [page.locator(f'label[for="id_{name}_{index}"]').bounding_box() for index in range(5)]


def test_the_scale_options_are_one_per_line_on_a_phone_with_rows_big_enough_to_tap(page: Page, questionnaire_url):
    page.goto(questionnaire_url)
    # The agreement scale has short labels ("2 Disagree", "4 Agree"), which used to share lines.
    boxes = option_boxes(page, "ability__technology")
    tops = [box["y"] for box in boxes]
    assert tops == sorted(tops) and len(set(tops)) == 5  # each below the one before, no zig-zag
    assert all(box["x"] == boxes[0]["x"] for box in boxes)
    rows = page.locator('input[name="ability__technology"]').evaluate_all(
        "inputs => inputs.map(i => i.closest('.form-check').getBoundingClientRect().height)"
    )
    assert min(rows) >= 44


@pytest.mark.parametrize("width", [768, 1280])
def test_the_scale_options_stay_side_by_side_on_a_wider_screen(page: Page, questionnaire_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(questionnaire_url)
    for name in ("understanding", "importance__technology", "ability__technology"):
        tops = {round(page.locator(f"#id_{name}_{index}").bounding_box()["y"]) for index in range(5)}
        assert len(tops) == 1, f"{name} at {width}px wraps onto {len(tops)} lines"


def test_a_long_block_heading_sits_wholly_inside_its_box_on_a_phone(page: Page, questionnaire_url):
    page.goto(questionnaire_url)
    legend = page.get_by_text("How important is it to you to give feedback to senior colleagues on:")
    fieldset = page.locator("fieldset").filter(has=legend).first
    legend_box, fieldset_box = legend.bounding_box(), fieldset.bounding_box()
    assert legend_box["height"] > 30  # it wraps on a phone, the case that was cut by the border
    border_top = fieldset_box["y"] + float(fieldset.evaluate("f => getComputedStyle(f).borderTopWidth")[:-2])
    assert legend_box["y"] >= border_top


def luminance(rgb: str) -> float:
    def channel(value: str) -> float:
        c = int(value) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_edges_of_answer_boxes_and_radio_buttons_stand_out_from_the_page(page: Page, questionnaire_url):
    page.goto(questionnaire_url)
    for selector in ('input[name="understanding"]', "#id_concerns"):
        control = page.locator(selector).first
        border = control.evaluate("c => getComputedStyle(c).borderTopColor")
        contrast = (1.0 + 0.05) / (luminance(border) + 0.05)  # against the white page
        assert contrast >= 3, f"{selector}: border {border} is {contrast:.1f}:1 on white"
        control.focus()
        assert control.evaluate("c => getComputedStyle(c).outlineStyle") != "none"  # the focus ring shows


def test_the_pages_ask_for_nothing_the_site_does_not_have(page: Page, questionnaire_url):
    failures = []
    page.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    page.goto(questionnaire_url)
    page.wait_for_load_state("networkidle")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    assert page.request.get(page.url.split("/r/")[0] + icon).ok
    assert failures == []
