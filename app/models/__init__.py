"""SQLAlchemy models; importing this package registers every table on the metadata."""

from app.models.attempt import Answer, Attempt, AttemptItem, SkillScore
from app.models.item_version import ItemVersion
from app.models.user import User

__all__ = ["Answer", "Attempt", "AttemptItem", "ItemVersion", "SkillScore", "User"]
