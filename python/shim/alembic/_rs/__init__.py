"""alembic-rs internals: the DB-API driver, dialect registration, the host."""


def raised_from(exc, cause):
    """``exc`` with ``cause`` as its ``__cause__``, the cause raised first so
    its traceback prints a header, as ``raise exc from cause`` inside
    Alembic's ``_catch_revision_errors`` shows it."""
    try:
        raise cause
    except BaseException as caught:
        exc.__cause__ = caught
    return exc
