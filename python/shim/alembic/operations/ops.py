"""Operation objects, for code that imports them (``MigrateOperation``)."""


class MigrateOperation:
    """Base of Alembic's operation objects."""

    @property
    def info(self):
        if not hasattr(self, "_info"):
            self._info = {}
        return self._info
