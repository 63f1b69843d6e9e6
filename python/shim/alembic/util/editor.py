"""``alembic.util.editor``: open a file in the user's editor (what ``edit``
does; scripts and CLI wrappers call ``open_in_editor`` on a new revision).

The search is the one ``alembic-rs edit`` makes (``$EDITOR``, ``$VISUAL``,
then common editors on ``PATH``); ``environ`` replaces ``os.environ``.
"""

import os
from os.path import exists, join, splitext
from subprocess import check_call

from .compat import is_posix
from .exc import CommandError


def open_in_editor(filename, environ=None):
    """Run the editor on ``filename`` and wait; any failure is a
    ``CommandError("Error executing editor (...)")``."""
    env = os.environ if environ is None else environ
    try:
        check_call([_find_editor(env), filename])
    except Exception as exc:
        raise CommandError("Error executing editor (%s)" % (exc,)) from exc


def _find_editor(environ):
    candidates = _default_editors()
    for position, var in enumerate(("EDITOR", "VISUAL")):
        choice = environ.get(var)
        if choice is None:
            continue
        if exists(choice):
            return choice
        if os.sep not in choice:
            candidates.insert(position, choice)
    for candidate in candidates:
        found = _find_executable(candidate, environ)
        if found is not None:
            return found
    raise OSError(
        'No suitable editor found. Please set the "EDITOR" or "VISUAL" '
        "environment variables"
    )


def _find_executable(candidate, environ):
    if not is_posix and splitext(candidate)[1] != ".exe":
        candidate += ".exe"
    for directory in environ.get("PATH", "").split(os.pathsep):
        path = join(directory, candidate)
        if exists(path):
            return path
    return None


def _default_editors():
    if is_posix:
        return ["sensible-editor", "editor", "nano", "vim", "code"]
    return ["code.exe", "notepad++.exe", "notepad.exe"]
