"""What ``create_engine(..., connect_args=...)`` and the URL's query give
the driver each dialect names, in the terms alembic-rs's one driver reads:
the URL's query parameters (libpq's and pymysql's names), plus the
session's autocommit where the driver has such a keyword. Each driver's
own keywords are read as that driver reads them, and refused where it
refuses them."""

_MYSQL_SSL_KEYS = ("ca", "capath", "cert", "key", "cipher", "check_hostname")


def _with_connect_args(url, kw, backend=None):
    """`create_engine(..., connect_args=...)`: the keywords psycopg2,
    pymysql or sqlite3 would take are query parameters of the URL our
    driver reads (the same names: `sslmode`, `options`, `application_name`,
    `charset`, `timeout`, ...), overriding the URL's own, as a DSN's
    keywords do. A keyword given as ``None`` is left out, as psycopg2's
    ``make_dsn`` and psycopg's ``make_conninfo`` leave it out (and pymysql
    takes ``None`` as its default): langflow passes
    ``prepare_threshold=None`` this way."""
    from sqlalchemy.engine import make_url

    extra = {}
    for key, value in kw.items():
        if value is None:
            continue
        if backend == "mysql" and key == "ssl" and not hasattr(value, "wrap_socket"):
            if not value:
                # pymysql: an empty or false `ssl` asks for no TLS
                continue
            if not isinstance(value, dict):
                # pymysql reads the keys of what it is given (`ssl=True`)
                raise AttributeError(
                    "'%s' object has no attribute 'get'" % type(value).__name__
                )
            # pymysql's `ssl={...}`: what the URL's `ssl_*` parameters give;
            # it ignores the keys it does not read (`{"ssl_ca": ...}`, as
            # PlanetScale's examples write it) but the dictionary still asks
            # for TLS, unchecked without a `ca`
            known = False
            for name, item in value.items():
                if name in _MYSQL_SSL_KEYS and item is not None:
                    if isinstance(item, bool):
                        item = "true" if item else "false"
                    extra["ssl_" + name] = str(item)
                    known = True
            if not known:
                extra["ssl_check_hostname"] = "false"
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, (str, int, float)):
            raise TypeError(
                "alembic-rs's database driver takes connection settings as text: "
                "connect_args[%r] is a %s; give it as a URL query parameter instead"
                % (key, type(value).__name__)
            )
        extra[key] = str(value)
    return make_url(url).update_query_dict(extra).render_as_string(hide_password=False)

# asyncpg.connect()'s keywords (0.32), plus the two SQLAlchemy's adapter
# takes out before calling it.
_ASYNCPG_KEYWORDS = frozenset((
    "dsn", "host", "port", "user", "password", "passfile", "service", "servicefile",
    "database", "loop", "timeout", "statement_cache_size", "max_cached_statement_lifetime",
    "max_cacheable_statement_size", "command_timeout", "ssl", "direct_tls",
    "connection_class", "record_class", "server_settings", "target_session_attrs",
    "krbsrvname", "gsslib", "prepared_statement_cache_size", "prepared_statement_name_func",
))
# Those that tune asyncpg's own client (statement caches, timeouts, the
# classes it builds, GSSAPI): nothing alembic-rs's driver has.
_ASYNCPG_CLIENT_ONLY = (
    "loop", "timeout", "statement_cache_size", "max_cached_statement_lifetime",
    "max_cacheable_statement_size", "command_timeout", "direct_tls", "connection_class",
    "record_class", "krbsrvname", "gsslib", "prepared_statement_cache_size",
    "prepared_statement_name_func",
)


def _pg_option_word(text):
    """One word of libpq's ``options`` string: spaces and backslashes escaped."""
    return str(text).replace("\\", "\\\\").replace(" ", "\\ ")


def _check_asyncpg_values(given):
    """asyncpg's checks of its client's numbers before connecting (the
    statement caches' sizes, ``command_timeout``), which the driver does
    not otherwise read: ``statement_cache_size="0"`` (a text, a URL's
    value included) fails there as it fails in asyncpg's comparison."""
    for name in (
        "max_cacheable_statement_size",
        "max_cached_statement_lifetime",
        "statement_cache_size",
    ):
        if name in given:
            value = given[name]
            if value is None or isinstance(value, bool) or value < 0:
                raise ValueError(
                    "%s is expected to be greater or equal to 0, got %r" % (name, value)
                )
    timeout = given.get("command_timeout")
    if timeout is not None:
        try:
            if isinstance(timeout, bool):
                raise ValueError
            timeout = float(timeout)
            if timeout <= 0:
                raise ValueError
        except ValueError:
            raise ValueError(
                "invalid command_timeout value: expected greater than 0 float (got %r)"
                % (timeout,)
            ) from None


def _asyncpg_args(url, kw):
    """asyncpg's connection keywords (SQLAlchemy's asyncpg dialect passes the
    URL's query as keywords, then ``connect_args``) in the libpq terms the
    driver reads; other URLs are returned as they are.

    A keyword asyncpg does not know fails as asyncpg fails (libpq's
    ``sslmode`` and ``application_name`` among them). ``ssl`` is a mode
    name, ``True`` (``verify-full`` against the system's roots) or
    ``False``. ``server_settings`` are the session's settings
    (``application_name``, ``jit``, ``search_path``, ...), sent at start-up
    as asyncpg sends them. Keywords for asyncpg's own client (statement
    caches, ``prepared_statement_name_func`` for pgbouncer, timeouts,
    ``record_class``) have nothing to act on here and are left out."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_driver_name() != "asyncpg":
        return url, kw
    for key in list(parsed.query) + list(kw):
        if key not in _ASYNCPG_KEYWORDS:
            raise TypeError("connect() got an unexpected keyword argument %r" % key)
    _check_asyncpg_values(dict(parsed.query, **kw))
    kw = {k: v for k, v in kw.items() if k not in _ASYNCPG_CLIENT_ONLY}
    parsed = parsed.difference_update_query(_ASYNCPG_CLIENT_ONLY)
    settings = {}
    server_settings = kw.pop("server_settings", None)
    if server_settings is not None:
        if not isinstance(server_settings, dict):
            raise TypeError(
                "alembic-rs's database driver takes server_settings as a dict, not %s"
                % type(server_settings).__name__
            )
        options = []
        for name, value in server_settings.items():
            if name == "application_name":
                settings["application_name"] = str(value)
            else:
                options.append("-c %s=%s" % (_pg_option_word(name), _pg_option_word(value)))
        if options:
            settings["options"] = " ".join(options)
    ssl = kw.pop("ssl") if "ssl" in kw else parsed.query.get("ssl")
    if ssl is True:
        settings.update(sslmode="verify-full", sslrootcert="system")
    elif ssl is False:
        settings["sslmode"] = "disable"
    elif isinstance(ssl, str):
        settings["sslmode"] = ssl
    elif ssl is not None:
        raise TypeError(
            "alembic-rs's database driver takes connection settings as text: "
            "connect_args['ssl'] is a %s; give the mode as a URL query parameter instead"
            % type(ssl).__name__
        )
    parsed = parsed.difference_update_query(["ssl"]).update_query_dict(settings)
    return parsed.render_as_string(hide_password=False), kw


# pymysql.connect()'s keywords (1.1), plus the `ssl_*` query parameters
# SQLAlchemy folds into its `ssl` dictionary before calling it.
_PYMYSQL_KEYWORDS = frozenset((
    "user", "password", "host", "database", "unix_socket", "port", "charset", "collation",
    "sql_mode", "read_default_file", "conv", "use_unicode", "client_flag", "cursorclass",
    "init_command", "connect_timeout", "read_default_group", "autocommit", "local_infile",
    "max_allowed_packet", "defer_connect", "auth_plugin_map", "read_timeout", "write_timeout",
    "bind_address", "binary_prefix", "program_name", "server_public_key", "ssl", "ssl_ca",
    "ssl_cert", "ssl_disabled", "ssl_key", "ssl_key_password", "ssl_verify_cert",
    "ssl_verify_identity", "compress", "named_pipe", "passwd", "db",
    "ssl_capath", "ssl_cipher", "ssl_check_hostname",
))


# The character sets pymysql 1.1 knows by name.
_PYMYSQL_CHARSETS = frozenset(
    """armscii8 ascii big5 binary cp1250 cp1251 cp1256 cp1257 cp850 cp852 cp866
    cp932 dec8 eucjpms euckr gb18030 gb2312 gbk geostd8 greek hebrew hp8 keybcs2
    koi8r koi8u latin1 latin2 latin5 latin7 macce macroman sjis swe7 tis620 ujis
    utf8 utf8mb3 utf8mb4""".split()
)


def _check_pymysql_keywords(url, kw):
    """pymysql's refusal of a keyword it does not know (the URL's query
    and ``connect_args`` both reach ``pymysql.connect()``): a typo such as
    ``?charst=utf8mb4`` fails there rather than being ignored."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_driver_name() != "pymysql":
        return
    for key in list(parsed.query) + list(kw):
        if key not in _PYMYSQL_KEYWORDS:
            raise TypeError("Connection.__init__() got an unexpected keyword argument %r" % key)
    # pymysql looks the character set up in its own table before connecting
    # (in any case; `utf8` among them): a name it lacks fails there, even
    # one the server has (utf16, utf32, ucs2), and so do a URL's repeated
    # `charset=` (SQLAlchemy passes them as a tuple)
    charset = kw.get("charset", parsed.query.get("charset"))
    if charset and (isinstance(charset, tuple) or str(charset).lower() not in _PYMYSQL_CHARSETS):
        raise AttributeError("'NoneType' object has no attribute 'encoding'")


def _check_sqlite_keywords(kw):
    """``sqlite3.connect()``'s refusal of a keyword it does not know or of
    a value of the wrong type (``check_same_threads=False``,
    ``timeout="30"``): Python's own module checks them, on a database in
    memory, in its own words."""
    try:
        import sqlite3
    except ImportError:
        return
    sqlite3.connect(":memory:", **{k: v for k, v in kw.items() if k != "database"}).close()


def resolve(url, kw, backend):
    """``(url, autocommit)`` for ``connect(url, **kw)``:
    ``autocommit`` is False (the driver's default), True, or None for the
    server's own (pymysql's ``autocommit=None``)."""
    from sqlalchemy.engine import make_url

    autocommit = False
    if backend == "postgresql":
        url, kw = _asyncpg_args(url, kw)
        # psycopg 3's connect() takes it (psycopg2's and asyncpg's refuse it,
        # as unknown keywords reach the URL below)
        if "autocommit" in kw and make_url(url).get_driver_name() in ("psycopg", "psycopg_async"):
            autocommit = bool(kw.pop("autocommit"))
    elif backend == "mysql":
        _check_pymysql_keywords(url, kw)
        # pymysql takes the value's truth (a URL's text included)
        autocommit = kw.pop("autocommit", make_url(url).query.get("autocommit", False))
        autocommit = None if autocommit is None else bool(autocommit)
    elif backend == "sqlite" and kw:
        # aiosqlite's own keywords (its thread's fetch size, the loop) tune a
        # client alembic-rs does not have (the URL here is the driver's,
        # which no longer names aiosqlite)
        kw = {k: v for k, v in kw.items() if k not in ("iter_chunk_size", "loop")}
        _check_sqlite_keywords(kw)
    if kw:
        url = _with_connect_args(url, kw, backend)
    return url, autocommit
