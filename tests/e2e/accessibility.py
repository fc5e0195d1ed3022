"""axe-core run in the browser on the page a test is looking at, for the faults a person would meet.

axe-core is vendored in tests/e2e/axe-core/ with its licences (it is for the tests only, so not in
static/): version 4.14.1, fetched once with `npm pack axe-core@4.14.1` (the tarball's sha1 was
14d8a6f3f085afd126b8b5ca1e42e50e17fb1d99). Nothing is fetched when the tests run. To upgrade, pack
the new version and replace axe.min.js, LICENSE and LICENSE-3RD-PARTY.txt.
"""

import functools
from pathlib import Path

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parent / "axe-core" / "axe.min.js"
# WCAG 2.1 at levels A and AA (with the 2.0 rules it includes): what the UK's public sector
# accessibility regulations ask of the NHS.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = ("serious", "critical")
# Browser context settings for the two screens a page is checked on.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@functools.cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def serious_faults(page: Page) -> list[dict]:
    """axe-core's serious and critical WCAG 2.1 A and AA violations on the page as it stands."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Run through the DevTools protocol, which the page's content security policy does not restrict.
        page.evaluate(_axe_source())
    results = page.evaluate(
        "options => window.axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [violation for violation in results["violations"] if violation["impact"] in SERIOUS]


class AccessibilityAudit:
    """Checks each page a test stops at, and reports what it found on all of them at the end.

    Call `check("the consent page")` on each page, then `assert not audit.faults, audit.report()`.
    """

    def __init__(self, page: Page):
        self.page = page
        self.faults: dict[str, list[dict]] = {}

    def check(self, where: str) -> None:
        if faults := serious_faults(self.page):
            self.faults[f"{where} ({self.page.url})"] = faults

    def report(self) -> str:
        """Each fault once: the rule and what it asks, then for each element its markup, axe's reason,
        where it is (selectors) and on which pages (a fault in base.html is on all of them)."""
        rules: dict[str, str] = {}
        elements: dict[tuple[str, str, str], dict[str, list[str]]] = {}
        for where, faults in self.faults.items():
            for fault in faults:
                rules[fault["id"]] = f"{fault['id']} ({fault['impact']}): {fault['help']} <{fault['helpUrl']}>"
                for node in fault["nodes"]:
                    html = " ".join(node["html"].split())[:200]
                    # "Fix any of the following:", then a reason a line, e.g. the contrast measured.
                    reason = "; ".join(line.strip() for line in node.get("failureSummary", "").splitlines()[1:])
                    found = elements.setdefault((fault["id"], html, reason), {"selectors": [], "pages": []})
                    # One selector, or one more for each iframe or shadow root crossed.
                    selector = " >>> ".join(str(part) for part in node["target"])
                    for key, value in (("selectors", selector), ("pages", where)):
                        if value not in found[key]:
                            found[key].append(value)
        lines = ["Serious accessibility faults, by axe-core rule:"]
        for rule, heading in rules.items():
            lines.append(heading)
            for (element_rule, html, reason), found in elements.items():
                if element_rule == rule:
                    lines += [
                        f"  {html}",
                        f"    {reason}",
                        f"    at {'; '.join(found['selectors'])}",
                        f"    on {'; '.join(found['pages'])}",
                    ]
        return "\n".join(lines)
