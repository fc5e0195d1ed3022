import re

import pytest
from playwright.sync_api import Page, expect

from participants.models import Cohort, Participant

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_lead_signs_in_creates_a_cohort_and_adds_participants(page: Page, live_server, programme, tmp_path):
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name=programme.name).click()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_role("textbox", name=re.compile(r"^Name")).fill("Autumn 2027")
    page.get_by_label("Short name").fill("autumn-2027")
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_role("heading", name="Autumn 2027")).to_be_visible()

    page.get_by_role("link", name="Add participant").click()
    page.get_by_role("textbox", name=re.compile(r"^Code")).fill("C01")
    page.get_by_role("textbox", name=re.compile(r"^Name")).fill("Dr Ann Hart")
    page.get_by_label("Role").select_option("mentee")
    page.get_by_label("Years as consultant").fill("12")
    page.get_by_role("button", name="Save participant").click()
    expect(page.get_by_text("Participant C01 added.")).to_be_visible()

    upload = tmp_path / "mentors.csv"
    upload.write_text(
        "code,name,email,role,grade,sex,age_band,years_as_consultant,supervisor_code\n"
        "M01,Dr Fiona Walsh,fiona@example.nhs.uk,mentor,ST6,female,30_39,,C01\n"
        "M02,Dr George Mensah,george@example.nhs.uk,mentor,ST5,male,30_39,,C01\n"
    )
    page.get_by_role("link", name="Upload participants").click()
    page.get_by_label("CSV file").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("2 participants added.")).to_be_visible()
    expect(page.get_by_role("table", name="Mentors (junior doctors)")).to_contain_text("Dr George Mensah")

    cohort = Cohort.objects.get(slug="autumn-2027")
    assert sorted(cohort.participants.values_list("code", flat=True)) == ["C01", "M01", "M02"]
    assert Participant.objects.get(cohort=cohort, code="M02").supervisor.code == "C01"


def test_pages_load_their_styles_from_the_server_itself(page: Page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/accounts/login/")
    navbar_colour = page.locator("nav.navbar").evaluate("element => getComputedStyle(element).backgroundColor")
    assert navbar_colour == "rgb(13, 110, 253)"  # Bootstrap's primary blue: the vendored CSS loaded
    assert requested and all(url.startswith(live_server.url) for url in requested)
