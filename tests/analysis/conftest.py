"""The paper's reference case as questionnaire answers, for tests of the whole pipeline."""

import pytest

from participants.models import DEFAULT_DOMAINS
from questionnaires.imports import import_responses

DOMAIN_KEYS = [key for key, _ in DEFAULT_DOMAINS]

# Five mentors, before and after phase 1. Confidence totals 20, 22, 23, 24, 26 -> 22, 25, 29, 31, 30:
# medians 23 -> 29 and five positive, untied differences (2, 3, 6, 7, 4), so z = 2.023, p = 0.043.
# Clinical practice 3, 3, 2, 2, 1 -> 4: differences 1, 1, 2, 2, 3, so z = 2.041, p = 0.041.
REFERENCE_TOTALS = [(20, 22), (22, 25), (23, 29), (24, 31), (26, 30)]
REFERENCE_CLINICAL_PRACTICE = [(3, 4), (3, 4), (2, 4), (2, 4), (1, 4)]


def spread(total: int, count: int) -> list[int]:
    """`total` split over `count` domains as evenly as possible."""
    base, extra = divmod(total, count)
    return [base + 1] * extra + [base] * (count - extra)


def domain_scores(total: int, clinical_practice: int) -> dict[str, int]:
    others = spread(total - clinical_practice, len(DOMAIN_KEYS) - 1)
    keys = [key for key in DOMAIN_KEYS if key != "clinical_practice"]
    return {"clinical_practice": clinical_practice, **dict(zip(keys, others, strict=True))}


def answers_csv(rows: list[tuple[str, str, str, str, str, int]]) -> bytes:
    lines = ["participant,role,stage,construct,domain,score"]
    lines += [",".join(str(value) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def reference_rows() -> list[tuple[str, str, str, str, str, int]]:
    rows = []
    for number, ((pre, post), (cp_pre, cp_post)) in enumerate(
        zip(REFERENCE_TOTALS, REFERENCE_CLINICAL_PRACTICE, strict=True), start=1
    ):
        code = f"M{number:02d}"
        for stage, total, clinical_practice in (("baseline", pre, cp_pre), ("after_phase1", post, cp_post)):
            for domain, score in domain_scores(total, clinical_practice).items():
                rows.append((code, "mentor", stage, "confidence", domain, score))
    return rows


@pytest.fixture
def reference_cohort(cohort):
    """The lead's cohort holding the reference answers of five mentors."""
    import_responses(cohort_slug=cohort.slug, data=answers_csv(reference_rows()), create=True)
    return cohort
