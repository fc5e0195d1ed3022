"""All-or-nothing import of Likert answers in the long CSV format (see exports.LIKERT_HEADER)."""

from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from participants.imports import ImportRejected, RowError, decode_csv, read_rows
from participants.models import DEFAULT_DOMAINS, Cohort, Participant, Programme, code_validator
from participants.services import cohort_create
from questionnaires.exports import LIKERT_HEADER
from questionnaires.models import Construct, LikertAnswer, Response, Stage
from questionnaires.scores import responses_store_scores

SINGLE_ITEM_CONSTRUCTS = {Construct.UNDERSTANDING.value}


@dataclass(frozen=True)
class ImportSummary:
    answers: int
    participants_created: int
    cohort_created: bool


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    role: str
    stage: str
    construct: str
    domain: str
    score: int


def _check_row(line: int, record: dict[str, str], domain_keys: set[str]) -> tuple[_Row | None, list[str]]:
    errors = []
    code = record["participant"]
    try:
        code_validator(code)
    except ValidationError:
        errors.append(f"participant '{code}' is not a valid participant code")
    role = record["role"].lower()
    if role not in Participant.Role.values:
        errors.append(f"role '{record['role']}' is not mentor or mentee")
    stage = record["stage"]
    if stage not in Stage.values:
        errors.append(f"stage '{stage}' is unknown (expected one of {', '.join(Stage.values)})")
    construct = record["construct"]
    domain = record["domain"]
    if construct not in Construct.values:
        errors.append(f"construct '{construct}' is unknown (expected one of {', '.join(Construct.values)})")
    elif construct in SINGLE_ITEM_CONSTRUCTS:
        if domain:
            errors.append(f"construct '{construct}' is a single item: leave domain empty, not '{domain}'")
    elif not domain:
        errors.append(f"construct '{construct}' needs a domain")
    elif domain not in domain_keys:
        errors.append(f"domain '{domain}' is not a domain of this cohort")
    score = None
    try:
        score = int(record["score"])
    except ValueError:
        errors.append(f"score '{record['score']}' is not a whole number from 1 to 5")
    else:
        if not 1 <= score <= 5:
            errors.append(f"score {score} is outside 1 to 5")
    if errors:
        return None, errors
    return _Row(line, code, role, stage, construct, domain, score), []


def _responses_for_import(cohort: Cohort, participants: dict[str, Participant], pairs: list[tuple[str, str]]) -> dict:
    """The submitted response each (code, stage) of the file goes under, locked until the import commits.

    A response started online and not submitted (a draft) becomes the imported submission and
    its saved answers are discarded: the file holds the answers the participant gave in the end,
    and their personal link then shows the questionnaire as submitted, as after any import. Left
    a draft, its imported answers would count in no analysis, and the participant's own submission
    would later collide with them.
    """
    now = timezone.now()
    Response.objects.bulk_create(
        [
            Response(
                participant=participants[code],
                stage=stage,
                status=Response.Status.SUBMITTED,
                source=Response.Source.IMPORT,
                submitted_at=now,
            )
            for code, stage in pairs
        ],
        ignore_conflicts=True,
    )
    wanted = set(pairs)
    responses = {
        (response.participant.code, response.stage): response
        for response in Response.objects.select_for_update(of=("self",))
        .select_related("participant")
        # By cohort rather than by a list of participants, which a large file would make too long.
        .filter(participant__cohort=cohort, stage__in={stage for _, stage in pairs})
        if (response.participant.code, response.stage) in wanted
    }
    drafts = [response.pk for response in responses.values() if response.status == Response.Status.DRAFT]
    Response.objects.filter(pk__in=drafts).update(
        status=Response.Status.SUBMITTED, source=Response.Source.IMPORT, submitted_at=now, draft={}, updated_at=now
    )
    return responses


def _refuse_answers_held_now(cohort: Cohort, good: list[_Row]) -> None:
    """Refuse the import if an answer of the file arrived (a submission online) since the file was checked."""
    held = set(
        LikertAnswer.objects.filter(response__participant__cohort=cohort).values_list(
            "response__participant__code", "response__stage", "construct", "domain__key"
        )
    )
    clashes = [row for row in good if (row.code, row.stage, row.construct, row.domain or None) in held]
    if clashes:
        message = "this answer was submitted online while the file was being imported"
        raise ImportRejected([RowError(row.line, message) for row in clashes])


def _refuse_participants_changed_now(cohort: Cohort, good: list[_Row], known: dict[str, Participant]) -> None:
    """Lock the cohort's participants and refuse the import if one in the file changed since it was checked.

    The file was checked against the participants as they were (`known`, by lower-cased code);
    since then one may have withdrawn, been removed or given the other role, or a participant the
    import would add may have been added by a lead or another import. The lock (FOR NO KEY
    UPDATE, which answers saved online for them need not wait for) makes a withdrawal at the same
    moment wait until the import has committed: answers given before the withdrawal are kept, like
    answers given online before it, and none are imported after it.
    """
    now = {
        code.lower(): (role, withdrawn_at)
        for code, role, withdrawn_at in Participant.objects.select_for_update(no_key=True)
        # By cohort rather than by a list of participants, which a large file would make too long.
        .filter(cohort=cohort)
        .values_list("code", "role", "withdrawn_at")
    }
    errors = []
    for row in good:
        was, is_now = known.get(row.code.lower()), now.get(row.code.lower())
        if was is not None and is_now is None:
            message = "was removed from the cohort while the file was being imported"
        elif was is None and is_now is not None:
            message = "was added to the cohort while the file was being imported: import the file again"
        elif is_now is None:
            continue  # to be added by this import
        elif is_now[1] is not None:
            message = "withdrew while the file was being imported: no answers are imported for them"
        elif is_now[0] != row.role:
            message = f"became a {is_now[0]} while the file was being imported"
        else:
            continue
        errors.append(RowError(row.line, f"participant {row.code} {message}"))
    if errors:
        raise ImportRejected(errors)


ADDED_MEANWHILE = (
    "{what} added by someone else while the file was being imported, so nothing was saved: import the file again"
)


def import_responses(*, cohort_slug: str, data: bytes, create: bool = False) -> ImportSummary:
    """Import every answer in the file or none, raising ImportRejected listing every bad row."""
    rows = read_rows(decode_csv(data), LIKERT_HEADER)
    cohort = Cohort.objects.filter(slug=cohort_slug).first()
    if cohort is None and not create:
        raise ImportRejected([RowError(0, f"There is no cohort '{cohort_slug}'. Use --create to create it.")])
    domain_keys = {d.key for d in cohort.domains.all()} if cohort else {key for key, _ in DEFAULT_DOMAINS}
    domain_ids = {d.key: d.pk for d in cohort.domains.all()} if cohort else {}
    # Codes are matched ignoring case, as in the browser upload of participants: "m01" is M01.
    known = {p.code.lower(): p for p in Participant.objects.filter(cohort=cohort)} if cohort else {}
    spelling_in_file: dict[str, str] = {}  # a new code is spelt as on its first line
    held = set()
    if cohort:
        held = set(
            LikertAnswer.objects.filter(response__participant__cohort=cohort).values_list(
                "response__participant__code", "response__stage", "construct", "domain__key"
            )
        )

    errors: list[RowError] = []
    good: list[_Row] = []
    seen: dict[tuple, int] = {}
    roles_in_file: dict[str, tuple[str, int]] = {}
    for line, record in rows:
        row, row_errors = _check_row(line, record, domain_keys)
        if row is not None:
            participant = known.get(row.code.lower())
            code = participant.code if participant else spelling_in_file.setdefault(row.code.lower(), row.code)
            row = replace(row, code=code)
            if participant is not None and participant.is_withdrawn:
                row_errors.append(f"participant {row.code} has withdrawn: no answers are imported for them")
            elif participant is not None and participant.role != row.role:
                row_errors.append(f"participant {row.code} is a {participant.role} in this cohort, not a {row.role}")
            elif participant is None and not create:
                row_errors.append(f"participant {row.code} is not in this cohort (use --create to add them)")
            first_role = roles_in_file.setdefault(row.code, (row.role, line))
            if first_role[0] != row.role:
                row_errors.append(f"participant {row.code} is a {first_role[0]} on line {first_role[1]}")
            key = (row.code, row.stage, row.construct, row.domain or None)
            if key in held:
                row_errors.append("this answer is already held for this participant, stage, construct and domain")
            elif key in seen:
                row_errors.append(f"the same answer is also on line {seen[key]}")
            else:
                seen[key] = line
        errors.extend(RowError(line, message) for message in row_errors)
        if row is not None and not row_errors:
            good.append(row)
    if errors:
        raise ImportRejected(errors)

    with transaction.atomic():
        cohort_created = cohort is None
        if cohort is None:
            try:
                with transaction.atomic():  # a savepoint, so that a clash is reported, not a database error
                    programme = Programme.objects.create(name=cohort_slug)
                    cohort = cohort_create(cohort=Cohort(programme=programme, name=cohort_slug, slug=cohort_slug))
            except IntegrityError:
                message = ADDED_MEANWHILE.format(what=f"The cohort '{cohort_slug}' was")
                raise ImportRejected([RowError(0, message)]) from None
            domain_ids = {d.key: d.pk for d in cohort.domains.all()}
        else:
            # The check above was made before this transaction began: a change since then counts.
            _refuse_participants_changed_now(cohort, good, known)
        new_codes = {row.code: row.role for row in good if row.code.lower() not in known}
        try:
            with transaction.atomic():
                # New rows are not covered by the lock: another import may add the same code first.
                created = Participant.objects.bulk_create(
                    Participant(cohort=cohort, code=code, name=code, role=role) for code, role in new_codes.items()
                )
        except IntegrityError:
            # The other import has committed by now (our insert waited for it), so its rows can be named.
            taken = sorted(Participant.objects.filter(cohort=cohort, code__in=new_codes).values_list("code", flat=True))
            if len(taken) == 1:
                what = f"Participant {taken[0]} was"
            elif taken:
                what = f"Participants {', '.join(taken)} were"
            else:
                what = "A participant in the file was"
            raise ImportRejected([RowError(0, ADDED_MEANWHILE.format(what=what))]) from None
        participants = {p.code: p for p in known.values()}
        participants.update({p.code: p for p in Participant.objects.filter(cohort=cohort, code__in=new_codes)})
        responses = _responses_for_import(cohort, participants, sorted({(row.code, row.stage) for row in good}))
        _refuse_answers_held_now(cohort, good)
        LikertAnswer.objects.bulk_create(
            LikertAnswer(
                response=responses[(row.code, row.stage)],
                construct=row.construct,
                domain_id=domain_ids[row.domain] if row.domain else None,
                score=row.score,
            )
            for row in good
        )
        responses_store_scores(cohort, [response.pk for response in responses.values()])
    return ImportSummary(answers=len(good), participants_created=len(created), cohort_created=cohort_created)
