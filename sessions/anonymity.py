"""Collated feedback is the group's view: find any mentor of the cohort named in its text.

The models hold no link from the document to a mentor, but the facilitator writes free text, and
a sentence like "Dr Walsh (M04) felt the handover was rushed" would tell the mentee who said what.
A draft that names a mentor cannot be approved (`sessions.views.feedback_approve`), so no
released version does. A mentor is recognised by their code, their full name with or without a
title, or a title and surname ("Dr Walsh"); a first name or a surname alone is too common a word
to refuse a document for, so the draft's page asks the writer to check each one instead.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from participants.models import Participant
from participants.privacy import ERASED_NAME
from sessions.models import FeedbackDocument, FeedbackSection

TITLES = ("Dr", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof", "Professor")
_TITLE = r"(?:" + "|".join(TITLES) + r")\.?"
_LEADING_TITLE = re.compile(rf"^{_TITLE}\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    domain_label: str
    part: str  # "note" or "key points"
    written: str  # the words as they stand in the text

    def __str__(self) -> str:
        return f"“{self.written}” in the {self.part} on {self.domain_label}"


def _words(text: str) -> str:
    """`text` as a pattern that matches it whole, with any run of spaces between its words."""
    return r"\s+".join(re.escape(word) for word in text.split())


def mentor_pattern(mentors: Iterable[tuple[str, str]]) -> re.Pattern | None:
    """One pattern for every (code, name) given, matching only whole words; None if there are none."""
    alternatives = []
    for code, name in mentors:
        if code.strip():
            alternatives.append(_words(code))
        if not name.strip() or name == ERASED_NAME:
            continue
        bare = _LEADING_TITLE.sub("", name.strip())
        words = bare.split()
        if len(words) >= 2:
            alternatives.append(rf"(?:{_TITLE}\s+)?{_words(bare)}")
        if words:
            alternatives.append(rf"{_TITLE}\s+{re.escape(words[-1])}")
    if not alternatives:
        return None
    # Longest first, so that "Dr Fiona Walsh" is reported whole rather than as "Dr Fiona".
    alternatives.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _texts(sections: Iterable[FeedbackSection]) -> Iterator[tuple[str, str, str]]:
    """(domain label, part, text) of each written part of the sections."""
    for section in sections:
        yield section.domain_label, "note", section.note
        yield section.domain_label, "key points", section.key_points


def mentions_in(sections: Iterable[FeedbackSection], pattern: re.Pattern | None) -> list[Mention]:
    """Every place where `pattern` (from `mentor_pattern`) matches the sections' text, in order."""
    if pattern is None:
        return []
    return [
        Mention(domain_label, part, " ".join(match.group().split()))
        for domain_label, part, text in _texts(sections)
        for match in pattern.finditer(text)
    ]


def cohort_mentors(document: FeedbackDocument) -> list[tuple[str, str]]:
    """(code, name) of every mentor of the mentee's cohort, withdrawn ones too."""
    mentors = Participant.objects.filter(cohort_id=document.mentee.cohort_id, role=Participant.Role.MENTOR)
    return list(mentors.values_list("code", "name"))


def document_mentor_mentions(document: FeedbackDocument) -> list[Mention]:
    """Mentors of the mentee's cohort (withdrawn ones too) named in the document's text."""
    return mentions_in(document.sections.all(), mentor_pattern(cohort_mentors(document)))


def single_name_pattern(mentors: Iterable[tuple[str, str]]) -> re.Pattern | None:
    """A mentor's first name or surname on its own, capitalised as a name is written; None if none.

    Too common as words to refuse a document for ("Will", "Hope", "Green"), so it only warns.
    """
    names = set()
    for _, name in mentors:
        if not name.strip() or name == ERASED_NAME:
            continue
        words = _LEADING_TITLE.sub("", name.strip()).split()
        if words:
            names.update(word for word in (words[0], words[-1]) if len(word) >= 3)
    if not names:
        return None
    alternatives = sorted((re.escape(name) for name in names), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def possible_mentions_in(sections: Iterable[FeedbackSection], mentors: list[tuple[str, str]]) -> list[Mention]:
    """A mentor's first name or surname alone in the text, outside any full mention: for the writer to check."""
    named, single = mentor_pattern(mentors), single_name_pattern(mentors)
    if single is None:
        return []
    found = []
    for domain_label, part, text in _texts(sections):
        full = [match.span() for match in named.finditer(text)] if named else []
        for match in single.finditer(text):
            if not any(start <= match.start() < end for start, end in full):
                found.append(Mention(domain_label, part, match.group()))
    return found
