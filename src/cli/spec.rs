//! Alembic's command line as data: the sub-commands in `dir(alembic.command)`
//! order, their options (`CommandLine._KWARGS_OPTS`) and positionals
//! (`_POSITIONAL_OPTS`), and the global options. `argparse.rs` builds its
//! parsers from these tables; `help.rs` renders them.

/// argparse action classes used by Alembic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Store,
    StoreTrue,
    Append,
    Help,
    Version,
    SubParsers,
}

/// argparse `nargs` values used by Alembic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Nargs {
    /// `None`: exactly one value.
    Single,
    /// `0`: flags.
    Zero,
    /// `'+'`.
    OneOrMore,
    /// `argparse.PARSER` (`'A...'`): the sub-command and everything after.
    Parser,
}

/// An option, as in `CommandLine._KWARGS_OPTS`.
#[derive(Clone, Copy)]
pub(crate) struct OptDef {
    pub(crate) flags: &'static [&'static str],
    pub(crate) dest: &'static str,
    pub(crate) kind: Kind,
    pub(crate) default: Option<&'static str>,
    pub(crate) help: &'static str,
}

/// A positional, as in `CommandLine._POSITIONAL_OPTS`.
#[derive(Clone, Copy)]
pub(crate) struct PosDef {
    pub(crate) dest: &'static str,
    pub(crate) nargs: Nargs,
    pub(crate) help: Option<&'static str>,
}

/// One sub-command: a public function of `alembic.command`. Options are in
/// the order of the function's keyword parameters, positionals in the order
/// of its positional parameters.
pub(crate) struct CommandDef {
    pub(crate) name: &'static str,
    /// First paragraph of the docstring, lines stripped and joined by a
    /// space (so double spaces survive here and are collapsed when wrapped).
    pub(crate) help: &'static str,
    pub(crate) options: &'static [OptDef],
    pub(crate) positionals: &'static [PosDef],
    /// Keyword parameters of the function that have no option; argparse
    /// never sets them, but they are in the `cmd` tuple env.py can read
    /// (`config.cmd_opts.cmd[2]`).
    pub(crate) hidden_kwargs: &'static [&'static str],
}

pub(crate) const SQL_HELP: &str =
    "Don't emit SQL to database - dump to standard output/file instead. See docs on offline mode.";

pub(crate) const TEMPLATE: OptDef = OptDef {
    flags: &["-t", "--template"],
    dest: "template",
    kind: Kind::Store,
    default: Some("generic"),
    help: "Setup template for use with 'init'",
};
pub(crate) const MESSAGE: OptDef = OptDef {
    flags: &["-m", "--message"],
    dest: "message",
    kind: Kind::Store,
    default: None,
    help: "Message string to use with 'revision'",
};
pub(crate) const SQL: OptDef = OptDef {
    flags: &["--sql"],
    dest: "sql",
    kind: Kind::StoreTrue,
    default: None,
    help: SQL_HELP,
};
pub(crate) const TAG: OptDef = OptDef {
    flags: &["--tag"],
    dest: "tag",
    kind: Kind::Store,
    default: None,
    help: "Arbitrary 'tag' name - can be used by custom env.py scripts.",
};
pub(crate) const HEAD: OptDef = OptDef {
    flags: &["--head"],
    dest: "head",
    kind: Kind::Store,
    default: None,
    help: "Specify head revision or <branchname>@head to base new revision on.",
};
pub(crate) const SPLICE: OptDef = OptDef {
    flags: &["--splice"],
    dest: "splice",
    kind: Kind::StoreTrue,
    default: None,
    help: "Allow a non-head revision as the 'head' to splice onto",
};
pub(crate) const DEPENDS_ON: OptDef = OptDef {
    flags: &["--depends-on"],
    dest: "depends_on",
    kind: Kind::Append,
    default: None,
    help: "Specify one or more revision identifiers which this revision should depend on.",
};
pub(crate) const REV_ID: OptDef = OptDef {
    flags: &["--rev-id"],
    dest: "rev_id",
    kind: Kind::Store,
    default: None,
    help: "Specify a hardcoded revision id instead of generating one",
};
pub(crate) const VERSION_PATH: OptDef = OptDef {
    flags: &["--version-path"],
    dest: "version_path",
    kind: Kind::Store,
    default: None,
    help: "Specify specific path from config for version file",
};
pub(crate) const BRANCH_LABEL: OptDef = OptDef {
    flags: &["--branch-label"],
    dest: "branch_label",
    kind: Kind::Store,
    default: None,
    help: "Specify a branch label to apply to the new revision",
};
pub(crate) const VERBOSE: OptDef = OptDef {
    flags: &["-v", "--verbose"],
    dest: "verbose",
    kind: Kind::StoreTrue,
    default: None,
    help: "Use more verbose output",
};
pub(crate) const RESOLVE_DEPENDENCIES: OptDef = OptDef {
    flags: &["--resolve-dependencies"],
    dest: "resolve_dependencies",
    kind: Kind::StoreTrue,
    default: None,
    help: "Treat dependency versions as down revisions",
};
pub(crate) const AUTOGENERATE: OptDef = OptDef {
    flags: &["--autogenerate"],
    dest: "autogenerate",
    kind: Kind::StoreTrue,
    default: None,
    help: "Populate revision script with candidate migration operations, based on comparison of database to model.",
};
pub(crate) const REV_RANGE: OptDef = OptDef {
    flags: &["-r", "--rev-range"],
    dest: "rev_range",
    kind: Kind::Store,
    default: None,
    help: "Specify a revision range; format is [start]:[end]",
};
pub(crate) const INDICATE_CURRENT: OptDef = OptDef {
    flags: &["-i", "--indicate-current"],
    dest: "indicate_current",
    kind: Kind::StoreTrue,
    default: None,
    help: "Indicate the current revision",
};
pub(crate) const PURGE: OptDef = OptDef {
    flags: &["--purge"],
    dest: "purge",
    kind: Kind::StoreTrue,
    default: None,
    help: "Unconditionally erase the version table before stamping",
};
pub(crate) const PACKAGE: OptDef = OptDef {
    flags: &["--package"],
    dest: "package",
    kind: Kind::StoreTrue,
    default: None,
    help: "Write empty __init__.py files to the environment and version locations",
};
pub(crate) const CHECK_HEADS: OptDef = OptDef {
    flags: &["-c", "--check-heads"],
    dest: "check_heads",
    kind: Kind::StoreTrue,
    default: None,
    help: "Check if all head revisions are applied to the database. Exit with an error code if this is not the case.",
};

pub(crate) const DIRECTORY: PosDef = PosDef {
    dest: "directory",
    nargs: Nargs::Single,
    help: Some("location of scripts directory"),
};
pub(crate) const REVISION: PosDef = PosDef {
    dest: "revision",
    nargs: Nargs::Single,
    help: Some("revision identifier"),
};
pub(crate) const REVISIONS: PosDef = PosDef {
    dest: "revisions",
    nargs: Nargs::OneOrMore,
    help: Some("one or more revisions, or 'heads' for all heads"),
};
pub(crate) const REV: PosDef = PosDef {
    dest: "rev",
    nargs: Nargs::Single,
    help: None,
};

/// `alembic.command`'s public functions in `dir()` (alphabetical) order.
pub(crate) const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "branches",
        help: "Show current branch points.",
        options: &[VERBOSE],
        positionals: &[],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "check",
        help: "Check if revision command with autogenerate has pending upgrade ops.",
        options: &[],
        positionals: &[],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "current",
        help: "Display the current revision for a database.",
        options: &[CHECK_HEADS, VERBOSE],
        positionals: &[],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "downgrade",
        help: "Revert to a previous version.",
        options: &[SQL, TAG],
        positionals: &[REVISION],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "edit",
        help: "Edit revision script(s) using $EDITOR.",
        options: &[],
        positionals: &[REV],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "ensure_version",
        help: "Create the alembic version table if it doesn't exist already .",
        options: &[SQL],
        positionals: &[],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "heads",
        help: "Show current available heads in the script directory.",
        options: &[VERBOSE, RESOLVE_DEPENDENCIES],
        positionals: &[],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "history",
        help: "List changeset scripts in chronological order.",
        options: &[REV_RANGE, VERBOSE, INDICATE_CURRENT],
        positionals: &[],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "init",
        help: "Initialize a new scripts directory.",
        options: &[TEMPLATE, PACKAGE],
        positionals: &[DIRECTORY],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "list_templates",
        help: "List available templates.",
        options: &[],
        positionals: &[],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "merge",
        help: "Merge two revisions together.  Creates a new migration file.",
        options: &[MESSAGE, BRANCH_LABEL, REV_ID, SPLICE],
        positionals: &[REVISIONS],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "revision",
        help: "Create a new revision file.",
        options: &[
            MESSAGE,
            AUTOGENERATE,
            SQL,
            HEAD,
            SPLICE,
            BRANCH_LABEL,
            VERSION_PATH,
            REV_ID,
            DEPENDS_ON,
        ],
        positionals: &[],
        hidden_kwargs: &["process_revision_directives"],
    },
    CommandDef {
        name: "show",
        help: "Show the revision(s) denoted by the given symbol.",
        options: &[],
        positionals: &[REV],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "stamp",
        help: "'stamp' the revision table with the given revision; don't run any migrations.",
        options: &[SQL, TAG, PURGE],
        // `_POSITIONAL_TRANSLATIONS`: stamp's `revision` becomes `revisions`.
        positionals: &[REVISIONS],
        hidden_kwargs: &[],
    },
    CommandDef {
        name: "upgrade",
        help: "Upgrade to a later version.",
        options: &[SQL, TAG],
        positionals: &[REVISION],
        hidden_kwargs: &[],
    },
];

/// The top-level options after `-h/--help` and `--version`.
pub(crate) const GLOBAL_OPTIONS: &[OptDef] = &[
    OptDef {
        flags: &["-c", "--config"],
        dest: "config",
        kind: Kind::Append,
        default: None,
        help: "Alternate config file; defaults to value of ALEMBIC_CONFIG environment variable, or \"alembic.ini\". May also refer to pyproject.toml file.  May be specified twice to reference both files separately",
    },
    OptDef {
        flags: &["-n", "--name"],
        dest: "name",
        kind: Kind::Store,
        default: Some("alembic"),
        help: "Name of section in .ini file to use for Alembic config (only applies to configparser config, not toml)",
    },
    OptDef {
        flags: &["-x"],
        dest: "x",
        kind: Kind::Append,
        default: None,
        help: "Additional arguments consumed by custom env.py scripts, e.g. -x setting1=somesetting -x setting2=somesetting",
    },
    OptDef {
        flags: &["--raiseerr"],
        dest: "raiseerr",
        kind: Kind::StoreTrue,
        default: None,
        help: "Raise a full stack trace on error",
    },
    OptDef {
        flags: &["-q", "--quiet"],
        dest: "quiet",
        kind: Kind::StoreTrue,
        default: None,
        help: "Do not log to std output.",
    },
];

/// The sub-command names, in Alembic's order.
#[cfg(test)]
pub(crate) fn command_names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}
