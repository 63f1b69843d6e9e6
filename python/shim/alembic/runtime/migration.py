"""``MigrationContext``: one database (or one ``--sql`` stream) under migration.

The step plan and the version-table bookkeeping come from Rust
(``_alembic_rs``); SQL for the version table is built with SQLAlchemy Core,
so it is the text Alembic sends.
"""

from contextlib import contextmanager, nullcontext
import logging
import sys

from sqlalchemy import literal_column
from sqlalchemy.engine import Engine
from sqlalchemy.engine import url as sqla_url

from .. import ddl
from .._rs import static
from ..util.exc import CommandError
from ..util.proxy import to_tuple

log = logging.getLogger("alembic.runtime.migration")

# Stand-ins for version numbers in the cached version-table statements.
_FROM_MARK = "\x00alembic-rs-from\x00"
_TO_MARK = "\x00alembic-rs-to\x00"


class _ProxyTransaction:
    def __init__(self, migration_context):
        self.migration_context = migration_context

    @property
    def _proxied_transaction(self):
        return self.migration_context._transaction

    def rollback(self):
        t = self._proxied_transaction
        t.rollback()
        self.migration_context._transaction = None

    def commit(self):
        t = self._proxied_transaction
        t.commit()
        self.migration_context._transaction = None

    def __enter__(self):
        return self

    def __exit__(self, type_, value, traceback):
        if self._proxied_transaction is not None:
            self._proxied_transaction.__exit__(type_, value, traceback)
            self.migration_context._transaction = None


def _in_transaction(connection):
    try:
        return connection.in_transaction()
    except AttributeError:
        return False


class MigrationContext:
    def __init__(self, dialect, connection, opts, environment_context=None):
        self.environment_context = environment_context
        self.opts = opts
        self.dialect = dialect
        self.script = opts.get("script")
        as_sql = opts.get("as_sql", False)
        transactional_ddl = opts.get("transactional_ddl")
        self._transaction_per_migration = opts.get("transaction_per_migration", False)
        self.on_version_apply_callbacks = opts.get("on_version_apply", ())
        self._transaction = None
        if as_sql:
            self.connection = self._stdout_connection(connection)
            self._in_external_transaction = False
        else:
            self.connection = connection
            self._in_external_transaction = (
                connection is not None and _in_transaction(connection)
            )
        self._migrations_fn = opts.get("fn")
        self.as_sql = as_sql
        self.purge = opts.get("purge", False)
        if "output_encoding" in opts:
            from .._rs.io import EncodedIO

            self.output_buffer = EncodedIO(
                opts.get("output_buffer") or sys.stdout, opts["output_encoding"]
            )
        else:
            self.output_buffer = opts.get("output_buffer", sys.stdout)
        self.transactional_ddl = transactional_ddl
        self.version_table = version_table = opts.get("version_table", "alembic_version")
        self.version_table_schema = opts.get("version_table_schema", None)
        self._start_from_rev = opts.get("starting_rev")
        # autogenerate's type / server default comparison switches
        self._user_compare_type = opts.get("compare_type", True)
        self._user_compare_server_default = opts.get("compare_server_default", False)
        self._version_sql = {}
        self.impl = ddl.impl_for(dialect)(
            dialect, self.connection, self.as_sql, transactional_ddl, self.output_buffer, opts
        )
        self._version = self.impl.version_table_impl(
            version_table=version_table,
            version_table_schema=self.version_table_schema,
            version_table_pk=opts.get("version_table_pk", True),
        )
        log.info("Context impl %s.", self.impl.__class__.__name__)
        if self.as_sql:
            log.info("Generating static SQL")
        log.info(
            "Will assume %s DDL.",
            "transactional" if self.impl.transactional_ddl else "non-transactional",
        )

    @classmethod
    def configure(
        cls,
        connection=None,
        url=None,
        dialect_name=None,
        dialect=None,
        environment_context=None,
        dialect_opts=None,
        opts=None,
    ):
        if opts is None:
            opts = {}
        if dialect_opts is None:
            dialect_opts = {}
        if connection:
            if isinstance(connection, Engine):
                raise CommandError(
                    "'connection' argument to configure() is expected to be a "
                    "sqlalchemy.engine.Connection instance, got %r" % connection
                )
            dialect = connection.dialect
        elif url:
            dialect = _stock_dialect(sqla_url.make_url(url))(**dialect_opts)
        elif dialect_name:
            dialect = _stock_dialect(sqla_url.make_url("%s://" % dialect_name))(**dialect_opts)
        elif not dialect:
            raise Exception("Connection, url, or dialect_name is required.")
        return MigrationContext(dialect, connection, opts, environment_context)

    @contextmanager
    def autocommit_block(self):
        _in_connection_transaction = self._in_connection_transaction()
        if self.impl.transactional_ddl and self.as_sql:
            self.impl.emit_commit()
        elif _in_connection_transaction:
            # Alembic's bare assert: env.py that began the connection's
            # transaction itself (`with engine.begin() as connection:`) gets
            # an `AssertionError` without a message (scripts/fuzz-fail.py)
            assert self._transaction is not None
            self._transaction.commit()
            self._transaction = None
        if not self.as_sql:
            current_level = self.connection.get_isolation_level()
            base_connection = self.connection
            self.connection = self.impl.connection = base_connection.execution_options(
                isolation_level="AUTOCOMMIT"
            )
            fake_trans = self.connection.begin()
        else:
            fake_trans = None
        try:
            yield
        finally:
            if not self.as_sql:
                fake_trans.commit()
                self.connection.execution_options(isolation_level=current_level)
                self.connection = self.impl.connection = base_connection
            if self.impl.transactional_ddl and self.as_sql:
                self.impl.emit_begin()
            elif _in_connection_transaction:
                self._transaction = self.connection.begin()

    def begin_transaction(self, _per_migration=False):
        if self._in_external_transaction:
            return nullcontext()
        if self.impl.transactional_ddl:
            transaction_now = _per_migration == self._transaction_per_migration
        else:
            transaction_now = _per_migration is True
        if not transaction_now:
            return nullcontext()
        if not self.impl.transactional_ddl:
            if self.as_sql:
                return nullcontext()
            if self._transaction is not None:
                return nullcontext()
            self._transaction = _begin(self.connection)
            return _ProxyTransaction(self)
        if self.as_sql:

            @contextmanager
            def begin_commit():
                self.impl.emit_begin()
                yield
                self.impl.emit_commit()

            return begin_commit()
        self._transaction = _begin(self.connection)
        return _ProxyTransaction(self)

    def get_current_revision(self):
        heads = self.get_current_heads()
        if len(heads) == 0:
            return None
        if len(heads) > 1:
            raise CommandError(
                "Version table '%s' has more than one head present; "
                "please use get_current_heads()" % self.version_table
            )
        return heads[0]

    def get_current_heads(self):
        if self.as_sql:
            start = self._start_from_rev
            if start == "base":
                start = None
            elif start is not None and self.script:
                revs = [start] if isinstance(start, str) else list(start)
                start = [
                    self.script.get_revision(r).revision
                    for r in revs
                    if r not in (None, "base")
                ]
            if start is None:
                return ()
            return (start,) if isinstance(start, str) else tuple(start)
        if self._start_from_rev:
            raise CommandError(
                "Can't specify current_rev to context when using a database connection"
            )
        if not self._has_version_table():
            return ()
        return tuple(row[0] for row in self.connection.execute(self._version.select()))

    def _has_version_table(self):
        from sqlalchemy import inspect

        return inspect(self.connection).has_table(
            self.version_table, self.version_table_schema
        )

    def _ensure_version_table(self, purge=False):
        with _ensure_scope_for_ddl(self.connection):
            self._version.create(self.connection, checkfirst=True)
            if purge:
                self.connection.execute(self._version.delete())

    def stamp(self, script_directory, revision):
        raise NotImplementedError(
            "MigrationContext.stamp() is not supported by alembic-rs yet; "
            "use the stamp command"
        )

    def run_migrations(self, **kw):
        self.impl.start_migrations()
        if self.purge:
            if self.as_sql:
                raise CommandError("Can't use --purge with --sql mode")
            self._ensure_version_table(purge=True)
            heads = ()
        else:
            heads = self.get_current_heads()
            if not self.as_sql and not heads and not self.opts.get("dont_mutate", False):
                self._ensure_version_table()
        import _alembic_rs

        # a NULL row is never a step's; rows that are not text fail below,
        # where Alembic's planner meets them
        maintainer = _alembic_rs.HeadMaintainer([h for h in heads if isinstance(h, str)])
        steps = list(self._migrations_fn(heads, self))
        static_path = static.renderer(self, steps, kw)
        _import_ahead(static_path, steps)
        _take_functions(static_path, steps)
        for step in steps:
            with self.begin_transaction(_per_migration=True):
                if self.as_sql and not maintainer.heads:
                    self._version.create(self.connection)
                text, short_log = _step_texts(step)
                log.info("Running %s", text)
                if self.as_sql:
                    self.impl.static_output("-- Running %s" % (short_log,))
                if step.is_stamp or not static.run_step(static_path, self.impl, step):
                    _migration_fn(step)(**kw)
                debug, ops, failure = maintainer.update_to_step(step)
                log.debug(debug)
                for op in ops:
                    self._apply_version_op(*op)
                if failure is not None:
                    raise failure
                for callback in self.on_version_apply_callbacks:
                    callback(
                        ctx=self,
                        step=MigrationInfo.from_step(step, self.script.revision_map),
                        heads=set(maintainer.heads),
                        run_args=kw,
                    )

    def _apply_version_op(self, kind, version, to=None):
        if self.as_sql:
            # The statement compiled once per kind with marker versions, then
            # filled in: the text is what compiling each one gives (the
            # versions are literal columns, inserted verbatim), without a
            # SQLAlchemy compile per step (a tenth of a 10,000-revision run).
            template = self._version_sql.get(kind)
            if template is None:
                template = self._version_sql[kind] = self._version_template(kind)
            sql = template.replace(_FROM_MARK, version)
            if to is not None:
                sql = sql.replace(_TO_MARK, to)
            self.impl._emit_static_sql(sql)
            return
        vt = self._version
        if kind == "insert":
            self.impl._exec(vt.insert().values(version_num=literal_column("'%s'" % version)))
            return
        if kind == "delete":
            ret = self.impl._exec(
                vt.delete().where(vt.c.version_num == literal_column("'%s'" % version))
            )
            what = "deleting '%s'" % version
        else:
            ret = self.impl._exec(
                vt.update()
                .values(version_num=literal_column("'%s'" % to))
                .where(vt.c.version_num == literal_column("'%s'" % version))
            )
            what = "updating '%s' to '%s'" % (version, to)
        if (
            not self.as_sql
            and self.dialect.supports_sane_rowcount
            and ret is not None
            and ret.rowcount != 1
        ):
            raise CommandError(
                "Online migration expected to match one row when %s in '%s'; %d found"
                % (what, self.version_table, ret.rowcount)
            )

    def _version_template(self, kind):
        vt = self._version
        if kind == "insert":
            stmt = vt.insert().values(version_num=literal_column("'%s'" % _FROM_MARK))
        elif kind == "delete":
            stmt = vt.delete().where(vt.c.version_num == literal_column("'%s'" % _FROM_MARK))
        else:
            stmt = (
                vt.update()
                .values(version_num=literal_column("'%s'" % _TO_MARK))
                .where(vt.c.version_num == literal_column("'%s'" % _FROM_MARK))
            )
        if self.impl.literal_binds:
            compiled = stmt.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True})
        else:
            compiled = stmt.compile(dialect=self.dialect)
        return str(compiled).replace("\t", "    ").strip()

    def _in_connection_transaction(self):
        try:
            meth = self.connection.in_transaction
        except AttributeError:
            return False
        return meth()

    def execute(self, sql, execution_options=None):
        self.impl._exec(sql, execution_options)

    def _stdout_connection(self, connection):
        from sqlalchemy.engine.mock import MockConnection

        def dump(construct, *multiparams, **params):
            self.impl._exec(construct)

        return MockConnection(self.dialect, dump)

    @property
    def bind(self):
        return self.connection

    @property
    def config(self):
        if self.environment_context:
            return self.environment_context.config
        return None


def _stock_dialect(u):
    """The dialect class SQLAlchemy itself loads for ``u`` (what Alembic
    gets from ``url.get_dialect()``), not alembic-rs's driver subclass
    registered over the same name: with a URL and no connection (``--sql``)
    nothing connects, and the SQL text must be the stock dialect's (e.g.
    SQLAlchemy 2.1's default ``postgresql://`` driver, psycopg, renders
    ``::VARCHAR`` casts on binds)."""
    from sqlalchemy.dialects import registry

    from .._rs import dialects

    ours = dialects.names()
    saved = dict(registry.impls)
    for name in ours:
        registry.impls.pop(name, None)
    try:
        return u.get_dialect()
    finally:
        registry.impls.clear()
        registry.impls.update(saved)


def _begin(connection):
    if connection.in_transaction():
        # autobegun by our own queries (has_table, select): Alembic's
        # _safe_begin_connection_transaction does the same.
        return connection.get_transaction()
    return connection.begin()


@contextmanager
def _ensure_scope_for_ddl(connection):
    try:
        in_transaction = connection.in_transaction
    except AttributeError:
        yield
        return
    if not in_transaction():
        with connection.begin():
            yield
    else:
        yield


_modules = {}


def _import_ahead(static_path, steps):
    """Imports the plan's revision files before its first step runs.

    Alembic imports every revision file when it loads its revision map,
    which ``run_migrations`` does before running anything: a revision whose
    import fails (superset's revisions import its models) fails the command
    with nothing migrated, even where each migration commits on its own
    (``transaction_per_migration``). Files whose module-level code the static
    path read as inert are left alone: importing them can neither fail nor
    be observed, and the static path may not need them at all.

    They are imported in Alembic's load order (version location by location,
    file names sorted), not in the plan's: a revision whose import has an
    effect another's import sees (agenta's reconfigure logging, silencing
    what later imports log) behaves as under Alembic."""
    from .._rs.host import load_python_file

    revisions = [step for step in steps if not step.is_stamp]
    for step in sorted(revisions, key=lambda step: step.load_index):
        if step.path in _modules:
            continue
        if isinstance(static_path, str) or static_path.needs_import(step.path):
            _modules[step.path] = load_python_file(step.path)


def _take_functions(static_path, steps):
    """Fails as Alembic does when a revision in the plan lacks the function
    its step calls (OpenStack's trees have no ``downgrade()``).

    Alembic builds the whole list of steps before running the first, and
    each step takes its revision's ``upgrade``/``downgrade`` from the module
    as it is built: a missing one is an ``AttributeError`` with nothing
    migrated, however far down the plan it is. Imported modules are asked
    directly; a file left to the static path is imported only when it has no
    ``def`` of that name (its code is inert, so the import is unobservable).
    """
    for step in steps:
        if step.is_stamp:
            continue
        if step.path not in _modules and not static_path.lacks_def(step.path, step.name):
            continue
        _migration_fn(step)


def _step_texts(step):
    """``str(step)`` and ``step.short_log`` as Alembic prints them.

    Alembic names a step after its function's ``__name__``, not after the
    attribute it took the function from: a revision whose ``upgrade`` is
    wrapped by a decorator without ``functools.wraps`` (ihatemoney's
    ``skip_if_sqlite``) logs ``Running wrapper a -> b``. Only imported modules
    can differ: the static path reads undecorated ``def upgrade()`` only."""
    text, short_log = str(step), step.short_log
    if step.is_stamp or step.path not in _modules:
        return text, short_log
    name = getattr(_migration_fn(step), "__name__", step.name)
    if not isinstance(name, str) or name == step.name:
        return text, short_log
    cut = len(step.name)
    return name + text[cut:], name + short_log[cut:]


def _migration_fn(step):
    if step.is_stamp:
        return lambda **kw: None
    module = _modules.get(step.path)
    if module is None:
        from .._rs.host import load_python_file

        module = _modules[step.path] = load_python_file(step.path)
    return getattr(module, step.name)


class MigrationInfo:
    """What ``on_version_apply`` callbacks receive."""

    def __init__(self, revision_map, is_upgrade, is_stamp, up_revisions, down_revisions):
        self.revision_map = revision_map
        self.is_upgrade = is_upgrade
        self.is_stamp = is_stamp
        self.up_revision_ids = to_tuple(up_revisions, default=())
        self.up_revision_id = self.up_revision_ids[0] if self.up_revision_ids else None
        self.down_revision_ids = to_tuple(down_revisions, default=())

    @classmethod
    def from_step(cls, step, revision_map):
        return cls(revision_map, step.is_upgrade, step.is_stamp, step.up_revision_ids,
                   step.down_revision_ids)

    @property
    def is_migration(self):
        return not self.is_stamp

    @property
    def source_revision_ids(self):
        return self.down_revision_ids if self.is_upgrade else self.up_revision_ids

    @property
    def destination_revision_ids(self):
        return self.up_revision_ids if self.is_upgrade else self.down_revision_ids

    @property
    def up_revision(self):
        return self.revision_map.get_revision(self.up_revision_id)

    @property
    def up_revisions(self):
        return self.revision_map.get_revisions(self.up_revision_ids)

    @property
    def down_revisions(self):
        return self.revision_map.get_revisions(self.down_revision_ids)

    @property
    def source_revisions(self):
        return self.revision_map.get_revisions(self.source_revision_ids)

    @property
    def destination_revisions(self):
        return self.revision_map.get_revisions(self.destination_revision_ids)


class _PlannedInRust:
    """Alembic's migration step classes. alembic-rs plans and runs the steps
    in Rust; ``on_version_apply`` callbacks get ``MigrationInfo`` as in
    Alembic, but these cannot be built from Python."""

    def __init__(self, *args, **kw):
        from ..util.exc import CommandError

        raise CommandError(
            "alembic-rs: alembic.runtime.migration.%s is not available; "
            "migration steps are planned and run by alembic-rs (Rust). "
            "on_version_apply callbacks receive MigrationInfo as in Alembic"
            % type(self).__name__
        )


class MigrationStep(_PlannedInRust):
    pass


class RevisionStep(MigrationStep):
    pass


class StampStep(MigrationStep):
    pass


class HeadMaintainer(_PlannedInRust):
    pass
