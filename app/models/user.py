"""Accounts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, Integer, String, false, func
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db, table_args


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored normalised (see services.accounts.normalise_email), so a plain unique index is
    # case-insensitive in effect on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    target_role: Mapped[str | None] = mapped_column(String(64))
    # Bumped on logout-everywhere / password change; part of the session id, so old cookies die.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set when an email change is confirmed: confirmation links issued before it are dead.
    email_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Granted with `flask users grant-admin`; admins see the item statistics at /admin/items.
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The IANA zone the pages show times in (services/timezones.py); None: the browser's zone.
    time_zone: Mapped[str | None] = mapped_column(String(64))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"
