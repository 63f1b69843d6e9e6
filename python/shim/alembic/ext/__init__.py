"""Opt-in plugins shipped with Alembic. Their names (``alembic.ext.*``)
fall outside the default ``"alembic.autogenerate.*"`` wildcard, so each is
enabled only by naming it in ``autogenerate_plugins``."""
