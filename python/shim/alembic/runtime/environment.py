"""``EnvironmentContext``: what env.py reaches as ``alembic.context``."""

from ..util import proxy
from ..util.exc import CommandError
from .migration import MigrationContext

# Keywords of EnvironmentContext.configure() that only autogenerate reads;
# stored in opts for the commands that use them.
_AUTOGEN_KEYS = (
    "target_metadata",
    "include_name",
    "include_object",
    "include_schemas",
    "render_as_batch",
    "upgrade_token",
    "downgrade_token",
    "sqlalchemy_module_prefix",
    "alembic_module_prefix",
    "user_module_prefix",
    "process_revision_directives",
    "compare_type",
    "compare_server_default",
    "render_item",
    "autogenerate_plugins",
    "template_args",
)


class EnvironmentContext:
    _migration_context = None

    def __init__(self, config, script, **kw):
        self.config = config
        self.script = script
        self.context_opts = kw

    def __enter__(self):
        proxy.install("EnvironmentContext", self)
        return self

    def __exit__(self, *exc):
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
        opts = self.config.cmd_opts
        value = list(getattr(opts, "x", None) or []) if opts is not None else []
        if as_dictionary:
            result = {}
            for arg in value:
                if "=" not in arg:
                    raise ValueError(
                        "-x argument must be in 'key=value' format when "
                        "as_dictionary=True"
                    )
                key, val = arg.split("=", 1)
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
        literal_binds=False,
        on_version_apply=None,
        **kw,
    ):
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
        opts["literal_binds"] = literal_binds
        if on_version_apply is None:
            opts["on_version_apply"] = ()
        elif callable(on_version_apply):
            opts["on_version_apply"] = (on_version_apply,)
        else:
            opts["on_version_apply"] = tuple(on_version_apply)
        opts.setdefault("compare_type", True)
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
