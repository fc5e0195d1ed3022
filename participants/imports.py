"""All-or-nothing import of participants from a CSV file."""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.defaultfilters import pluralize

from participants.models import ERASED_NAME, Cohort, Participant

PARTICIPANT_COLUMNS = [
    "code",
    "name",
    "email",
    "role",
    "grade",
    "sex",
    "age_band",
    "years_as_consultant",
    "supervisor_code",
]
# Columns a file may add after those, or leave out: a file without them imports as before, with
# the experience left not recorded. Values: yes, no or empty (not recorded).
PARTICIPANT_OPTIONAL_COLUMNS = [
    "previous_mentoring_experience",
    "previous_feedback_experience",
]
# Limits for the browser upload, where anyone signed in as a lead can send a file. The management
# commands read a file an administrator has put on the server and have none: an export of a
# large cohort (75 mentors and 75 mentees answer 5,850 Likert answers) must import again.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class ImportRejected(Exception):
    """The whole file was rejected; nothing was saved."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


Loaded = TypeVar("Loaded")


def import_from_command(command: BaseCommand, file: Path, load: Callable[[bytes], Loaded]) -> Loaded:
    """Read `file` and pass its bytes to `load`, for a management command.

    An unreadable file, or one `load` rejects, ends the command (CommandError) after listing
    every problem by line on standard error.
    """
    try:
        data = file.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
    try:
        return load(data)
    except ImportRejected as rejection:
        for error in rejection.errors:
            command.stderr.write(str(error) if error.line else error.message)
        raise CommandError(f"{file} was not imported: {len(rejection.errors)} problem(s); nothing was saved.") from None


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PARTICIPANT_COLUMNS + PARTICIPANT_OPTIONAL_COLUMNS)
    writer.writerow(
        [
            "C01",
            "Dr Example Consultant",
            "consultant@example.nhs.uk",
            "mentee",
            "Consultant",
            "female",
            "50_59",
            "12",
            "",
            "yes",
            "yes",
        ]
    )
    writer.writerow(
        ["M01", "Dr Example Fellow", "fellow@example.nhs.uk", "mentor", "ST6", "male", "30_39", "", "C01", "no", ""]
    )
    return buffer.getvalue()


def decode_csv(data: bytes, *, max_bytes: int | None = None) -> str:
    """The file's text, refusing a file that is not UTF-8 (a byte order mark is allowed) or over `max_bytes`."""
    if max_bytes is not None and len(data) > max_bytes:
        raise ImportRejected([RowError(0, f"The file is larger than {max_bytes // 1024 // 1024} MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected([_not_utf8(data, error.start)]) from None
    if "\x00" in text:
        # Valid UTF-8, but no spreadsheet writes it, and PostgreSQL cannot store it in text.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportRejected(
            [RowError(line, "The file contains a NUL character: it is not a CSV text file. Save it as 'CSV UTF-8'.")]
        )
    return text


def _not_utf8(data: bytes, position: int) -> RowError:
    """Where the first byte that is not UTF-8 is, as a spreadsheet user would look for it."""
    # Latin-1 maps each byte to one character, so offsets in `text` are offsets in `data` after
    # the byte order mark, which is where the UTF-8 decoder counts from.
    text = data.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    line_start = text.rfind("\n", 0, position) + 1
    line = text.count("\n", 0, position) + 1
    where = ""
    header_line = text.split("\n", 1)[0].rstrip("\r")
    separator = _separator(header_line)
    if line > 1 and header_line.isascii():
        # The row up to the bad byte, read as CSV: its last value is the one the byte is in. A
        # value quoted across several lines would mislead, so the column is only named otherwise.
        before = text[line_start:position]
        if '"' not in before:
            header = next(csv.reader([header_line], delimiter=separator))
            index = before.count(separator)
            if index < len(header):
                where = f": the first character it cannot read is in the {header[index].strip()} column"
    return RowError(
        line,
        f"The file is not UTF-8 text{where}. "
        "Save it as CSV UTF-8 in Excel: File > Save As > CSV UTF-8 (Comma delimited).",
    )


def _separator(header_line: str) -> str:
    """The character between values, read from the header line: a comma, unless it has none.

    Excel writes semicolons in its CSV files where the locale uses a decimal comma (much of
    Europe), even when saving as CSV UTF-8; a tab-separated file comes from "Text (Tab
    delimited)" or a copy from a spreadsheet. Column names contain neither.
    """
    if "," in header_line:
        return ","
    if header_line.count(";") > header_line.count("\t"):
        return ";"
    if "\t" in header_line:
        return "\t"
    return ","


def read_rows(
    text: str,
    expected_columns: list[str],
    *,
    optional_columns: Sequence[str] = (),
    max_rows: int | None = None,
) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, {column: stripped value}), checking the header first, at most `max_rows`.

    Values are separated by commas, or by semicolons or tabs when the header line has no comma
    (see `_separator`); only a header naming exactly the expected columns, and any of the
    `optional_columns`, is accepted. An optional column the file leaves out is not in the rows.
    """
    separator = _separator(text.split("\n", 1)[0])
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        raise ImportRejected([RowError(1, f"The header cannot be read: {error}.")]) from None
    missing = [column for column in expected_columns if column not in header]
    unknown = [column for column in header if column not in expected_columns and column not in optional_columns]
    if not header:
        raise ImportRejected([RowError(1, "The file is empty.")])
    if missing or unknown:
        problems = []
        if missing:
            problems.append("missing column(s) " + ", ".join(missing))
        if unknown:
            problems.append("unknown column(s) " + ", ".join(unknown))
        read_as = "" if separator == "," else f", read as values separated by {SEPARATOR_NAMES[separator]},"
        message = f"The header{read_as} has " + " and ".join(problems)
        message += ". Expected: " + ",".join(expected_columns) + "."
        if optional_columns:
            message += " Optional: " + ",".join(optional_columns) + "."
        raise ImportRejected([RowError(1, message)])
    reader.fieldnames = header
    rows = []
    # A row with more or fewer values than the header has columns is a problem of the file's
    # shape, not of one value: its values may well be shifted, so they are not checked further.
    shape_errors = []
    try:
        for record in reader:
            extra = record.pop(None, [])
            if not any(value.strip() for value in [*record.values(), *extra] if value is not None):
                continue
            if extra:
                count = len(header) + len(extra)
                shape_errors.append(
                    RowError(
                        reader.line_num, f"the row has {count} values, more than the header's {len(header)} columns"
                    )
                )
                continue
            if None in record.values():
                # Excel writes an empty cell for every column, so a short row is not Excel's doing.
                absent = [column for column, value in record.items() if value is None]
                count = len(header) - len(absent)
                shape_errors.append(
                    RowError(
                        reader.line_num,
                        f"the row has {count} value{pluralize(count)}, fewer than the header's {len(header)} columns: "
                        f"there is nothing for {', '.join(absent)}",
                    )
                )
                continue
            rows.append((reader.line_num, {key: value.strip() for key, value in record.items()}))
            if max_rows is not None and len(rows) > max_rows:
                raise ImportRejected([RowError(reader.line_num, f"The file has more than {max_rows:,} rows.")])
    except csv.Error as error:
        raise ImportRejected([RowError(reader.line_num, f"The row cannot be read as CSV: {error}.")]) from None
    if shape_errors:
        raise ImportRejected(shape_errors)
    if not rows:
        raise ImportRejected([RowError(2, "The file has a header but no rows.")])
    return rows


def _choice(value: str, choices: type, field_label: str, errors: list[str]) -> str:
    if not value:
        return ""
    lowered = value.lower()
    for choice_value, choice_label in choices.choices:
        if lowered in (choice_value, choice_label.lower()):
            return choice_value
    allowed = ", ".join(choices.values)
    errors.append(f"{field_label} '{value}' is not one of {allowed}")
    return ""


def _yes_no(record: dict[str, str], column: str, errors: list[str]) -> bool | None:
    """The optional column's yes or no as True or False; None when empty or absent (not recorded)."""
    value = record.get(column, "")
    answer = {"yes": True, "no": False, "": None}.get(value.lower())
    if answer is None and value:
        errors.append(f"{column} '{value}' is not yes or no (leave it empty if not recorded)")
    return answer


def _parse_row(cohort: Cohort, record: dict[str, str]) -> tuple[Participant, str, list[str]]:
    errors: list[str] = []
    role = _choice(record["role"], Participant.Role, "role", errors)
    if not record["role"]:
        errors.append("role is required (mentor or mentee)")
    if record["name"].strip().lower() == ERASED_NAME:
        errors.append(f"name '{ERASED_NAME}' marks an erased participant: enter the person's name")
    years = None
    if record["years_as_consultant"]:
        try:
            years = int(record["years_as_consultant"])
        except ValueError:
            errors.append(f"years_as_consultant '{record['years_as_consultant']}' is not a whole number")
        else:
            if role == Participant.Role.MENTOR:
                errors.append("years_as_consultant is for mentees only")
                years = None
    participant = Participant(
        cohort=cohort,
        code=record["code"],
        name=record["name"],
        email=record["email"],
        role=role or Participant.Role.MENTOR,
        grade=record["grade"],
        sex=_choice(record["sex"], Participant.Sex, "sex", errors),
        age_band=_choice(record["age_band"], Participant.AgeBand, "age_band", errors),
        years_as_consultant=years,
        previous_mentoring_experience=_yes_no(record, "previous_mentoring_experience", errors),
        previous_feedback_experience=_yes_no(record, "previous_feedback_experience", errors),
    )
    try:
        participant.full_clean(exclude=["cohort", "supervisor"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, field_errors in error.error_dict.items():
            for field_error in field_errors:
                if field == "email" and field_error.code == "invalid":
                    # Django's own words say "email"; the application says "e-mail address".
                    errors.append(f"email '{record['email']}' is not an e-mail address (e.g. name@example.nhs.uk)")
                else:
                    errors.append(f"{field}: {' '.join(field_error.messages)}")
    return participant, record["supervisor_code"], errors


def import_participants(*, cohort: Cohort, data: bytes) -> list[Participant]:
    """Create every participant in the file, or none, raising ImportRejected with every bad row.

    This is the browser upload, so the file is held to MAX_UPLOAD_BYTES and MAX_ROWS.
    """
    rows = read_rows(
        decode_csv(data, max_bytes=MAX_UPLOAD_BYTES),
        PARTICIPANT_COLUMNS,
        optional_columns=PARTICIPANT_OPTIONAL_COLUMNS,
        max_rows=MAX_ROWS,
    )
    existing = {p.code.lower(): p for p in Participant.objects.filter(cohort=cohort)}
    existing_emails = {p.email.lower() for p in existing.values() if p.email}
    errors: list[RowError] = []
    parsed: list[tuple[int, Participant, str]] = []
    codes_in_file: dict[str, int] = {}
    emails_in_file: dict[str, int] = {}
    for line, record in rows:
        participant, supervisor_code, row_errors = _parse_row(cohort, record)
        code_key = participant.code.lower()
        if code_key and code_key in existing:
            row_errors.append(f"code '{participant.code}' is already used in this cohort")
        elif code_key in codes_in_file:
            row_errors.append(f"code '{participant.code}' is also on line {codes_in_file[code_key]}")
        else:
            codes_in_file[code_key] = line
        email_key = participant.email.lower()
        if email_key:
            if email_key in existing_emails:
                row_errors.append(f"email '{participant.email}' already belongs to a participant of this cohort")
            elif email_key in emails_in_file:
                row_errors.append(f"email '{participant.email}' is also on line {emails_in_file[email_key]}")
            else:
                emails_in_file[email_key] = line
        errors.extend(RowError(line, message) for message in row_errors)
        parsed.append((line, participant, supervisor_code))

    roles_by_code = {code: p.role for code, p in existing.items()}
    roles_by_code.update({p.code.lower(): p.role for _, p, _ in parsed})
    for line, participant, supervisor_code in parsed:
        if not supervisor_code:
            continue
        supervisor_role = roles_by_code.get(supervisor_code.lower())
        if supervisor_role is None:
            errors.append(RowError(line, f"supervisor_code '{supervisor_code}' is not a participant of this cohort"))
        elif supervisor_code.lower() == participant.code.lower():
            errors.append(RowError(line, "a participant cannot be their own supervisor"))
        elif supervisor_role != Participant.Role.MENTEE:
            errors.append(RowError(line, f"supervisor_code '{supervisor_code}' is not a mentee"))
        elif participant.role != Participant.Role.MENTOR:
            errors.append(RowError(line, "supervisor_code is for mentors only: leave it empty for a mentee"))

    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))

    with transaction.atomic():
        created = Participant.objects.bulk_create([participant for _, participant, _ in parsed])
        by_code = {p.code.lower(): p for p in Participant.objects.filter(cohort=cohort)}
        for _, participant, supervisor_code in parsed:
            if supervisor_code:
                participant.supervisor = by_code[supervisor_code.lower()]
        Participant.objects.bulk_update([p for _, p, code in parsed if code and p.pk], ["supervisor"])
    return created
