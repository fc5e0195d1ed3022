import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from participants.models import Cohort, Domain, Participant


class Stage(models.TextChoices):
    BASELINE = "baseline", "Baseline (before phase 1)"
    AFTER_PHASE1 = "after_phase1", "After phase 1"
    BEFORE_PHASE2 = "before_phase2", "Before phase 2"
    AFTER_PHASE2 = "after_phase2", "After phase 2"


STAGE_ORDER = [stage.value for stage in Stage]


class Construct(models.TextChoices):
    IMPORTANCE = "importance", "Importance of giving feedback to seniors"
    CONFIDENCE = "confidence", "Confidence in giving feedback"
    ABILITY = "ability", "Feeling able to give feedback"
    AWARENESS = "awareness", "Awareness of how junior doctors view you"
    UNDERSTANDING = "understanding", "Understanding of the process"


class Instrument(models.Model):
    key = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    role = models.CharField(max_length=10, choices=Participant.Role.choices)
    introduction = models.TextField(blank=True)
    # A new value on every change to the items (questionnaires/definitions.py): processes that
    # keep the items in memory compare it with the one they read them under.
    items_revision = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["role", "key"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    class Kind(models.TextChoices):
        LIKERT_BLOCK = "likert_block", "Likert block (one question per domain)"
        LIKERT = "likert", "Single Likert item"
        CHOICE = "choice", "Single choice"
        YES_NO = "yes_no", "Yes or no"
        NUMBER = "number", "Number"
        TEXT = "text", "Free text"

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=60)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    prompt = models.TextField()
    help_text = models.CharField(max_length=300, blank=True)
    construct = models.CharField(max_length=20, choices=Construct.choices, blank=True)
    # Five labels for a Likert scale, from 1 to 5; [value, label] pairs for a choice.
    scale_labels = models.JSONField(default=list, blank=True)
    choices = models.JSONField(default=list, blank=True)
    min_value = models.IntegerField(null=True, blank=True)
    max_value = models.IntegerField(null=True, blank=True)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["instrument_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="item_key_unique_in_instrument"),
            models.UniqueConstraint(fields=["instrument", "position"], name="item_position_unique_in_instrument"),
            models.CheckConstraint(
                condition=~models.Q(kind__in=["likert_block", "likert"]) | ~models.Q(construct=""),
                name="item_likert_has_construct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.key}: {self.key}"

    @property
    def is_likert(self) -> bool:
        return self.kind in (self.Kind.LIKERT_BLOCK, self.Kind.LIKERT)


class CohortStageQuerySet(models.QuerySet):
    def open_on(self, day) -> "CohortStageQuerySet":
        """Stages taking answers on `day`: within their dates, in a cohort that has not closed."""
        return (
            self.filter(opens_on__lte=day)
            .filter(models.Q(closes_on__isnull=True) | models.Q(closes_on__gte=day))
            .exclude(cohort__status=Cohort.Status.CLOSED)
        )


class CohortStage(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    opens_on = models.DateField(null=True, blank=True, help_text="Links work from this day. Empty: not open yet.")
    closes_on = models.DateField(null=True, blank=True, help_text="Last day answers are accepted. Empty: no end.")
    mentor_instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role": "mentor"},
    )
    mentee_instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"role": "mentee"},
    )
    reminder_interval_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Remind non-responders every this many days while the stage is open. Empty: no reminders.",
    )

    objects = CohortStageQuerySet.as_manager()

    class Meta:
        ordering = ["cohort_id", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "stage"], name="cohort_stage_unique"),
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="cohort_stage_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort.slug} {self.get_stage_display()}"

    def instrument_for(self, role: str) -> Instrument | None:
        return self.mentor_instrument if role == Participant.Role.MENTOR else self.mentee_instrument

    def is_open(self, day=None) -> bool:
        """Whether it takes answers on `day` (today by default): within its dates, in a cohort still open."""
        day = day or timezone.localdate()
        if self.cohort.is_closed or self.opens_on is None or day < self.opens_on:
            return False
        return self.closes_on is None or day <= self.closes_on

    def has_responses(self) -> bool:
        return Response.objects.filter(participant__cohort_id=self.cohort_id, stage=self.stage).exists()


class PersonalLink(models.Model):
    """A participant's link for one stage.

    Only a hash of the token is stored, so neither the database nor an export can
    reveal a working link; the token itself is derived from `nonce` and the
    SECRET_KEY when an e-mail is written (see questionnaires/tokens.py).
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="links")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    nonce = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)  # unique: see Meta
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "stage"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_link_per_participant_stage",
            ),
            # A constraint rather than unique=True, which on PostgreSQL also builds a second index
            # for LIKE queries that no one makes: one index fewer to write per link issued.
            models.UniqueConstraint(fields=["token_hash"], name="personal_link_token_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"Link for {self.participant.code} at {self.stage}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class ResponseQuerySet(models.QuerySet):
    def submitted(self) -> "ResponseQuerySet":
        return self.filter(status=Response.Status.SUBMITTED)


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Started"
        SUBMITTED = "submitted", "Submitted"

    class Source(models.TextChoices):
        ONLINE = "online", "Online"
        IMPORT = "import", "Imported"

    # No index of its own: the unique constraint below starts with this column and serves its lookups.
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, db_index=False, related_name="responses")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ONLINE)
    # The unsubmitted answers as typed, kept so a participant can leave and resume.
    draft = models.JSONField(default=dict, blank=True)
    # The submitted Likert answers again, a digit per question, for the analysis: questionnaires/scores.py.
    likert_scores = models.TextField(blank=True, default="", editable=False)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        constraints = [
            # One response per person per stage: a second submission can never make another.
            models.UniqueConstraint(fields=["participant", "stage"], name="one_response_per_participant_stage"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="submitted_response_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant.code} at {self.stage} ({self.status})"


class LikertAnswer(models.Model):
    # No index of its own: the unique constraint below starts with this column and serves its lookups.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, db_index=False, related_name="likert_answers")
    construct = models.CharField(max_length=20, choices=Construct.choices)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "construct", "domain"], name="likert_answer_once_per_domain"),
            models.UniqueConstraint(
                fields=["response", "construct"],
                condition=models.Q(domain__isnull=True),
                name="likert_single_item_answer_once",
            ),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="likert_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.construct}/{self.domain_id or '-'}: {self.score}"


class ItemAnswer(models.Model):
    """An answer to a non-Likert item: a choice, yes/no, a number or free text."""

    # No index of its own: the unique constraint below starts with this column and serves its lookups.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, db_index=False, related_name="item_answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="item_answer_once")]

    def __str__(self) -> str:
        return f"{self.item.key}: {self.value[:30]}"


class OutboundEmail(models.Model):
    """An invitation or reminder, recorded before it is queued so that none is lost."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        # Not delivered: the mail server refused it or could not be reached, or sending kept breaking off.
        FAILED = "failed", "Failed"
        # Deliberately not sent, as it was of no use any more (the participant answered meanwhile, say).
        SKIPPED = "skipped", "Not sent"

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="emails")
    link = models.ForeignKey(PersonalLink, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    # Why it failed or was not sent, in plain words for the lead ("The mail server refused the address.").
    reason = models.CharField(max_length=200, blank=True)
    # The technical detail of a failure (the mail server's answer) for administrators.
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker last took it for sending: one that is still "sending" long after was lost with its worker.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbound_email_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.participant.code} ({self.status})"


def cohort_has_answers(cohort: Cohort) -> bool:
    return Response.objects.filter(participant__cohort=cohort).exists()
