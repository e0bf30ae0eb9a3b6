"""SQLAlchemy models; importing this package registers every table on the metadata."""

from app.models.access import ApiToken, ShareLink
from app.models.attempt import Answer, Attempt, AttemptItem, SkillEstimate, SkillScore
from app.models.feedback import (
    FeedbackComment,
    FeedbackInvitation,
    FeedbackOptOut,
    FeedbackRating,
    FeedbackRound,
)
from app.models.item_version import ItemVersion
from app.models.milestone import Activity, Certification, Education, Position
from app.models.pending_import import PendingImport
from app.models.rate_limit import RateLimitCounter
from app.models.user import User

__all__ = [
    "Activity",
    "Answer",
    "ApiToken",
    "Attempt",
    "AttemptItem",
    "Certification",
    "Education",
    "FeedbackComment",
    "FeedbackInvitation",
    "FeedbackOptOut",
    "FeedbackRating",
    "FeedbackRound",
    "ItemVersion",
    "PendingImport",
    "Position",
    "RateLimitCounter",
    "ShareLink",
    "SkillEstimate",
    "SkillScore",
    "User",
]
