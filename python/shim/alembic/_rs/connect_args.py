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
        if (
            backend == "mysql"
            and key == "ssl"
            and isinstance(value, dict)
            and set(value) <= set(_MYSQL_SSL_KEYS)
        ):
            # pymysql's `ssl={...}`: what the URL's `ssl_*` parameters give
            for name, item in value.items():
                if item is not None:
                    if isinstance(item, bool):
                        item = "true" if item else "false"
                    extra["ssl_" + name] = str(item)
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


def _check_pymysql_keywords(url, kw):
    """pymysql's refusal of a keyword it does not know (the URL's query
    and ``connect_args`` both reach ``pymysql.connect()``): a typo such as
    ``?charst=utf8mb4`` fails there rather than being ignored."""
    from sqlalchemy.engine import make_url

    if make_url(url).get_driver_name() != "pymysql":
        return
    for key in list(make_url(url).query) + list(kw):
        if key not in _PYMYSQL_KEYWORDS:
            raise TypeError("Connection.__init__() got an unexpected keyword argument %r" % key)


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
    if kw:
        url = _with_connect_args(url, kw, backend)
    return url, autocommit
