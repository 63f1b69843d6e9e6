"""``alembic.util.messaging``: the helpers Alembic's commands print with,
which applications import too (neutron's migration CLI binds ``err``,
``warn`` and ``msg`` at import time, and its revision files import that
module for their branch labels)."""

import logging
import sys
import textwrap
import warnings
from collections.abc import Iterable
from contextlib import contextmanager

log = logging.getLogger("alembic.util.messaging")

# As Alembic: records of the "alembic" loggers are dropped, not shown by
# Python's last-resort handler, when nothing configured logging (an env.py
# without fileConfig: prefect's, dagster's).
logging.getLogger("alembic").addHandler(logging.NullHandler())


def _terminal_width():
    """The width of the terminal on standard input, or None (not a
    terminal): ``msg`` wraps and indents only then, as Alembic's does."""
    try:
        import fcntl
        import struct
        import termios

        packed = fcntl.ioctl(0, termios.TIOCGWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
    except (ImportError, OSError):
        return None
    width = struct.unpack("HHHH", packed)[1]
    return width if width > 0 else None


TERMWIDTH = _terminal_width()


def write_outstream(stream, *text, quiet=False):
    """Writes each piece in the stream's encoding (unencodable characters
    replaced); a broken pipe ends the output quietly."""
    if quiet:
        return
    encoding = getattr(stream, "encoding", "ascii") or "ascii"
    for piece in text:
        if isinstance(piece, bytes):
            piece = piece.decode(encoding)
        else:
            piece = piece.encode(encoding, "replace").decode(encoding)
        try:
            stream.write(piece)
        except OSError:
            break


def msg(msg, newline=True, flush=False, quiet=False):
    """A line on stdout; on a terminal, wrapped to its width with a
    two-space indent."""
    if quiet:
        return
    if TERMWIDTH is None:
        write_outstream(sys.stdout, msg)
        if newline:
            write_outstream(sys.stdout, "\n")
    else:
        lines = textwrap.wrap(msg, TERMWIDTH, initial_indent="  ", subsequent_indent="  ")
        for line in lines[:-1]:
            write_outstream(sys.stdout, line, "\n")
        write_outstream(sys.stdout, lines[-1], "\n" if newline else "")
    if flush:
        sys.stdout.flush()


def err(message, quiet=False):
    """Logs the error, prints ``FAILED: message`` and exits with -1 (255)."""
    log.error(message)
    msg("FAILED: %s" % message, quiet=quiet)
    sys.exit(-1)


@contextmanager
def status(status_msg, newline=False, quiet=False):
    """``<status_msg> ...`` then ``  done`` or, if the block raises,
    ``  FAILED``."""
    msg(status_msg + " ...", newline, flush=True, quiet=quiet)
    try:
        yield
    except BaseException:
        if not quiet:
            write_outstream(sys.stdout, "  FAILED\n")
        raise
    if not quiet:
        write_outstream(sys.stdout, "  done\n")


def obfuscate_url_pw(input_url):
    """The URL with its password shown as ``***``."""
    from sqlalchemy.engine import make_url

    return make_url(input_url).render_as_string(hide_password=True)


def warn(msg, stacklevel=2):
    warnings.warn(msg, UserWarning, stacklevel=stacklevel)


def warn_deprecated(msg, stacklevel=2):
    warnings.warn(msg, DeprecationWarning, stacklevel=stacklevel)


def format_as_comma(value):
    """``None`` -> "", a string as is, an iterable joined with ", "."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return ", ".join(value)
    raise ValueError("Don't know how to comma-format %r" % value)
