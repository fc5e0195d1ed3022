"""The protocol's questionnaires (PROTOCOL.md, timeline steps 2, 5, 7 and 9), as plain data."""

from participants.models import Participant

MENTOR = Participant.Role.MENTOR
MENTEE = Participant.Role.MENTEE

SCALES = {
    "importance": [
        "Not at all important",
        "Slightly important",
        "Moderately important",
        "Very important",
        "Extremely important",
    ],
    "confidence": [
        "Not at all confident",
        "Slightly confident",
        "Moderately confident",
        "Very confident",
        "Extremely confident",
    ],
    "ability": ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
    "awareness": ["Not at all aware", "Slightly aware", "Moderately aware", "Very aware", "Extremely aware"],
    "understanding": ["Not at all", "A little", "Moderately", "Well", "Completely"],
}
EXPERIENCE_CHOICES = [["poor", "Poor"], ["fair", "Fair"], ["good", "Good"], ["excellent", "Excellent"]]
TIME_CHOICES = [["too_short", "Too short"], ["about_right", "About right"], ["too_long", "Too long"]]
# The values are what answers and exports store; only the labels may change.
CONCERN_CHOICES = [["none", "None now"], ["lesser", "Lesser"], ["same", "The same"], ["greater", "Greater"]]


def _block(key: str, construct: str, prompt: str) -> dict:
    return {
        "key": key,
        "kind": "likert_block",
        "construct": construct,
        "prompt": prompt,
        "scale_labels": SCALES[construct],
    }


IMPORTANCE = _block("importance", "importance", "How important is it to you to give feedback to senior colleagues on:")
CONFIDENCE = _block("confidence", "confidence", "How confident are you in giving feedback to senior colleagues on:")
ABILITY = _block("ability", "ability", "I feel able to give honest feedback to senior colleagues on:")
AWARENESS = _block("awareness", "awareness", "How aware are you of how junior doctors view you on:")
UNDERSTANDING = {
    "key": "understanding",
    "kind": "likert",
    "construct": "understanding",
    "prompt": "How well do you understand the reverse mentoring process?",
    "scale_labels": SCALES["understanding"],
}
CONCERNS = {
    "key": "concerns",
    "kind": "text",
    "required": False,
    "prompt": "What concerns, if any, do you have about reverse mentoring?",
}
AFTER_PHASE2_QUESTIONS = [
    {
        "key": "overall_experience",
        "kind": "choice",
        "choices": EXPERIENCE_CHOICES,
        "prompt": "Overall, how was your experience of reverse mentoring?",
    },
    {
        "key": "meeting_time",
        "kind": "choice",
        "choices": TIME_CHOICES,
        "prompt": "Was the time for the one-to-one meeting too short, about right or too long?",
    },
    {
        "key": "concerns_compared",
        "kind": "choice",
        "choices": CONCERN_CHOICES,
        "prompt": "Compared with the start of the programme, are your concerns now none, lesser, the same or greater?",
    },
    {"key": "change_practice", "kind": "yes_no", "prompt": "Will the programme change your practice?"},
    {
        "key": "appraisal",
        "kind": "yes_no",
        "prompt": "Should feedback from junior doctors be part of consultant appraisal?",
    },
    {
        "key": "comments",
        "kind": "text",
        "required": False,
        "prompt": "Is there anything else you would like to tell us about the programme?",
    },
]

DEFAULT_INSTRUMENTS = [
    {
        "key": "mentor-baseline",
        "title": "Mentor questionnaire before phase 1",
        "role": MENTOR,
        "introduction": "Before the group interview: your views on giving feedback to senior colleagues.",
        "items": [
            CONCERNS,
            {
                "key": "easier",
                "kind": "text",
                "required": False,
                "prompt": "What would make giving feedback to senior colleagues easier?",
            },
            UNDERSTANDING,
            IMPORTANCE,
            CONFIDENCE,
            ABILITY,
        ],
    },
    {
        "key": "mentor-after-phase1",
        "title": "Mentor questionnaire after phase 1",
        "role": MENTOR,
        "introduction": "After the group interview: the same questions again.",
        "items": [UNDERSTANDING, IMPORTANCE, CONFIDENCE, ABILITY, CONCERNS],
    },
    {
        "key": "mentor-after-phase2",
        "title": "Mentor questionnaire after phase 2",
        "role": MENTOR,
        "introduction": "After the one-to-one meeting with your mentee.",
        "items": [UNDERSTANDING, IMPORTANCE, CONFIDENCE, ABILITY, *AFTER_PHASE2_QUESTIONS],
    },
    {
        "key": "mentee-before-phase2",
        "title": "Mentee questionnaire before phase 2",
        "role": MENTEE,
        "introduction": "Before your one-to-one feedback meeting with a junior doctor.",
        "items": [
            CONCERNS,
            AWARENESS,
            {
                "key": "expected_minutes",
                "kind": "number",
                "min_value": 5,
                "max_value": 600,
                "prompt": "How long do you expect the feedback meeting to take, in minutes?",
            },
        ],
    },
    {
        "key": "mentee-after-phase2",
        "title": "Mentee questionnaire after phase 2",
        "role": MENTEE,
        "introduction": "After your one-to-one feedback meeting.",
        "items": [AWARENESS, *AFTER_PHASE2_QUESTIONS],
    },
]

# Which instrument each role answers at each stage when a cohort is created.
DEFAULT_STAGE_TEMPLATE = {
    "baseline": {MENTOR: "mentor-baseline", MENTEE: None},
    "after_phase1": {MENTOR: "mentor-after-phase1", MENTEE: None},
    "before_phase2": {MENTOR: None, MENTEE: "mentee-before-phase2"},
    "after_phase2": {MENTOR: "mentor-after-phase2", MENTEE: "mentee-after-phase2"},
}

CONSENT_VERSION = "2026-11"
