"""``EnvironmentContext``: what env.py reaches as ``alembic.context``."""

from typing import Any, Callable, Literal, MutableMapping, Optional, Union

from ..util import proxy
from ..util.exc import CommandError
from .migration import MigrationContext
from .migration import _ProxyTransaction  # noqa: F401

# The callback types of ``configure()``, for annotations in env.py and
# extensions (``ProcessRevisionDirectiveFn``: advanced-alchemy).
ProcessRevisionDirectiveFn = Callable[[Any, Any, list], None]
RenderItemFn = Callable[[str, Any, Any], Union[str, Literal[False]]]
NameFilterType = Literal[
    "schema", "table", "column", "index", "unique_constraint", "foreign_key_constraint"
]
NameFilterParentNames = MutableMapping[
    Literal["schema_name", "table_name", "schema_qualified_table_name"], Optional[str]
]
IncludeNameFn = Callable[[Optional[str], NameFilterType, NameFilterParentNames], bool]
IncludeObjectFn = Callable[[Any, Optional[str], NameFilterType, bool, Optional[Any]], bool]
OnVersionApplyFn = Callable[..., None]
CompareServerDefault = Callable[..., Optional[bool]]
CompareType = Callable[..., Optional[bool]]

class EnvironmentContext:
    _migration_context = None

    def __init__(self, config, script, **kw):
        self.config = config
        self.script = script
        self.context_opts = kw

    def __enter__(self):
        proxy.install("EnvironmentContext", self)
        _profile_start()
        return self

    def __exit__(self, *exc):
        _profile_stop()
        proxy.uninstall("EnvironmentContext", self)

    def is_offline_mode(self):
        return self.context_opts.get("as_sql", False)

    def is_transactional_ddl(self):
        return self.get_context().impl.transactional_ddl

    def requires_connection(self):
        return not self.is_offline_mode()

    def get_head_revision(self):
        return self.script.as_revision_number("head")

    def get_head_revisions(self):
        return self.script.as_revision_number("heads")

    def get_starting_revision_argument(self):
        if self._migration_context is not None:
            return self.script.as_revision_number(
                self.get_context()._start_from_rev
            )
        elif "starting_rev" in self.context_opts:
            return self.script.as_revision_number(self.context_opts["starting_rev"])
        raise CommandError("No starting revision argument is available.")

    def get_revision_argument(self):
        return self.script.as_revision_number(self.context_opts["destination_rev"])

    def get_tag_argument(self):
        return self.context_opts.get("tag", None)

    def get_x_argument(self, as_dictionary=False):
        value = list(self.config._cmd_opt("x") or [])
        if as_dictionary:
            # `-x flag` is {'flag': ''}
            result = {}
            for arg in value:
                key, _, val = arg.partition("=")
                result[key] = val
            return result
        return value

    def configure(
        self,
        connection=None,
        url=None,
        dialect_name=None,
        dialect_opts=None,
        transactional_ddl=None,
        transaction_per_migration=False,
        output_buffer=None,
        starting_rev=None,
        tag=None,
        template_args=None,
        render_as_batch=False,
        target_metadata=None,
        include_name=None,
        include_object=None,
        include_schemas=False,
        process_revision_directives=None,
        compare_type=True,
        compare_server_default=False,
        render_item=None,
        literal_binds=False,
        upgrade_token="upgrades",
        downgrade_token="downgrades",
        alembic_module_prefix="op.",
        sqlalchemy_module_prefix="sa.",
        user_module_prefix=None,
        on_version_apply=None,
        autogenerate_plugins=None,
        **kw,
    ):
        """Alembic's keywords, stored in ``opts`` as Alembic stores them.

        Any other keyword is stored in ``opts`` too, unchecked, as in
        Alembic (impls and extensions read them: ``version_table``,
        ``version_table_schema``, ``version_table_pk``, ``output_encoding``,
        ``mssql_batch_separator``, ``oracle_batch_separator`` are). The
        autogenerate keywords only matter to ``revision --autogenerate``
        and ``check``.
        """
        opts = self.context_opts
        if transactional_ddl is not None:
            opts["transactional_ddl"] = transactional_ddl
        if output_buffer is not None:
            opts["output_buffer"] = output_buffer
        elif self.config.output_buffer is not None:
            opts["output_buffer"] = self.config.output_buffer
        if starting_rev:
            opts["starting_rev"] = starting_rev
        if tag:
            opts["tag"] = tag
        if template_args and "template_args" in opts:
            opts["template_args"].update(template_args)
        opts["transaction_per_migration"] = transaction_per_migration
        opts["target_metadata"] = target_metadata
        opts["include_name"] = include_name
        opts["include_object"] = include_object
        opts["include_schemas"] = include_schemas
        opts["render_as_batch"] = render_as_batch
        opts["upgrade_token"] = upgrade_token
        opts["downgrade_token"] = downgrade_token
        opts["sqlalchemy_module_prefix"] = sqlalchemy_module_prefix
        opts["alembic_module_prefix"] = alembic_module_prefix
        opts["user_module_prefix"] = user_module_prefix
        opts["literal_binds"] = literal_binds
        opts["process_revision_directives"] = process_revision_directives
        if on_version_apply is None:
            opts["on_version_apply"] = ()
        elif callable(on_version_apply):
            opts["on_version_apply"] = (on_version_apply,)
        else:
            opts["on_version_apply"] = tuple(on_version_apply)
        if autogenerate_plugins is not None:
            opts["autogenerate_plugins"] = autogenerate_plugins
        if render_item is not None:
            opts["render_item"] = render_item
        opts["compare_type"] = compare_type
        if compare_server_default is not None:
            opts["compare_server_default"] = compare_server_default
        opts["script"] = self.script
        opts.update(kw)
        self._migration_context = MigrationContext.configure(
            connection=connection,
            url=url,
            dialect_name=dialect_name,
            environment_context=self,
            dialect_opts=dialect_opts,
            opts=opts,
        )

    def run_migrations(self, **kw):
        from ..operations import Operations

        with Operations.context(self._migration_context):
            self.get_context().run_migrations(**kw)

    def execute(self, sql, execution_options=None):
        self.get_context().execute(sql, execution_options=execution_options)

    def static_output(self, text):
        self.get_context().impl.static_output(text)

    def begin_transaction(self):
        return self.get_context().begin_transaction()

    def get_context(self):
        if self._migration_context is None:
            raise Exception("No context has been configured yet.")
        return self._migration_context

    def get_bind(self):
        return self.get_context().bind

    def get_impl(self):
        return self.get_context().impl


# ALEMBIC_RS_PYPROFILE=<file>: run env.py under cProfile and write the stats
# (pstats format) there; for finding where an embedded run spends its time
# (bench/offline_sql.py). Off unless set.
_profiler = None


def _profile_start():
    import os

    global _profiler
    if os.environ.get("ALEMBIC_RS_PYPROFILE"):
        import cProfile

        _profiler = cProfile.Profile()
        _profiler.enable()


def _profile_stop():
    import os

    global _profiler
    if _profiler is not None:
        _profiler.disable()
        _profiler.dump_stats(os.environ["ALEMBIC_RS_PYPROFILE"])
        _profiler = None
