from playwright.sync_api import Page

LEAD_PASSWORD = "correct horse battery staple"  # tests.factories.LeadFactory's


def sign_in_as_lead(page: Page, base_url: str) -> None:
    """Sign in through the login form as the `lead` fixture's user."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(LEAD_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
