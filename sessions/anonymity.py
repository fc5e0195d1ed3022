"""Collated feedback is the group's view: find any mentor of the cohort named in its text.

The models hold no link from the document to a mentor, but the facilitator writes free text, and
a sentence like "Dr Walsh (M04) felt the handover was rushed" would tell the mentee who said what.
A draft that names a mentor cannot be approved (`sessions.views.feedback_approve`), so no
released version does. A mentor is recognised by their code, their full name with or without a
title, their first name and surname without the middle names ("Fiona Walsh" for "Fiona Mary
Walsh") or the other way round ("Walsh Fiona"), with an initial ("Dr F Walsh", "F. Walsh"), or a
title and surname or first name ("Dr Walsh", "Dr Fiona"); a first name or a surname alone is too
common a word to refuse a document for, so the draft's page asks the writer to check each one
instead.

Names are stored as people typed them, so each is first put in one form (`name_words`): written
"Walsh, Fiona" or "WALSH Fiona", with "MRCP" or "(FY2)" after it, or with a curly apostrophe or an
accent, it is still found as "Dr Walsh", "Dr O'Neill" or "Siobhan". The text is folded the same
way.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from participants.models import Participant
from participants.privacy import ERASED_NAME
from sessions.models import FeedbackDocument, FeedbackSection

TITLES = ("Dr", "Doctor", "Mr", "Mrs", "Ms", "Miss", "Mx", "Prof", "Professor")
_TITLE = r"(?:" + "|".join(TITLES) + r")\.?"
# A title before a name on the same line: "Dr Walsh", "Dr. Walsh", and "Dr.Walsh" typed in a hurry.
_SPACE = r"[^\S\n]"
_TITLE_BEFORE = r"(?:" + "|".join(TITLES) + rf")(?:\.{_SPACE}*|{_SPACE}+)"
_TITLE_WORD = re.compile(rf"^{_TITLE}$", re.IGNORECASE)
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")

# Degrees and memberships written after a name. Only these, and not any word in capitals, since
# many lists write the surname in capitals ("Fiona WALSH").
# fmt: off
POST_NOMINALS = frozenset({
    "BA", "BM", "BMBS", "BMedSci", "BCh", "BChir", "BDS", "BSc", "CBE", "DCH", "DFSRH", "DM", "DPhil",
    "DRCOG", "FFICM", "FFPH", "FHEA", "FRCA", "FRCEM", "FRCGP", "FRCOG", "FRCOphth", "FRCP", "FRCPath",
    "FRCPCH", "FRCPE", "FRCPI", "FRCPsych", "FRCR", "FRCS", "FRCSEd", "FRCSI", "MA", "MB", "MBBCh", "MBBS",
    "MBChB", "MBE", "MD", "MFPH", "MPH", "MPhil", "MRCEM", "MRCGP", "MRCOG", "MRCOphth", "MRCP", "MRCPath",
    "MRCPCH", "MRCPI", "MRCPsych", "MRCS", "MSc", "OBE", "PGCert", "PGDip", "PhD",
})
# fmt: on

# Written by hand or pasted from a word processor, one letter can come in several forms.
_SAME_CHARACTER = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark, the usual curly apostrophe
        "\u2018": "'",
        "\u02bc": "'",  # modifier letter apostrophe
        "\u2032": "'",  # prime
        "\u00b4": "'",  # acute accent
        "`": "'",
        "\uff07": "'",
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
    }
)


@functools.cache
def _without_accent(character: str) -> str:
    decomposed = unicodedata.normalize("NFD", character)
    if len(decomposed) > 1 and all(unicodedata.combining(mark) for mark in decomposed[1:]):
        return decomposed[0]
    return character


def fold(text: str) -> str:
    """`text` with one apostrophe, one hyphen and no accents, as long as its NFC form.

    Folding names and text alike matches "O’Neill" to "O'Neill" and "Siobhan" to "Siobhán" either
    way. It keeps the length of `unicodedata.normalize("NFC", text)`, so a match's span in the
    folded text is the same span in that form of the original, which is what a `Mention` shows.
    """
    text = unicodedata.normalize("NFC", text).translate(_SAME_CHARACTER)
    if text.isascii():
        return text
    return "".join(_without_accent(character) for character in text)


def _is_post_nominal(word: str) -> bool:
    return word.replace(".", "").strip(",") in POST_NOMINALS


def name_words(name: str) -> list[str]:
    """A stored name as its words in speaking order, without titles, brackets or post-nominals.

    "Walsh, Dr Fiona", "Dr Fiona Walsh MRCP, FRCP" and "Fiona Walsh (FY2)" all give
    ["Fiona", "Walsh"]. Folded (`fold`), so that the patterns match folded text.
    """
    name = _BRACKETED.sub(" ", fold(name))
    words = [word for word in name.replace(",", " , ").split() if not _TITLE_WORD.match(word)]

    def name_left(words: list[str]) -> int:
        return sum(word != "," for word in words)

    # Letters after the name come off the end, but two words are always kept: "Li MA" is a name.
    while words and (words[-1] == "," or (_is_post_nominal(words[-1]) and name_left(words) > 2)):
        words.pop()
    if "," in words:  # "Surname, Forename": a comma only separates post-nominals otherwise
        comma = words.index(",")
        words = words[comma + 1 :] + words[:comma]
    words = [word for word in words if word != ","]
    # Staff lists write "WALSH Fiona" too: a surname in capitals before names that are not.
    leading = next((index for index, word in enumerate(words) if not _in_capitals(word)), len(words))
    if 0 < leading < len(words):
        words = words[leading:] + words[:leading]
    return words


def _in_capitals(word: str) -> bool:
    return word.isupper() and sum(character.isalpha() for character in word) >= 2


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


def _as_name(word: str) -> str:
    """A pattern for `word` written as a name, with its capital letter: "Will" and "WILL", not "will".

    For the forms that put a first name after a title, or a name after an initial, which would
    otherwise find ordinary words: "a good doctor will listen" is not about Dr Will Evans.
    """
    return rf"(?-i:{re.escape(word[0].upper())}){re.escape(word[1:])}"


def _particles(words: list[str]) -> list[str]:
    """The lower-case words just before the surname ("van der" in "Jan van der Berg")."""
    particles = []
    for word in reversed(words[1:-1]):
        if not word.islower():
            break
        particles.insert(0, word)
    return particles


def mentor_pattern(mentors: Iterable[tuple[str, str]]) -> re.Pattern | None:
    """One pattern for every (code, name) given, matching only whole words; None if there are none."""
    alternatives = []
    for code, name in mentors:
        if code.strip():
            alternatives.append(_words(fold(code)))
        if not name.strip() or name == ERASED_NAME:
            continue
        words = name_words(name)
        if len(words) >= 2:
            first, surname = words[0], words[-1]
            alternatives.append(rf"(?:{_TITLE_BEFORE})?{_words(' '.join(words))}")
            # "Fiona Walsh" for "Fiona Mary Walsh": middle names are often left out.
            alternatives.append(rf"(?:{_TITLE_BEFORE})?{_words(first + ' ' + surname)}")
            # The other way round, "Walsh Fiona": a name stored in capitals ("WALSH FIONA") gives no
            # clue to which is the surname, and people write either.
            alternatives.append(rf"(?:{_TITLE_BEFORE})?{_as_name(surname)}\s+{_as_name(first)}")
            if len(first) >= 2:  # a name stored with an initial already has the forms above
                for initial_of, name in ((first, surname), (surname, first)):
                    # "Dr F Walsh", "F. Walsh"; not "a hope" (Amy Hope) nor the "m. ward" of "8 a.m. ward".
                    initial = _as_name(initial_of[0])
                    after_title = rf"{_TITLE_BEFORE}{initial}(?:\.{_SPACE}*|{_SPACE}+)"
                    alternatives.append(rf"(?:{after_title}|(?<![\w.]){initial}\.{_SPACE}*){_as_name(name)}")
                # "Dr Fiona" (or "Dr Walsh" for "WALSH FIONA"), but not "Dr Fiona Smith", someone else.
                alternatives.append(rf"{_TITLE_BEFORE}{_as_name(first)}(?!{_SPACE}+(?-i:[A-Z]))")
        if words:
            # With any particles of the surname: "Dr von Berg" for "Anna von Berg".
            particles = "".join(rf"(?:{re.escape(word)}\s+)?" for word in _particles(words))
            # In any case, even "Dr walsh": a surname after a title is too telling to let a slip through.
            alternatives.append(rf"{_TITLE_BEFORE}{particles}{re.escape(words[-1])}")
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


def _written(text: str, match: re.Match) -> str:
    """The words of `match`, found in `fold(text)`, as they stand in `text`."""
    return " ".join(unicodedata.normalize("NFC", text)[match.start() : match.end()].split())


def mentions_in(sections: Iterable[FeedbackSection], pattern: re.Pattern | None) -> list[Mention]:
    """Every place where `pattern` (from `mentor_pattern`) matches the sections' text, in order."""
    if pattern is None:
        return []
    return [
        Mention(domain_label, part, _written(text, match))
        for domain_label, part, text in _texts(sections)
        for match in pattern.finditer(fold(text))
    ]


def cohort_mentors(document: FeedbackDocument) -> list[tuple[str, str]]:
    """(code, name) of every mentor of the mentee's cohort, withdrawn ones too."""
    mentors = Participant.objects.filter(cohort_id=document.mentee.cohort_id, role=Participant.Role.MENTOR)
    return list(mentors.values_list("code", "name"))


def document_mentor_mentions(document: FeedbackDocument) -> list[Mention]:
    """Mentors of the mentee's cohort (withdrawn ones too) named in the document's text."""
    return mentions_in(document.sections.all(), mentor_pattern(cohort_mentors(document)))


def single_name_pattern(mentors: Iterable[tuple[str, str]]) -> re.Pattern | None:
    """A mentor's first name or surname on its own, in any capitals; None if there are none.

    Too common as words to refuse a document for ("Will", "Hope", "Green"), so it only warns.
    """
    names = set()
    for _, name in mentors:
        if not name.strip() or name == ERASED_NAME:
            continue
        words = name_words(name)
        if words:
            # Each part of a double-barrelled name too: "Walsh" for "Walsh-Smith", "Anne" for "Anne-Marie".
            single = [words[0], words[-1], *words[0].split("-"), *words[-1].split("-")]
            names.update(word.casefold() for word in single if len(word) >= 3)
    if not names:
        return None
    alternatives = sorted((re.escape(name) for name in names), key=len, reverse=True)
    # Whatever the capitals of the stored name ("WALSH"): `possible_mentions_in` keeps the matches
    # written as a name is, with a capital letter ("will" and "hope" in lower case are only words).
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def possible_mentions_in(sections: Iterable[FeedbackSection], mentors: list[tuple[str, str]]) -> list[Mention]:
    """A mentor's first name or surname alone in the text, outside any full mention: for the writer to check."""
    named, single = mentor_pattern(mentors), single_name_pattern(mentors)
    if single is None:
        return []
    found = []
    for domain_label, part, text in _texts(sections):
        folded = fold(text)
        full = [match.span() for match in named.finditer(folded)] if named else []
        for match in single.finditer(folded):
            if match.group()[0].isupper() and not any(start <= match.start() < end for start, end in full):
                found.append(Mention(domain_label, part, _written(text, match)))
    return found
