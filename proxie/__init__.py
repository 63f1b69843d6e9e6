"""Proxie: the platform that matches consumers' requests with providers.

The example application behind the repository's ``alembic.ini`` and
``alembic/`` migrations.  Only what the migrations need lives here:
``proxie.settings`` (configuration from the environment) and
``proxie.models`` (the SQLAlchemy models, whose ``Base.metadata`` is the
``target_metadata`` of ``alembic/env.py``).
"""
