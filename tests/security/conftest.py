# The questionnaire fixtures (an open baseline stage, a consented mentor and their link) serve here too.
from tests.questionnaires.conftest import (  # noqa: F401
    baseline_token,
    consented_mentor,
    mentee,
    mentor,
    open_baseline,
)
