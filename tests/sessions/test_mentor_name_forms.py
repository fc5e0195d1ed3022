"""A mentor is recognised in collated feedback however their name was typed into the cohort.

Names come from spreadsheets and forms: "Walsh, Fiona", "Dr Fiona Walsh MRCP", an accent or a
curly apostrophe on one side and not the other. Each of these still stops approval.
"""

import pytest
from django.urls import reverse

from sessions import services
from sessions.anonymity import document_mentor_mentions, mentor_pattern, possible_mentions_in
from sessions.models import FeedbackDocument, FeedbackSection
from tests.factories import MentorFactory
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def draft_saying(mentee, text: str) -> FeedbackDocument:
    """A draft whose first domain's note is `text`, the others neutral."""
    sections = [
        services.SectionText(domain.key, domain.label, text if position == 0 else "The group agreed.", "")
        for position, domain in enumerate(mentee.cohort.domains.all())
    ]
    return services.feedback_save_draft(mentee=mentee, sections=sections)


@pytest.mark.parametrize(
    "stored,text",
    [
        ("Walsh, Fiona", "Dr Walsh felt the handover was rushed."),
        ("Walsh, Fiona", "Fiona Walsh felt the handover was rushed."),
        ("WALSH, Fiona", "Dr Walsh felt the handover was rushed."),
        ("Walsh, Dr Fiona", "Dr Walsh felt the handover was rushed."),
        ("Dr Fiona Walsh MRCP", "Dr Walsh felt the handover was rushed."),
        ("Dr Fiona Walsh MRCP", "Fiona Walsh felt the handover was rushed."),
        ("Fiona Walsh MBBS, FRCP", "Dr. Walsh felt the handover was rushed."),
        ("Fiona Walsh (FY2)", "Dr Walsh felt the handover was rushed."),
        ("Fiona Mary Walsh", "Fiona Walsh felt the handover was rushed."),
        ("Dr Fiona Mary Walsh", "Dr Fiona Walsh felt the handover was rushed."),
        ("Dr Siobhán O'Neill", "Dr O’Neill felt the handover was rushed."),
        ("Dr Siobhán O’Neill", "Dr O'Neill felt the handover was rushed."),
        ("Dr Siobhán O'Neill", "Siobhan O'Neill felt the handover was rushed."),
        ("Dr Siobhan O'Neill", "Siobhán O’Neill felt the handover was rushed."),
        ("Anna von Berg", "Dr von Berg felt the handover was rushed."),
        ("Anna von Berg", "Dr Berg felt the handover was rushed."),
        # Staff lists: the surname first in capitals, with no comma; or the whole name in capitals.
        ("WALSH Fiona", "Dr Walsh felt the handover was rushed."),
        ("WALSH Fiona", "Fiona Walsh felt the handover was rushed."),
        ("WALSH Fiona Mary", "Fiona Walsh felt the handover was rushed."),
        ("WALSH FIONA", "Dr Walsh felt the handover was rushed."),
        ("WALSH FIONA", "Fiona Walsh felt the handover was rushed."),
        ("FIONA WALSH", "Walsh Fiona felt the handover was rushed."),
        # A title and the first name, an initial, a title without its space.
        ("Fiona Walsh", "Dr Fiona felt the handover was rushed."),
        ("Fiona Walsh", "Dr F. Walsh felt the handover was rushed."),
        ("Fiona Walsh", "Dr F Walsh felt the handover was rushed."),
        ("Fiona Walsh", "F. Walsh felt the handover was rushed."),
        ("Fiona Walsh", "Dr.Walsh felt the handover was rushed."),
        ("Dr Walsh MRCP", "Dr Walsh felt the handover was rushed."),  # no first name stored
    ],
)
def test_a_mentor_named_in_any_usual_form_stops_approval(cohort, mentee, stored, text):
    MentorFactory(cohort=cohort, code="M01", name=stored)
    draft = draft_saying(mentee, text)
    assert document_mentor_mentions(draft), f"{stored!r} not found in {text!r}"
    with pytest.raises(services.MentorNamed):
        services.feedback_approve(document=draft)
    draft.refresh_from_db()
    assert draft.status == FeedbackDocument.Status.DRAFT


def test_the_lead_is_shown_the_name_as_it_is_written_in_the_text(lead_client, cohort, mentee):
    MentorFactory(cohort=cohort, code="M01", name="Dr Siobhán O'Neill MRCP")
    draft = draft_saying(mentee, "As Dr  O’Neill said, the handover was rushed.")
    first = cohort.domains.first()
    url = reverse("mentoring_sessions:feedback_approve", args=[cohort.slug, mentee.pk, draft.version])
    text = page_text(lead_client.post(url, follow=True))
    assert "Version 1 was not approved." in text
    assert f"“Dr O’Neill” in the note on {first.label}" in text


@pytest.mark.parametrize(
    "text",
    [
        "Young doctors will hope for more teaching.",  # ordinary words, lower case or at a sentence's start
        "Grace and Hope are the ward's new nurses.",  # names alone, capitalised, are only flagged
        "The MRCP exam came up; so did the FRCP.",  # the post-nominals are not the name
        "Fiona agreed.",  # a first name alone is only flagged for checking
        "Walsh agreed.",
        "There is a hope that teaching improves.",  # "a hope" is not "A. Hope"
        "I am sure the rota will change.",  # nor "I am" Ian Am
        "A good doctor will listen.",  # nor "doctor will" Dr Will
        "The 8 a.m. ward round overran, e.g. ward rounds on Mondays.",  # nor "m. ward" M. Ward
        "Dr Fiona Smith, the ward's consultant, agreed.",  # another Fiona, named in full
    ],
)
def test_ordinary_words_and_single_names_do_not_stop_approval(cohort, mentee, text):
    MentorFactory(cohort=cohort, code="M01", name="Hope, Dr Grace Young MRCP")
    MentorFactory(cohort=cohort, code="M02", name="Walsh, Fiona")
    MentorFactory(cohort=cohort, code="M03", name="Amy Hope")
    MentorFactory(cohort=cohort, code="M04", name="Ian Am")
    MentorFactory(cohort=cohort, code="M05", name="Will Evans")
    MentorFactory(cohort=cohort, code="M06", name="Mary Ward")
    MentorFactory(cohort=cohort, code="M07", name="George Ward")
    draft = draft_saying(mentee, text)
    assert document_mentor_mentions(draft) == []
    assert services.feedback_approve(document=draft)


def test_a_surname_written_in_capitals_is_kept_as_the_surname():
    """Lists often write "Fiona WALSH"; that is a surname, not letters after the name."""
    pattern = mentor_pattern([("M01", "Fiona Mary WALSH")])
    assert pattern.search("Dr Walsh agreed")
    assert pattern.search("Fiona Walsh agreed")
    assert not pattern.search("Dr Mary agreed")


def test_a_surname_that_is_also_a_degree_is_kept_when_it_is_all_there_is():
    pattern = mentor_pattern([("M01", "Li MA")])
    assert pattern.search("Dr Ma agreed")
    assert pattern.search("Li Ma agreed")


@pytest.mark.parametrize(
    "stored,text,flagged",
    [
        ("Walsh, Fiona", "Fiona agreed.", "Fiona"),
        ("Walsh, Fiona", "Walsh agreed.", "Walsh"),
        ("Dr Siobhán O'Neill", "Siobhan agreed.", "Siobhan"),
        ("Dr Siobhan O'Neill", "O’Neill agreed.", "O’Neill"),
        ("Dr Fiona Walsh MRCP", "MRCP candidates agreed.", None),
        # Stored in capitals, written as a name.
        ("FIONA WALSH", "Walsh agreed.", "Walsh"),
        ("WALSH FIONA", "Fiona agreed.", "Fiona"),
        ("Fiona Walsh-Smith", "Walsh agreed.", "Walsh"),
        ("Grace Will", "They will agree.", None),  # a word in lower case is only a word
        ("Anne-Marie Walsh", "Anne agreed.", "Anne"),
    ],
)
def test_a_first_name_or_surname_alone_is_flagged_in_any_stored_form(stored, text, flagged):
    section = FeedbackSection(domain_label="Communication", note=text, key_points="")
    found = [mention.written for mention in possible_mentions_in([section], [("M01", stored)])]
    assert found == ([flagged] if flagged else [])
