"""``alembic.config.Config`` as env.py and tools use it.

Reading the ini goes through Python's own ``configparser`` here, so what
env.py sees (``get_section``, interpolation, ``here``) is what Alembic
gives; the Rust side reads the same file with the same rules for discovery.
"""

from configparser import ConfigParser
import os
from pathlib import Path
import sys

from typing import Any, Mapping, Protocol, TypedDict

from .util.exc import CommandError

# Alembic's typing names (annotations in env.py files and command plugins)
PostWriteHookConfig = Mapping[str, str]


class MessagingOptions(TypedDict, total=False):
    quiet: bool


class CommandFunction(Protocol):
    """A function registered as an alembic command (a ``Config`` first)."""

    def __call__(self, config: "Config", *args: Any, **kwargs: Any) -> Any: ...


class Config:
    def __init__(
        self,
        file_=None,
        toml_file=None,
        ini_section="alembic",
        output_buffer=None,
        stdout=sys.stdout,
        cmd_opts=None,
        config_args=None,
        attributes=None,
    ):
        self.config_file_name = None if file_ is None else os.fspath(file_)
        self.toml_file_name = None if toml_file is None else os.fspath(toml_file)
        self.config_ini_section = ini_section
        self.output_buffer = output_buffer
        self.stdout = stdout
        self.cmd_opts = cmd_opts
        self.config_args = dict(config_args or {})
        self.toml_args = dict(self.config_args)
        if attributes:
            self.attributes = attributes

    @property
    def cmd_opts(self):
        """The command line as an ``argparse.Namespace``, as Alembic's.

        Built when first asked for: importing argparse is ~0.5 MB, at the
        peak of every command, that few env.py files need (the quiet flag
        and ``-x`` are read without it, through :meth:`_cmd_opt`)."""
        state = self.__dict__
        if "_cmd_args" in state:
            from argparse import Namespace

            args = state.pop("_cmd_args")
            if "cmd" in args:
                # (fn, positional names, keyword names), as Alembic's
                # argparse sets it; fn is the alembic.command function
                from . import command

                name, positional, keywords = args["cmd"]
                args["cmd"] = (getattr(command, name), positional, keywords)
            state["_cmd_opts"] = Namespace(**args)
        return state.get("_cmd_opts")

    @cmd_opts.setter
    def cmd_opts(self, value):
        self.__dict__.pop("_cmd_args", None)
        self.__dict__["_cmd_opts"] = value

    def _cmd_opt(self, name, default=None):
        args = self.__dict__.get("_cmd_args")
        if args is not None:
            return args.get(name, default)
        return getattr(self.cmd_opts, name, default)

    @property
    def attributes(self):
        value = self.__dict__.get("attributes")
        if value is None:
            value = self.__dict__["attributes"] = {}
        return value

    @attributes.setter
    def attributes(self, value):
        self.__dict__["attributes"] = value

    @property
    def messaging_opts(self):
        return {"quiet": self._cmd_opt("quiet", False)}

    def print_stdout(self, text, *arg):
        from .util.messaging import write_outstream

        output = str(text) % arg if arg else str(text)
        write_outstream(self.stdout, output, "\n", **self.messaging_opts)

    @property
    def file_config(self):
        parser = self.__dict__.get("_file_config")
        if parser is None:
            if self.config_file_name:
                here = Path(self.config_file_name).absolute().parent
            else:
                here = Path()
            self.config_args["here"] = here.as_posix()
            parser = ConfigParser(self.config_args)
            if self.config_file_name:
                parser.read([self.config_file_name])
            else:
                parser.add_section(self.config_ini_section)
            self.__dict__["_file_config"] = parser
        return parser

    @property
    def toml_alembic_config(self):
        data = self.__dict__.get("_toml")
        if data is None:
            data = {}
            if self.toml_file_name and Path(self.toml_file_name).exists():
                import tomllib

                here = Path(self.toml_file_name).absolute().parent
                self.toml_args["here"] = here.as_posix()
                with open(self.toml_file_name, "rb") as f:
                    data = tomllib.load(f).get("tool", {}).get("alembic", {})
                if not isinstance(data, dict):
                    raise CommandError("Incorrect TOML format")
            self.__dict__["_toml"] = data
        return data

    def get_template_directory(self):
        return str(Path(__file__).absolute().parent / "templates")

    def get_section(self, name, default=None):
        if not self.file_config.has_section(name):
            return default
        return dict(self.file_config.items(name))

    def set_main_option(self, name, value):
        self.set_section_option(self.config_ini_section, name, value)

    def remove_main_option(self, name):
        self.file_config.remove_option(self.config_ini_section, name)

    def set_section_option(self, section, name, value):
        if not self.file_config.has_section(section):
            self.file_config.add_section(section)
        self.file_config.set(section, name, value)

    def get_section_option(self, section, name, default=None):
        if not self.file_config.has_section(section):
            raise CommandError(
                "No config file %r found, or file has no '[%s]' section"
                % (self.config_file_name, section)
            )
        if self.file_config.has_option(section, name):
            return self.file_config.get(section, name)
        return default

    def get_main_option(self, name, default=None):
        return self.get_section_option(self.config_ini_section, name, default)

    def _toml_value(self, value):
        if isinstance(value, str):
            return value % self.toml_args
        if isinstance(value, list):
            return [self._toml_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self._toml_value(v) for k, v in value.items()}
        return value

    def get_alembic_option(self, name, default=None):
        if self.file_config.has_option(self.config_ini_section, name):
            return self.file_config.get(self.config_ini_section, name)
        if name in self.toml_alembic_config:
            return self._toml_value(self.toml_alembic_config[name])
        return default

    def get_alembic_boolean_option(self, name):
        if self.file_config.has_option(self.config_ini_section, name):
            return self.file_config.getboolean(self.config_ini_section, name)
        value = self.toml_alembic_config.get(name, False)
        if not isinstance(value, bool):
            raise CommandError(f"boolean value expected for TOML parameter {name!r}")
        return value

    def _separated_list(self, key, toml_key):
        value = self.file_config.get(self.config_ini_section, key, fallback=None)
        if value is None:
            items = self.toml_alembic_config.get(toml_key)
            return None if items is None else [self._toml_value(i) for i in items]
        sep = None
        for opt in ("path_separator", "version_path_separator"):
            chosen = self.get_main_option(opt)
            if chosen is not None:
                sep = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}.get(chosen)
                break
        if sep is None:
            import re

            return [x for x in re.split(r", *|(?: +)", value) if x]
        return [x.strip() for x in value.split(sep) if x.strip()]

    def get_version_locations_list(self):
        return self._separated_list("version_locations", "version_locations")

    def get_prepend_sys_paths_list(self):
        return self._separated_list("prepend_sys_path", "prepend_sys_path")

    def get_hooks_list(self):
        return []


class CommandLine:
    """Present for imports only; alembic-rs's command line is the binary."""

    def __init__(self, prog=None):
        self.prog = prog


def main(argv=None, prog=None, **kwargs):
    raise CommandError("alembic.config.main() is not available inside alembic-rs")

