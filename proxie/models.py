"""SQLAlchemy models of Proxie.

Consumers post requests; providers send quotes for them, and a request is
assigned to the provider whose quote was accepted.

These models are the schema at the head of ``alembic/versions/``
(``000_initial_schema`` -> ``001_add_indexes`` -> ``002_provider_verified``);
``alembic check`` compares the two.  Change a model, then generate the
migration with ``alembic revision --autogenerate -m "..."`` and review it.

Portability (PostgreSQL, MySQL/MariaDB, SQLite): every VARCHAR has a length,
statuses are strings with a CHECK constraint rather than database enums, and
every constraint and index has a deterministic name (``NAMING_CONVENTION``)
so that migrations can drop them by name on every backend.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    # "idx_<table>_<column>", the names of the guide's indexes
    "ix": "idx_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PROVIDER_STATUSES = ("pending", "active", "suspended")
CONSUMER_STATUSES = ("active", "suspended", "deleted")
REQUEST_STATUSES = ("open", "matched", "completed", "cancelled")
QUOTE_STATUSES = ("pending", "accepted", "rejected", "withdrawn")


def _status_check(statuses: tuple[str, ...]) -> CheckConstraint:
    values = ", ".join(f"'{s}'" for s in statuses)
    return CheckConstraint(f"status IN ({values})", name="status")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("CURRENT_TIMESTAMP")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        server_default=text("CURRENT_TIMESTAMP"),
        onupdate=func.now(),
    )


class Provider(TimestampMixin, Base):
    """A business offering services; signs in through Clerk."""

    __tablename__ = "providers"
    __table_args__ = (_status_check(PROVIDER_STATUSES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clerk_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(255), index=True)
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    bio: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(32), server_default="pending", index=True
    )
    # 002_provider_verified: the provider's email address is verified.
    verified: Mapped[bool] = mapped_column(Boolean, server_default=false())

    requests: Mapped[list[Request]] = relationship(
        back_populates="provider", passive_deletes=True
    )
    quotes: Mapped[list[Quote]] = relationship(
        back_populates="provider", passive_deletes=True
    )


class Consumer(TimestampMixin, Base):
    """A person looking for a service; signs in through Clerk."""

    __tablename__ = "consumers"
    __table_args__ = (_status_check(CONSUMER_STATUSES),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clerk_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(255), index=True)
    phone: Mapped[Optional[str]] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), server_default="active")

    requests: Mapped[list[Request]] = relationship(
        back_populates="consumer", passive_deletes=True
    )


class Request(TimestampMixin, Base):
    """A consumer's request for a service; ``provider`` is set once matched."""

    __tablename__ = "requests"
    __table_args__ = (
        _status_check(REQUEST_STATUSES),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_non_negative"),
        # created_at comes from TimestampMixin: listings show recent requests first.
        Index("idx_requests_created_at", "created_at"),
        Index("idx_requests_consumer_status", "consumer_id", "status"),
        Index("idx_requests_provider_status", "provider_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consumer_id: Mapped[int] = mapped_column(
        ForeignKey("consumers.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[Optional[str]] = mapped_column(Text)
    budget: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))
    status: Mapped[str] = mapped_column(
        String(32), server_default="open", index=True
    )
    consumer: Mapped[Consumer] = relationship(back_populates="requests")
    provider: Mapped[Optional[Provider]] = relationship(back_populates="requests")
    quotes: Mapped[list[Quote]] = relationship(
        back_populates="request", passive_deletes=True
    )


class Quote(TimestampMixin, Base):
    """A provider's offer for a request; at most one per provider and request."""

    __tablename__ = "quotes"
    __table_args__ = (
        _status_check(QUOTE_STATUSES),
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("request_id", "provider_id"),
        Index("idx_quotes_request_status", "request_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    message: Mapped[Optional[str]] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), server_default="pending")

    request: Mapped[Request] = relationship(back_populates="quotes")
    provider: Mapped[Provider] = relationship(back_populates="quotes")
