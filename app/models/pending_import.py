"""An uploaded export waiting for its owner to confirm the import after seeing the preview.

The file is kept here, not in the process, so the confirmation may reach any app server; one
per user (a new upload replaces it), gone once imported, cancelled, or the account deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db, table_args


class PendingImport(db.Model):
    __tablename__ = "pending_imports"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # as uploaded (JSON or gzip)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
