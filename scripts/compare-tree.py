#!/usr/bin/env python3
"""Run one real-world Alembic migration tree through real Alembic and alembic-rs
and compare what a user sees.

Usage:
    scripts/compare-tree.py --venv /work/venv-rw-ironic \\
        --location ironic:db/sqlalchemy/alembic --db postgresql --name ironic --oslo-db \\
        [--down 3] [--no-base] [--no-sql] [--no-check] [--step 'ARGS' ...] \\
        [--ini-extra 'key = value' ...] [--env KEY=VALUE ...] [--version-table T] [--keep] \\
        [--copy-versions] [--script-template PATH|generic]

  --venv      a virtualenv holding the package and real Alembic 1.20.1. The oracle
              runs as `VENV/bin/python -m alembic`, alembic-rs as target/release/alembic-rs
              of this checkout (or --alembic-rs), both with VIRTUAL_ENV=VENV (activated).
  --location  the package's migration directory: a path, or `module:subdir`
              (resolved with the venv's Python, relative to the module's directory).
  --db        sqlite | postgresql | mysql (MariaDB). Each tool gets its own fresh
              database: a file /tmp/rw-NAME-DB-TOOL/rw.db, or a server database
              rw_NAME_TOOL (dropped before and, unless --keep, after).
  --ini-extra extra lines for the [alembic] section of the generated alembic.ini
              (which also has Alembic's generic logging sections, as env.py files
              call fileConfig). `{url}` is replaced by the tool's database URL.
  --env       environment variables for both tools (`{url}` replaced likewise, `{db}` by
              the database name or file, `{dir}` by the tool's project directory), for
              env.py files that read their URL (or a configuration directory) from the
              environment.
  --oslo-db   for OpenStack trees whose env.py takes its engine from oslo.db's
              enginefacade (cfg.CONF.database.connection, which `<project>-dbsync` fills
              from /etc/<project>/<project>.conf): installs a one-line .pth in the venv that,
              when RW_OSLO_DB_CONNECTION is set, overrides oslo.db's connection with
              that URL, and sets it to each tool's URL. Both tools start the venv's
              Python the same way, so both get it.
  --wrap-env  PYTHON: for env.py files that need what their project's own command line
              sets before it calls Alembic's API (octavia-db-manage and neutron-db-manage set
              `config.octavia_config` / `config.neutron_config`): script_location becomes
              <dir>/wrap, whose env.py runs PYTHON (with `config` = context.config) and then
              the package's env.py (runpy); version_locations = the package's versions/
              (override with --ini-extra). The same wrapper serves both tools.
  --script-template  PATH, or `generic` (Alembic's generic template in the venv): the
              script.py.mako of the --wrap-env wrapper (implies one, with an empty prelude),
              for trees that ship none (mlflow's), where `revision` would fail alike.
  --version-table  the tree's version table, when env.py names another (for the dump).
  --step      replaces the default command sequence (one command line per --step).
  --setup     a shell command run in each tool's directory after its database is
              created and before the first step (`{url}` replaced; the venv's bin/ first
              on PATH; the --env variables set), not compared: for trees built on another
              project's schema (neutron's subprojects: `neutron-db-manage --database-connection {url}
              --subproject neutron upgrade heads`), or a schema edited by hand (`python -m
              alembic upgrade head && python EDIT.py '{url}'`: real Alembic for both tools).
  --copy-versions  for steps that write files (`revision --autogenerate -m drift`): each
              tool gets its own copy of each version directory (the package's versions/,
              or each directory the --ini-extra `version_locations` names) under
              <dir>/versions[-N], and version_locations names the copies (so the two tools'
              files never meet and the package in the venv is never written). After each
              step the files that appeared or changed in the copies are compared, in
              addition to the outputs: by name and content, normalised as the outputs and
              also each new file's revision id (the `revision = '...'` it declares, and so
              its file name's id part and the `Generating .../<id>_drift.py` line) ->
              <rev-N> (numbered in the order the files appeared; in every later step's
              outputs and dump too; also the id a `Generating <id>_....py ...  FAILED`
              line names, when no file could be written) and its `Create Date: ...` ->
              <timestamp>. A new file in the package's own version directory (an env.py
              that sets `context.script.version_locations` itself: prefect's) is compared
              too and then moved out, after each tool's step, to /tmp/rw-NAME-DB/TOOL.N.FILE
              (a note says so; a later `upgrade` does not see it). The written
              files are kept under /tmp/rw-NAME-DB/TOOL/versions*.

Default sequence: `upgrade head`, `current`, `history`, `downgrade -N` (--down, 0 to
skip), `current`, `downgrade base` (unless --no-base), `upgrade head`, `current -v`,
`upgrade head --sql` (unless --no-sql; offline, env.py should not connect), `check` (unless --no-check).

Compared after each step: exit status, stdout, stderr, the version table's rows,
the files the step wrote (--copy-versions), and the schema and data
(tests/oracle/schema_dump.py: pg_dump --schema-only / sqlite_master / SHOW CREATE
TABLE of every table, and every row). Normalised, and nothing else:
  - timestamps (`YYYY-MM-DD HH:MM:SS[.ffffff|,mmm][ [pid]]`, the last two as logging
    formats print them: gnocchi's; `MM/DD/YYYY HH:MM:SS AM`: onyx's; `YYYY/MM/DD HH:MM:SS`:
    mlflow's log records; the repr
    `datetime.datetime(Y, M, D, h, m, s, us` of a model's import-time default in `check`'s
    operation list: celery's, in onyx's) -> <timestamp>, UUIDs -> <uuid>, also as 32 hex
    digits (migrations that fill rows with uuid4(): neutron's, cinder's; uuid4().hex:
    zenml's);
  - the times SQLAlchemy's echo prints per statement (`[generated in 0.00464s]`, `[cached
    since 0.007327s ago]` -> `[generated in <t>s]`: copr's SQLALCHEMY_ECHO = True);
  - the temporary paths: each tool's project directory -> <dir>, its database name or
    file -> <db> (the other tool's -> <other-db>: a server-wide role's error names the
    database still holding its grants), the venv -> <venv>;
  - traceback frames inside Alembic's own modules (site-packages/alembic/...) and
    alembic-rs's (<alembic-rs>/alembic/..., <alembic-rs register_operation ...>, and the line
    `(raised by Alembic's own code; alembic-rs reproduces the outcome)` it prints where
    Alembic's own code raises) are dropped, and so are `python -m`'s
    (<frozen runpy>) and those of the functions Alembic generates for its module proxies
    (`File "<string>"`, e.g. `in run_migrations`), and the drivers' (alembic-rs is the
    driver: pymysql's, and the async drivers' with SQLAlchemy's adapters for them and
    the frames from its `do_execute` down to them, where alembic-rs raises the error on
    the event loop: skyvern's aiosqlite), and SQLAlchemy's called from the tool's frames (up to the next frame
    outside SQLAlchemy: Alembic compiles `op.add_column`'s DDL element through
    `Connection.execute`, alembic-rs calls the column specification itself, so a
    CompileError passes through other SQLAlchemy frames: cyborg on PostgreSQL), and
    Mako's called from Alembic's (`revision` without a script.py.mako: mlflow's tree)
    (docs/differences.md: the user frames and the final exception line are
    what must match); likewise in rich's boxed tracebacks (zenml's), where frames
    without a path (frozen modules, alembic-rs's) go too;
  - the dump's version rows are sorted again after the <rev-N> replacement (two heads
    written in one step, neutron's expand and contract, sort by their random ids);
  - a Python object's address in a default repr (` at 0x7f...>`; SQLAlchemy's SQL
    functions print ` at 0x7f...; now>`: onyx's `check`, and `<ColumnClause at 0x7f...; name>`:
    waiverdb's ArgumentError) -> ` at 0x?`;
  - a warning raised in Alembic's or alembic-rs's own modules: `<file>:<line>:
    XWarning: msg` and Python's source line after it -> `XWarning: msg` (as
    tests/support/online.rs, rule 5);
  - Alembic's set orders: an output whose lines are the same in another order is
    reported as ORDER (see same_lines(); not a divergence, listed for a human to judge: Alembic takes
    some orders from Python sets, which vary from run to run).
The runs reported in session 11 (venvs: `pip install alembic==1.20.1 psycopg2-binary
pymysql PACKAGE`, SQLAlchemy 2.1.9; --db each of sqlite, postgresql, mysql unless noted):
  masakari 22.0.0:  --location masakari:db/sqlalchemy/migrations
                    --version-table masakari_alembic_version
  ironic 39.0.0:    --location ironic:db/sqlalchemy/alembic --oslo-db
  neutron 29.0.0 (sqlite, mysql): --location neutron:db/migration/alembic_migrations
                    --oslo-db --wrap-env "from oslo_config import cfg;
                    config.neutron_config = cfg.CONF" --ini-extra "path_separator = space"
                    --ini-extra "version_locations = VERSIONS VERSIONS/<release>/{expand,contract}..."
                    --step "upgrade heads" --step current --step history
                    --step "downgrade base" --step "upgrade heads" --step "current -v"
                    --step "upgrade heads --sql" --step check
  octavia 19.0.0 (sqlite, postgresql): --location octavia:db/migration/alembic_migrations
                    --oslo-db --wrap-env "from oslo_config import cfg;
                    config.octavia_config = cfg.CONF"
  mistral:          --location mistral:db/sqlalchemy/migration/alembic_migrations --oslo-db
                    --wrap-env "from oslo_config import cfg; config.mistral_config = cfg.CONF"
  manila 23.0.1:    --location manila:db/migrations/alembic --oslo-db
  glance 33.0.0:    --location glance:db/sqlalchemy/alembic_migrations --oslo-db
                    (steps as neutron's, `downgrade expand@-1` after `history`)
  nova 34.0.0:      --location nova:db/main/migrations, --location nova:db/api/migrations
  cinder 29.0.0:    --location cinder:db/migrations; taskflow (in cinder's venv):
                    --location taskflow:persistence/backends/sqlalchemy/alembic --no-check
  openstack-placement 16.0.0: --location placement:db/sqlalchemy/alembic
                    --env "OS_PLACEMENT_DATABASE__CONNECTION={url}"
  aodh, barbican:   --location aodh:storage/sqlalchemy/alembic;
                    --location barbican:model/migration/alembic_migrations
                    --wrap-env "config.barbican_sqlalchemy_url = None"
  gnocchi[postgresql,mysql] 4.7.1 (postgresql, mysql): --location gnocchi:indexer/alembic
                    --env "OS_INDEXER__URL={url}"
  rucio:            --location rucio:db/sqla/migrate_repo --down 5
                    --env RUCIO_CONFIG=<a rucio.cfg with [common] and [database] default>
The runs of session 12 (same venvs; a --wrap-env prelude is one line):
  zuul 14.3.0:      --location zuul:driver/sql/alembic --no-check (env.py has no metadata)
  ihatemoney:       --location ihatemoney:migrations --wrap-env "from flask import Flask;
                    from flask_migrate import Migrate; from ihatemoney.models import db;
                    app = Flask('ihatemoney'); app.config['SQLALCHEMY_DATABASE_URI'] =
                    config.get_main_option('sqlalchemy.url'); db.init_app(app);
                    Migrate(app, db); app.app_context().push()"  (what `flask db` sets up)
  fittrackee (postgresql): --location fittrackee:migrations, the same prelude with
                    `from fittrackee import db, migrate`, migrate.init_app(app, db) and
                    app.config['UPLOAD_FOLDER'] set (a data migration moves its files)
  anitya:           --location anitya:db/migrations --wrap-env PRELUDE, where PRELUDE
                    writes anitya.toml (`db_url = "<the URL>"`, from config.get_main_option)
                    into the working directory and sets ANITYA_WEB_CONFIG to its path
  datanommer.models (postgresql): --location datanommer.models:alembic
  designate:        --location designate:storage/sqlalchemy/alembic
  heat:             --location heat:db/migrations
  watcher:          --location watcher:db/sqlalchemy/alembic --oslo-db
  tacker, blazar:   --location tacker:db/migration/alembic_migrations (blazar:...) --oslo-db
                    --wrap-env "from oslo_config import cfg; config.tacker_config = cfg.CONF"
                    (config.blazar_config)
  apache-airflow-providers-edge3: --location airflow.providers.edge3:migrations
                    --version-table alembic_version_edge3 --env
                    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN={url}" --env AIRFLOW_HOME=<dir>
                    (asyncpg and aiomysql installed: airflow builds an async engine too)
  meltano:          --location <venv>/lib/python3.11/site-packages/meltano/migrations
                    (a namespace package: find_spec has no origin)
  dstack[server] (sqlite, postgresql): --location dstack._internal.server:migrations
                    --ini-extra "recursive_version_locations = true" --env DSTACK_SERVER_DIR=<dir>
                    --wrap-env "import os; u = config.get_main_option('sqlalchemy.url');
                    os.environ['DSTACK_DATABASE_URL'] = u.replace('sqlite:', 'sqlite+aiosqlite:')
                    .replace('postgresql+psycopg2:', 'postgresql+asyncpg:')"
  argilla-server (sqlite, postgresql; installed with alembic overridden to 1.20.1):
                    --location argilla_server:alembic --env "ARGILLA_DATABASE_URL={url}"
                    --env ARGILLA_HOME_PATH=<dir>
The runs of session 13 (venvs as above; OpenStack packages of the 2026.2 releases;
--db sqlite, postgresql, mysql unless noted):
  magnum 23.0.0:    --location magnum:db/sqlalchemy/alembic --oslo-db --no-sql (no offline mode)
  zun 18.0.0, ironic-inspector 12.5.0, openstack-cyborg 17.0.0: --location
                    zun:db/sqlalchemy/alembic (ironic_inspector:db/migrations,
                    cyborg:db/sqlalchemy/alembic) --oslo-db --no-sql
  cloudkitty 25.0.0 (two of its seven trees): --location cloudkitty:db/sqlalchemy/alembic
                    --version-table cloudkitty_alembic; --location
                    cloudkitty:rating/hash/db/sqlalchemy/alembic --version-table hashmap_alembic;
                    both --oslo-db --no-sql (env.py imports a shared env module)
  vitrage 15.0.1:   --location vitrage:storage/sqlalchemy/migration/alembic_migrations --oslo-db
  senlin 16.0.0, trove 26.0.0: --location senlin:db/sqlalchemy/alembic
                    (trove:db/sqlalchemy/migrations) --no-check (no metadata)
  freezer-api:      --location freezer_api:db/sqlalchemy/migrations
  zaqar 23.0.1:     --location zaqar:storage/sqlalchemy/migration/alembic_migrations --wrap-env
                    "from oslo_config import cfg; cfg.CONF.register_opts([cfg.StrOpt('uri')],
                    group='drivers:management_store:sqlalchemy'); cfg.CONF([], project='zaqar',
                    default_config_files=[]); cfg.CONF.set_override('uri',
                    config.get_main_option('sqlalchemy.url'), 'drivers:management_store:sqlalchemy');
                    config.zaqar_config = cfg.CONF"  (what zaqar-sql-db-manage sets up)
  monasca-api 11.0.0 (sqlite, mysql): --location monasca_api:db/alembic --oslo-db --no-sql
  neutron's subprojects (mysql; neutron 29.0.0's schema first, through --setup):
                    neutron-vpnaas 29.0.0, neutron-fwaas 25.0.0, neutron-dynamic-routing 29.0.0,
                    networking-sfc 23.0.0, networking-bgpvpn 25.0.0, tap-as-a-service 18.0.0,
                    networking-l2gw 22.0.0, networking-bagpipe 25.0.0:
                    --location neutron_vpnaas:db/migration/alembic_migrations (networking_bgpvpn:
                    neutron/db/migration/alembic_migrations, neutron_taas:db/migration/
                    alembic_migration, ...) --oslo-db --wrap-env "from oslo_config import cfg;
                    config.neutron_config = cfg.CONF" --ini-extra "path_separator = space"
                    --ini-extra "version_locations = VERSIONS VERSIONS/*/{expand,contract}"
                    --version-table alembic_version_vpnaas (the package's *_VERSION_TABLE)
                    --setup "neutron-db-manage --database-connection '{url}' --subproject
                    neutron upgrade heads" --step "upgrade heads" --step current --step history
                    --step "downgrade base" --step "upgrade heads" --step "current -v"
                    --step "upgrade heads --sql" --step check
  datajunction-server 0.0.272 (postgresql, sqlite; greenlet installed: its revisions
                    import sqlalchemy.ext.asyncio): --location datajunction_server:alembic
                    --env "DATABASE_URI={url}"
  gpustack 2.2.3:   --location gpustack:migrations
  skyline-apiserver 9.0.0: --location skyline_apiserver:db/alembic --wrap-env "import os;
                    open('skyline.yaml', 'w').write('default:\\n  database_url: \"%s\"\\n' %
                    config.get_main_option('sqlalchemy.url')); os.environ['OS_CONFIG_DIR'] =
                    os.getcwd()"  (loguru's InterceptHandler prints Alembic's call sites)
  bodhi-server 7.0.1 (postgresql): --location bodhi.server:migrations --wrap-env "from
                    bodhi.server.config import config as bodhi_config; bodhi_config.load_config(
                    {'sqlalchemy.url': config.get_main_option('sqlalchemy.url')})"
  ckan 2.12.0's plugin trees and ckanext-harvest 1.6.3 (sqlite): --location
                    ckanext.harvest:migration/harvest --version-table harvest_alembic_version
                    (ckanext.activity:migration/activity, ckanext.tracking:migration/tracking;
                    <name>_alembic_version) --no-check
The runs of session 14 (venvs as above, SQLAlchemy 2.1.9 unless noted; --db sqlite,
postgresql, mysql unless noted; SETUP is a short script given the URL, described):
  mailman 3.3.10:   --location mailman:database/alembic --wrap-env PRELUDE, where PRELUDE
                    writes mailman.cfg (`[mailman] layout: here`, `[paths.here] var_dir`,
                    `[database] class: mailman.database.sqlite.SQLiteDatabase` (postgresql.
                    PostgreSQLDatabase, mysql.MySQLDatabase), `url: <the URL>`) into the working
                    directory and sets MAILMAN_CONFIG_FILE to it; --setup "python SETUP '{url}'",
                    SETUP doing what Mailman's SchemaManager does on a new database (every
                    mailman.model module imported, Model.metadata.create_all, a version row for
                    the head 8cc1f79f4459: the first revision expects Storm's schema);
                    --step current --step history --step "downgrade -3" --step current
                    --step "downgrade base" --step "upgrade head" --step "current -v"
                    --step "upgrade head --sql" --step check
  nbgrader 0.9.6:   --location nbgrader:alembic --setup "python SETUP '{url}'", SETUP opening
                    nbgrader.api.Gradebook(url) (create_all and a version row, as nbgrader's
                    first use does) and adding an assignment, a notebook, grade and solution
                    cells, two students and their submissions (uuid.uuid4 patched to a counter
                    first: the same ids in both databases); steps as mailman's, `upgrade head` first
  conda-store-server 2025.2.2 (SQLAlchemy 2.0.58): --location conda_store_server:_internal/alembic
                    --wrap-env "import sys, types; m = types.ModuleType('conda.base.context');
                    m.context = types.SimpleNamespace(subdir='linux-64'); sys.modules.update(
                    {'conda': types.ModuleType('conda'), 'conda.base': types.ModuleType(
                    'conda.base'), 'conda.base.context': m})"  (conda is not on PyPI; a revision
                    asks it for the platform)
  faradaysec 5.25.2 (postgresql; SQLAlchemy 2.0.58): --location faraday:migrations --wrap-env
                    "import os; os.environ['FARADAY_HOME'] = os.getcwd()" --setup "mkdir -p
                    .faraday/config && printf '[database]\\nconnection_string = {url}\\n' >
                    .faraday/config/server.ini && FARADAY_HOME=$PWD faraday-manage create-tables"
                    --down 5  (env.py also logs to .faraday/logs/alembic.log: identical too)
  dagster 1.13.29:  --location dagster:_core/storage/alembic --wrap-env "import sqlalchemy as sa;
                    config.attributes['connection'] = sa.create_engine(config.get_main_option(
                    'sqlalchemy.url')).connect()"  (what dagster's storages hand env.py) --down 5;
                    from an empty database (sqlite, postgresql), and after --setup "python SETUP
                    '{url}' <location>", SETUP = create_all of the event log, run and schedule
                    storages' metadata and a version row for the head (found: `check`'s
                    AttributeError on target_metadata's storage classes, fixture
                    rw_target_metadata_items)
  prefect 3.9.1 (sqlite, postgresql): --location WRAP --down 5, WRAP a directory holding
                    prefect's script.py.mako and an env.py that sets PREFECT_HOME and
                    PREFECT_API_DATABASE_CONNECTION_URL (the URL as sqlite+aiosqlite /
                    postgresql+asyncpg) and runs prefect's env.py through anyio.run(
                    run_sync_in_worker_thread, runpy.run_path, <prefect's env.py>), as `prefect
                    server database upgrade` does (env.py calls run_async_from_worker_thread and
                    sets the version locations itself); without WRAP both fail alike
                    (NoEventLoopError)
  zenml 0.98.0 (mysql; sqlmodel 0.0.38, passlib, sqlalchemy-utils added: zenml[local] pins an
                    older Alembic): --location zenml:zen_stores/migrations --env
                    "ZENML_STORE_URL=mysql://USER:PASSWORD@127.0.0.1:3306/{db}" (zenml wants
                    a password: a MariaDB user made for the run) --env
                    "ZENML_CONFIG_PATH={dir}/zenml-config" --env ZENML_ANALYTICS_OPT_IN=false
                    --down 5  (from an empty database both stop at a data migration's
                    `Default workspace not found`; no wrapper: zenml's env.py builds its own
                    Config for the package's script directory, which alembic-rs accepts only
                    for the running one; on SQLite zenml creates its tables itself and the
                    tree's MySQL-only revisions raise under both tools)
  a2a-sdk 1.3.0 (installed with langflow-base 0.11.6; aiosqlite, asyncpg, aiomysql): --location
                    a2a:migrations --version-table a2a_alembic_version --env "DATABASE_URL=
                    sqlite+aiosqlite:///{db}" (postgresql+asyncpg://postgres@127.0.0.1:5432/{db},
                    mysql+aiomysql://root@127.0.0.1:3306/{db}) --down 2; from an empty database
                    (the revisions skip the absent tables), and (sqlite, postgresql) after
                    a --setup running a2a.server.models.Base.metadata.create_all on '{url}' (the
                    tables the server creates itself)

The runs of session 15 (venvs as above, SQLAlchemy 2.1.9; AIIDA_PRE and FM_PRE below):
  flexmeasures 1.0.1 (postgresql; 109 revisions, merges): --location flexmeasures:data/migrations
                    --wrap-env FM_PRE = "from flask import Flask; from flask_migrate import Migrate;
                    from flexmeasures.data import config as c; app = Flask('flexmeasures');
                    app.config['SQLALCHEMY_DATABASE_URI'] = config.get_main_option('sqlalchemy.url');
                    c.configure_db_for(app); Migrate(app, c.db); app.app_context().push()"
                    (what `flexmeasures db` sets up); the default steps (`downgrade -3`: both
                    `Ambiguous walk`; `downgrade base` and `--sql` fail alike), and --step "upgrade
                    head" --step "downgrade ece7fb4207ed" --step current --step "downgrade -5"
                    --step current --step "upgrade head" --step "current -v" --step "downgrade
                    3f4a6f9d2b11:ece7fb4207ed --sql" (`current` with two heads: ORDER, Alembic's
                    set order; the `--sql` range: DIFF in which parent of the merge d914c764fcb7 is
                    inserted and which updated to, Alembic's set order of two revision ids, varying
                    with PYTHONHASHSEED: docs/differences.md)
  aiida-core 2.9.4: --location aiida:storage/psql_dos/migrations (postgresql) --wrap-env
                    AIIDA_PRE = "import os, sqlalchemy as sa; from aiida.manage.configuration.profile
                    import Profile; config.attributes['connection'] = sa.create_engine(
                    config.get_main_option('sqlalchemy.url')).connect(); config.attributes[
                    'aiida_profile'] = Profile('rw', {'storage': {'backend': 'core.psql_dos', 'config':
                    {'repository_uri': 'file://' + os.getcwd() + '/repo'}}, 'process_control':
                    {'backend': 'core.rabbitmq', 'config': {}}, 'test_profile': True, 'PROFILE_UUID':
                    '0' * 32})"  (what PsqlDosMigrator._alembic_connect hands env.py) --env
                    "AIIDA_PATH={dir}", once per branch B of main, django, sqlalchemy: --step
                    "upgrade B@head" --step current --step history --step "downgrade -5" (-1 for
                    main) --step current --step "downgrade base" --step "upgrade B@head" --step
                    "current -v" --step "upgrade B@head --sql" --step check; and --location
                    aiida:storage/sqlite_dos/migrations (sqlite; no script.py.mako) likewise with head
  letta 0.16.8 (the tree is not in the wheel: alembic/ of letta-ai/letta at the 0.16.8 commit;
                    pgvector, asyncpg, pg8000 added): --location <tree>/alembic --env "HOME={dir}"
                    (sqlite: --setup "mkdir -p .letta && ln -s ../rw.db .letta/sqlite.db", env.py takes
                    ~/.letta/sqlite.db; postgresql: --env "LETTA_PG_URI={url}" --down 0 --no-base,
                    env.py rewrites it to postgresql+pg8000; the server has no pgvector, so both stop at
                    the baseline's VECTOR column, the error line naming pg8000's exception under
                    Alembic and psycopg2's under alembic-rs: docs/differences.md)
  langflow-base 0.9.6 online (sqlite, postgresql; asyncpg and psycopg[binary] added): --location
                    langflow:alembic --wrap-env "u = config.get_main_option('sqlalchemy.url');
                    config.set_main_option('sqlalchemy.url', u.replace('sqlite:', 'sqlite+aiosqlite:')
                    .replace('postgresql+psycopg2:', 'postgresql+psycopg:'))" (env.py builds an async
                    engine and passes psycopg's prepare_threshold; dump ORDER on sqlite: batch-recreated
                    tables' constraints; on postgresql `downgrade base` fails alike, the error line
                    naming psycopg's exception under Alembic and psycopg2's under alembic-rs)
  not run: apache-superset 6.1.0, indico 3.2.9 and ethyca-fides 2.78.2 pin SQLAlchemy < 2
                    (alembic-rs needs 2.x); mlrun 1.12.1 ships no tree; lemur pins an older Alembic
The runs of session 16 (PyPI packages; venvs as above, SQLAlchemy 2.1.9 unless noted; --db sqlite,
postgresql, mysql unless noted):
  apache-airflow-core 3.3.2 (124 revisions; asyncpg, aiomysql, aiosqlite added, and for mysql
                    mysqlclient, which airflow's settings import for any mysql URL): --location
                    airflow:migrations --env "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN={url}" --env
                    "AIRFLOW_HOME={dir}"; on mysql also with the URL as
                    mysql+mysqldb://root@127.0.0.1:3306/{db} (found: mysqlclient runs several
                    statements in one call, airflow's procedures; both then stop at MariaDB's
                    3-argument REGEXP_REPLACE, the error naming MySQLdb's exception under Alembic
                    and pymysql's under alembic-rs: docs/differences.md)
  quetz-server 0.10.4: --location quetz:migrations
  cloudkitty 25.0.0 (its other four trees; common/db/alembic is the shared env module):
                    --location cloudkitty:storage_state/alembic --version-table storage_states_alembic
                    (rating/pyscripts/db/sqlalchemy/alembic pyscripts_alembic, storage/v1/hybrid/alembic
                    storage_hybrid_alembic, storage/v1/sqlalchemy/alembic storage_sqlalchemy_alembic)
                    --oslo-db --no-sql
  keylime 7.14.3 (multidb template; its undeclared dependencies added, gpg stubbed by an empty
                    module): --location keylime:migrations --ini-extra "databases = registrar,
                    cloud_verifier" --env KEYLIME_VERIFIER_DATABASE_URL={url} --env
                    KEYLIME_REGISTRAR_DATABASE_URL={url} (sqlite: sqlite:///{dir}/registrar.db) --env
                    KEYLIME_{VERIFIER,REGISTRAR}_DATABASE_POOL_SZ_OVFL=5,10 --env KEYLIME_DIR={dir}
                    --version-table alembic_version_registrar (sqlite: _cloud_verifier); the --sql
                    files it writes (registrar.sql, cloud_verifier.sql) identical too
  fmn 3.4.0:        --location fmn:database/migrations --env "DATABASE__SQLALCHEMY__URL={url}"
                    --setup "python SETUP '{url}'", SETUP = Base.metadata.create_all and a version
                    row for the head 85ea1d6c9a3f (what `fmn database sync` does)
  invenio-db 2.6.1 + invenio-accounts 9.1.0 (SQLAlchemy 2.0.58; Flask-Alembic, no env.py):
                    --location WRAP, WRAP's env.py building a Flask app with InvenioDB(app,
                    entry_point_group=False) and InvenioAccounts(app) and configuring with db.engine
                    and db.metadata --ini-extra "path_separator = space" --ini-extra
                    "version_locations = SP/invenio_db/alembic SP/invenio_accounts/alembic"
                    --step "upgrade heads" --step current --step history --step heads --step
                    "downgrade invenio_accounts@-3" --step current --step "downgrade base" --step
                    "upgrade heads" --step "current -v" --step "upgrade heads --sql" --step check
                    (found: `depends_on = ""`, fixture rw_empty_depends_on); likewise with
                    invenio-records 6.1.0 and invenio-oauthclient 9.1.2 added
  waiverdb 1.4.0 (postgresql; flask, flask-sqlalchemy, flask-migrate, requests, flask-restful,
                    stomp.py added): --location waiverdb:migrations --env DOCS=true (waiverdb's own
                    switch around its gssapi import) --wrap-env "from flask import Flask; from
                    flask_migrate import Migrate; from waiverdb.models import db; app =
                    Flask('waiverdb'); app.config['SQLALCHEMY_DATABASE_URI'] =
                    config.get_main_option('sqlalchemy.url'); db.init_app(app); Migrate(app, db);
                    app.app_context().push()" (both stop at the data migration's select([...]))
  not run: webhook-to-fedora-messaging, resultsdb, mirrormanager2 (not on PyPI); kallithea (Python
                    2.7); flaskbb (its requirements conflict with alembic 1.20.1)
The runs of session 16 (trees only on GitHub, extracted from a `fetch` snapshot; venvs as above):
  full-stack-fastapi-template (postgresql; 4 revisions, SQLModel; sqlmodel pydantic-settings
                    psycopg[binary] email-validator): --location <repo>/backend/app/alembic
                    --env PYTHONPATH=<repo>/backend --env PROJECT_NAME=rw --env
                    POSTGRES_SERVER=127.0.0.1 --env POSTGRES_USER=postgres --env "POSTGRES_DB={db}"
                    --env FIRST_SUPERUSER=admin@example.com --env FIRST_SUPERUSER_PASSWORD=secret123
  mealie (sqlite, postgresql; 37 revisions; its pyproject's dependencies without python-ldap,
                    psycopg[binary] added: `postgresql://` is psycopg 3 under SQLAlchemy 2.1):
                    --location <repo>/alembic --env PYTHONPATH=<repo> --env PRODUCTION=true
                    --env "DATA_DIR={dir}" and --env DB_ENGINE=sqlite --setup "ln -s rw.db mealie.db"
                    (postgresql: --env DB_ENGINE=postgres --env POSTGRES_SERVER=127.0.0.1 --env
                    POSTGRES_USER=postgres --env POSTGRES_PASSWORD= --env "POSTGRES_DB={db}");
                    `history` differs by the revisions' import-time warning (docs/differences.md);
                    dump ORDER on sqlite: batch-recreated tables' foreign keys, Alembic's set order
  agenta (postgresql; core 80 revisions, tracing 9; async env.py; SQLAlchemy 2.0.51 as its lock
                    file has it, its sdks/python and clients/python on PYTHONPATH): --location
                    <repo>/api/oss/databases/postgres/migrations/core --env PYTHONPATH=<repo>/api:
                    <repo>/sdks/python:<repo>/clients/python --env LITELLM_LOCAL_MODEL_COST_MAP=True
                    --env "ALEMBIC_CFG_PATH_CORE={dir}/alembic.ini" --env
                    "POSTGRES_URI_CORE=postgresql+asyncpg://postgres@127.0.0.1:5432/{db}" (tracing:
                    .../tracing, *_TRACING); found: the import order of the plan's revisions
                    (fixture import_order) and a sync engine on an asyncpg URL outside the greenlet
                    (fixture async_sync_engine); a revision's import clears the root logger's
                    handlers, so commands whose plan omits it differ (docs/differences.md)
  warehouse (GitHub pypi/warehouse; postgresql; 288 revisions; Python 3.11 venv with
                    alembic-postgresql-enum, psycopg, pyramid, pyramid_retry, structlog,
                    venusian, zope.sqlalchemy, datadog; the source on PYTHONPATH; its models
                    need Python 3.14, so `check` runs against an empty metadata):
                    --location <src>/warehouse/migrations --ini-extra "url = {url}"
                    --env PYTHONPATH=<src> --down 3 (the merge 49b93c346db's DELETE/UPDATE
                    in --sql is Alembic's PYTHONHASHSEED choice: differences.md)
  onyx (GitHub onyx-dot-app/onyx; postgresql; Python 3.11 venv with default.txt's pins of
                    what env.py and the revisions import): --location <src>/backend/alembic
                    (437 revisions; downgrade base fails in both at 495cb26ce93e's DROP USER,
                    the asyncpg/psycopg2 error text as differences.md says) and
                    --location <src>/backend/alembic_tenants (10 revisions, identical);
                    both --env PYTHONPATH=<src>/backend --env "POSTGRES_DB={db}" --down 3
  not run: dify (snapshot too large to fetch), dispatch (its trees start from `dispatch database
                    init`'s create_all + stamp), CTFd and redash (SQLAlchemy 1.4 / 1.3), polar
                    (Python >= 3.14), mlrun's server tree (SQLAlchemy 1.4, Python < 3.12)
The runs of session 17 (PyPI packages; venvs as above, SQLAlchemy 2.1.9 unless noted; --db sqlite,
postgresql, mysql unless noted; OSLO_PRE = "from oslo_config import cfg; from oslo_db import options;
options.set_defaults(cfg.CONF)"):
  mage-ai 0.9.80:   --location mage_ai:orchestration/db/migrations (installed without its alembic pin,
                    typing_extensions>=4.12); found on mysql: a batch block's failing directive's
                    traceback passes through contextlib (fixture rw_batch_failure_frames)
  sahara 19.0.0:    --location sahara:db/migration/alembic_migrations --oslo-db --wrap-env
                    "OSLO_PRE; config.sahara_config = cfg.CONF"
  solum 15.0.0 (oslo.db 14.1.1): --location solum:objects/sqlalchemy/migration/alembic_migrations
                    --oslo-db --ini-extra "db_url = {url}" --wrap-env "OSLO_PRE; import
                    solum.objects.sqlalchemy as sol; sol.get_session = lambda autocommit=True,
                    expire_on_commit=False: sol.get_facade().get_session(autocommit=False,
                    expire_on_commit=expire_on_commit)"; found on mysql: `op.<missing directive>`
                    is the module's AttributeError (fixture rw_op_missing_directive)
  mindsdb 26.1.0:   --location mindsdb:migrations --env "MINDSDB_DB_CON={url}" --env
                    "MINDSDB_STORAGE_DIR={dir}/storage" (its revisions configure logging when
                    imported: `downgrade -3` on sqlite differs as docs/differences.md says)
  invenio-access 7.1.0, invenio-pidstore 4.0.2, invenio-files-rest 6.1.0, invenio-oauth2server
                    6.1.0 with invenio-db and invenio-accounts (SQLAlchemy 2.0.58; postgresql):
                    the Flask-Alembic wrapper of session 16 with the five extensions, version_locations
                    naming each package's alembic/ directory; --step "upgrade heads" --step current
                    --step history --step heads --step "downgrade invenio_files_rest@-3" --step current
                    --step "downgrade base" --step "upgrade heads" --step "current -v"
                    --step "upgrade heads --sql" --step check
  bemserver-core 0.22.0: --location bemserver_core:migrations --env "SQLALCHEMY_DATABASE_URI={url}"
  zou 1.0.97 (SQLAlchemy 2.0.49): --location zou:migrations --down 5 --env SECRET_KEY=<40 chars>;
                    and on postgresql with its Flask app and full models: --env DB_HOST=127.0.0.1
                    --env "DB_DATABASE={db}" --env DB_PASSWORD= --env DB_DRIVER=postgresql+psycopg2
                    --wrap-env "from zou.app import app; app.app_context().push()"
  qinling 5.0.0:    --location qinling:db/sqlalchemy/migration/alembic_migrations --oslo-db
                    --wrap-env "OSLO_PRE; config.qinling_config = cfg.CONF"
  networking-odl 22.0.0 (mysql, on neutron 29.0.0's schema): as neutron's subprojects in session 13,
                    --version-table odl_alembic_version
  not run: apache-superset 6.1.0 and ethyca-fides (SQLAlchemy < 2), indico (SQLAlchemy 1.4, or
                    Python 3.12), vmware-nsx (needs an older neutron), panko (its env.py builds its
                    own Config), autogenstudio (no versions/ in the wheel)
The runs of session 17 (trees only on GitHub, from a `fetch` snapshot):
  Spoolman (Donkie/Spoolman; async env.py): --location <src>/migrations --env PYTHONPATH=<src>
                    --env "SPOOLMAN_DIR_DATA={dir}"; sqlite --setup "ln -s rw.db spoolman.db";
                    postgresql --env SPOOLMAN_DB_TYPE=postgres --env SPOOLMAN_DB_HOST=127.0.0.1
                    --env SPOOLMAN_DB_PORT=5432 --env "SPOOLMAN_DB_NAME={db}" --env
                    SPOOLMAN_DB_USERNAME=postgres (mysql alike, port 3306, user root)
  PowerDNS-Admin (PowerDNS-Admin/PowerDNS-Admin; Flask-Migrate): --location <src>/migrations
                    --env PYTHONPATH=<src> --wrap-env "from flask import Flask; from powerdnsadmin
                    import models; app = Flask('powerdnsadmin'); app.config[
                    'SQLALCHEMY_DATABASE_URI'] = config.get_main_option('sqlalchemy.url');
                    models.init_app(app); app.app_context().push()"
  bazarr (sqlite, postgresql; SQLAlchemy 2.0.37; a dummy ffprobe on PATH): --location
                    <src>/migrations --wrap-env (sys.argv, bazarr's metadata, Flask-SQLAlchemy and
                    Migrate(render_as_batch=True)) --setup (bazarr's init_db())
  iris-web (postgresql; SQLAlchemy 2.0.24): --location <src>/source/app/alembic --env
                    PYTHONPATH=<src>/source and its POSTGRES_*/IRIS_* variables, app.views stubbed
  CAPEv2 (postgresql, sqlite; SQLAlchemy 2.0.41): --location <src>/utils/db_migration --env
                    "CAPE_CD={dir}" --setup "printf '[database]\nconnection = {url}\n' > cuckoo.conf"
  copr frontend (postgresql; 109 revisions): --location <src>/frontend/coprs_frontend/alembic
                    --env PYTHONPATH=<src>/frontend/coprs_frontend --env "COPR_CONFIG={dir}/copr.conf";
                    also from create_all + `stamp head` (`check` logs SQLAlchemy's echo of the
                    reflection queries: docs/differences.md)
  litestar-fullstack (postgresql, sqlite; advanced-alchemy): --location
                    <src>/src/py/app/db/migrations --version-table ddl_version --down 1 --wrap-env
                    (the attributes advanced-alchemy's command config gives env.py)
  skyvern (postgresql, sqlite; 264 revisions; async env.py on psycopg / aiosqlite): --location
                    <src>/alembic --env PYTHONPATH=<src> --env "HOME={dir}" --env
                    "DATABASE_STRING=postgresql+psycopg://postgres@127.0.0.1:5432/{db}"; found: an
                    async driver's error is raised on the event loop (fixtures async_error_context,
                    async_outer_context)
  not run: timesketch (SQLAlchemy 1.4), endurain and SurfSense (Python >= 3.12), SuperAGI (pydantic 1)
The runs of session 17 (autogenerate on real models, --copy-versions; venvs as above, SQLAlchemy 2.1.9):
  each of (a) --step check --step "stamp head" --step "revision --autogenerate -m drift" --step "upgrade
                    head" --step check (empty database); (b) --step "upgrade head" --step "downgrade -3"
                    --step "stamp head" --step check --step "revision --autogenerate -m drift" --step
                    "upgrade head" --step check; (c) --setup "python -m alembic upgrade head && python
                    SQLEXEC '{url}' STMT..." (or create_all of the models + `stamp head` where upgrading
                    from empty fails alike), then --step check --step "revision --autogenerate -m drift"
                    --step "upgrade head" --step check; STMT: drop an index, add a NOT NULL column with
                    a default, rename a table, drop a column, add a stray table, and on postgresql/mysql
                    a type and a nullability change; "advanced" sets add a server default, a comment, a
                    foreign key's ON DELETE, a unique constraint, an expression index, a dropped check
                    constraint, a new enum value
  optuna 5.1.0 (a, b, c x 3 dialects), jupyterhub 6.1.1 (a, b, c x 3), mlflow-skinny 3.18.0
                    (--script-template generic; a, b, c x 3), buildbot 4.3.0 (--script-template generic;
                    a, b, c x 3), arize-phoenix 20.26.1 (sqlite, postgresql; a, b, c), quetz-server 0.10.4,
                    fmn 3.4.0, dagster 1.13.29 (a), apache-airflow-core 3.3.2 (found on mysql: "Detected
                    type change" logged from _user_compare_type's line when env.py's compare_type decides;
                    fixture autogen_user_compare_type_site), prefect 3.9.1 (its env.py picks the versions
                    directory itself; the written file is compared there and moved out); the options as in
                    the sessions above
Everything is kept under /tmp/rw-NAME-DB/ (per step: <tool>.<n>.{out,err,dump}).
Exit status: 0 when every step is identical (or ORDER), 1 otherwise.
"""
import argparse
import ast
import difflib
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE_PY = os.path.join(ROOT, ".venv-oracle", "bin", "python")
DUMP = os.path.join(ROOT, "tests", "oracle", "schema_dump.py")

LOGGING = """
[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""


OSLO_PTH = (
    "import os; os.environ.get('RW_OSLO_DB_CONNECTION') and ["
    "__import__('oslo_db.options').options.set_defaults(__import__('oslo_config.cfg').cfg.CONF), "
    "__import__('oslo_config.cfg').cfg.CONF.set_override("
    "'connection', os.environ['RW_OSLO_DB_CONNECTION'], 'database')]\n"
)


def install_oslo_pth(venv):
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([os.path.join(venv, "bin", "python"), "-c", code],
                          capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(site, "_rw_oslo_db.pth"), "w") as f:
        f.write(OSLO_PTH)


def resolve_location(venv, location):
    if os.path.isdir(location):
        return os.path.abspath(location)
    module, _, sub = location.partition(":")
    code = (
        "import importlib.util, os, sys; s = importlib.util.find_spec(sys.argv[1]); "
        "print(os.path.dirname(s.origin))"
    )
    out = subprocess.run(
        [os.path.join(venv, "bin", "python"), "-c", code, module],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    path = os.path.join(out, sub)
    if not os.path.isdir(path):
        sys.exit("no migration directory at %s" % path)
    return path


class Db:
    def __init__(self, kind, name, tool, workdir, version_table):
        self.kind = kind
        self.version_table = version_table
        self.tool = tool
        if kind == "sqlite":
            self.path = os.path.join(workdir, "rw.db")
            self.name = self.path
            self.url = "sqlite:///" + self.path
        else:
            self.name = "rw_%s_%s" % (re.sub(r"\W", "_", name), tool)
            if kind == "postgresql":
                self.url = "postgresql+psycopg2://postgres@127.0.0.1:5432/" + self.name
            else:
                self.url = "mysql+pymysql://root@127.0.0.1:3306/%s?charset=utf8mb4" % self.name

    def admin(self, sql):
        if self.kind == "postgresql":
            cmd = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql]
        else:
            cmd = ["mariadb", "-h", "127.0.0.1", "-u", "root", "-e", sql]
        subprocess.run(cmd, check=True, capture_output=True)

    def create(self):
        if self.kind == "sqlite":
            if os.path.exists(self.path):
                os.remove(self.path)
            return
        self.drop()
        if self.kind == "postgresql":
            self.admin('CREATE DATABASE "%s"' % self.name)
        else:
            self.admin("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % self.name)

    def drop(self):
        if self.kind == "postgresql":
            self.admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name)
        elif self.kind == "mysql":
            self.admin("DROP DATABASE IF EXISTS `%s`" % self.name)

    def dump(self):
        p = subprocess.run([ORACLE_PY, DUMP, self.url, "--version-table", self.version_table], capture_output=True, text=True)
        if p.returncode != 0:
            return "<dump failed>\n" + p.stderr
        d = json.loads(p.stdout)
        return "versions: %s\n--- schema\n%s\n--- data\n%s\n" % (
            d["versions"], d["schema"], d["data"])


ADDRESS = re.compile(r" at 0x[0-9a-f]+(?=[>;])")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")
TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}([.,]\d+)?( \[\d+\])?"
    r"|\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}"
    r"|\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2} [AP]M"
    r"|datetime\.datetime\(\d{4}(, \d+){4,6}"
)
# SQLAlchemy's echo (create_engine(echo=True), Flask-SQLAlchemy's SQLALCHEMY_ECHO) times each
# statement's compilation: `[generated in 0.00464s]`, `[cached since 0.007327s ago]`, `[no key 0.0001s]`.
ECHO_TIMING = re.compile(
    r"(\[(?:generated in|cached since|no key|caching disabled|dialect \S+ does not support caching) )"
    r"\d[\d.e+-]*(s(?: ago)?\])")
# what alembic-rs prints instead of the frames when Alembic's own code raises
RS_PLACEHOLDER = "  (raised by Alembic's own code; alembic-rs reproduces the outcome)"
FRAME = re.compile(r'^\s*File "([^"]*)", line \d+(?:, in (\S+))?')
# The drivers' own frames (alembic-rs is the driver) and, for the async ones,
# SQLAlchemy's adapter and greenlet bridge between its do_execute and them.
DRIVER_FRAME = re.compile(
    r"site-packages/(?:pymysql|aiosqlite|asyncpg|psycopg|aiomysql|asyncmy)/"
    r"|site-packages/sqlalchemy/(?:connectors/asyncio\.py|util/(?:_concurrency_py3k|concurrency)\.py"
    r"|dialects/\w+/(?:aiosqlite|asyncpg|psycopg|aiomysql|asyncmy)\.py)")


def drop_tool_frames(text):
    out, skipping, below_tool = [], False, False
    for line in text.split("\n"):
        m = FRAME.match(line)
        if m:
            f = m.group(1)
            tool = "site-packages/alembic/" in f or f.startswith("<alembic-rs")
            # SQLAlchemy's frames under the tool's: Alembic executes a DDL
            # element, alembic-rs composes some statements itself (add_column)
            below_tool = tool or (below_tool and (
                "site-packages/sqlalchemy/" in f or "site-packages/mako/" in f
                or f in ("<string>", "<frozen runpy>")))
            driver = DRIVER_FRAME.search(f) or (
                f.endswith("site-packages/sqlalchemy/engine/default.py")
                and (m.group(2) or "").startswith("do_execute"))
            skipping = below_tool or f in ("<frozen runpy>", "<string>") or bool(driver)
            if skipping:
                continue
        elif skipping and line.startswith("    "):
            continue
        elif line == RS_PLACEHOLDER:
            continue
        else:
            skipping = False
        out.append(line)
    return "\n".join(out)


RICH_HEADER = re.compile(r"^[/<]\S")
RICH_PATHLESS = re.compile(r"^in \S+:\d+$")


def drop_rich_tool_frames(text):
    """rich's boxed tracebacks (`rich.traceback.install()`: zenml's CLI) as
    drop_tool_frames treats plain ones: a frame is a header line (`path:line
    in func`, wrapped over two lines when long) and its source excerpt; the
    tool's frames (site-packages/alembic/, <alembic-rs>/..., pymysql's) and frames rich
    prints without a path (`in func:line`: frozen modules, and alembic-rs's,
    whose source it cannot read) are dropped, with their excerpts."""
    out, keep, lines, i = [], True, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        inner = line[2:-2].rstrip() if line.startswith("\u2502") and line.endswith("\u2502") else None
        if inner is None:
            keep = True
            out.append(line)
            i += 1
            continue
        if not inner.strip():  # rich's spacing, around the dropped frames too
            i += 1
            continue
        if RICH_PATHLESS.match(inner.strip()):
            keep = False
            i += 1
            continue
        if RICH_HEADER.match(inner):
            header = [line]
            if " in " not in inner and i + 1 < len(lines):
                i += 1
                header.append(lines[i])
            keep = not ("site-packages/alembic/" in inner or inner.startswith("<alembic-rs")
                        or "site-packages/pymysql/" in inner)
            if keep:
                out.extend(header)
            i += 1
            continue
        if keep:
            out.append(line)
        i += 1
    return "\n".join(out)


WARNING = re.compile(r"^(\S*(?:site-packages/alembic/|<alembic-rs>/)\S*):\d+: (\w*Warning: .*)$")


def hide_warning_locations(text):
    out, lines = [], text.split("\n")
    i = 0
    while i < len(lines):
        m = WARNING.match(lines[i])
        out.append(m.group(2) if m else lines[i])
        # Python prints the warning's source line (indented) when it can read it
        if m and i + 1 < len(lines) and lines[i + 1].startswith("  ") \
                and not lines[i + 1].lstrip().startswith("File "):
            i += 1
        i += 1
    return "\n".join(out)


# the dump's version rows, sorted by id: sorted again once new ids are <rev-N>
DUMP_VERSIONS = re.compile(r"^versions: (\[[^\]\n]*\])$", re.M)


def normalise(text, replacements):
    for old, new in replacements:
        text = text.replace(old, new)
    text = TIMESTAMP.sub("<timestamp>", text)
    text = ECHO_TIMING.sub(lambda m: m.group(1) + "<t>" + m.group(2), text)
    text = ADDRESS.sub(" at 0x?", UUID.sub("<uuid>", text))
    text = DUMP_VERSIONS.sub(lambda m: "versions: %r" % sorted(ast.literal_eval(m.group(1))), text)
    return hide_warning_locations(drop_rich_tool_frames(drop_tool_frames(text)))


def write_wrapper(workdir, location, prelude, extra, template=None):
    wrap = os.path.join(workdir, "wrap")
    os.makedirs(wrap, exist_ok=True)
    with open(os.path.join(wrap, "env.py"), "w") as f:
        f.write("import runpy\nfrom alembic import context\nconfig = context.config\n%s\n"
                "runpy.run_path(%r, run_name='env_py')\n"
                % (prelude, os.path.join(location, "env.py")))
    if template:
        shutil.copy(template, os.path.join(wrap, "script.py.mako"))
    elif os.path.exists(os.path.join(location, "script.py.mako")):  # aiida's sqlite_dos has none
        shutil.copy(os.path.join(location, "script.py.mako"), wrap)
    if not any(e.replace(" ", "").startswith("version_locations=") for e in extra):
        extra = extra + ["version_locations = " + os.path.join(location, "versions")]
    return wrap, extra


def copy_versions(workdir, location, extra):
    """--copy-versions: the tool's own copy of each version directory, and
    the ini lines naming the copies instead."""
    given = [e for e in extra if e.replace(" ", "").startswith("version_locations=")]
    if given:
        paths = re.split(r"[\s,]+", given[-1].partition("=")[2].strip())
    else:
        paths = [os.path.join(location, "versions")]
    copies = []
    for i, path in enumerate(paths):
        if not os.path.isdir(path):  # a glob or a path Alembic resolves itself: kept
            copies.append(path)
            continue
        dest = os.path.join(workdir, "versions" if len(paths) == 1 else "versions-%d" % i)
        shutil.copytree(path, dest, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(dest)
    extra = [e for e in extra if e not in given]
    if len(copies) > 1 and not any(e.replace(" ", "").startswith("path_separator=") for e in extra):
        extra.append("path_separator = space")
    extra.append("version_locations = " + " ".join(copies))
    originals = [p for p, c in zip(paths, copies) if p != c]
    return extra, [c for c in copies if c.startswith(workdir)], originals


def snapshot(dirs):
    files = {}
    for top in dirs:
        for root, subdirs, names in os.walk(top):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    files[path] = (os.stat(path).st_mtime_ns, f.read())
    return files


REVISION_LINE = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*['"]([^'"]+)['"]""", re.M)


GENERATING = re.compile(r"^Generating (\S+) \.\.\.", re.M)


def new_revision(rev, repl):
    if all(old != rev for old, _ in repl):
        repl.append((rev, "<rev-%d>" % (1 + sum(n.startswith("<rev-") for _, n in repl))))


def written_files(before, after, repl, out):
    """The files a step wrote (new or changed), in the order they were written;
    each new revision id joins the tool's replacements as <rev-N>."""
    written = sorted((p for p in after if before.get(p, (None, None))[1] != after[p][1]),
                     key=lambda p: (after[p][0], p))
    for path in written:
        text = after[path][1].decode("utf-8", "replace")
        m = REVISION_LINE.search(text)
        if m and path not in before:
            new_revision(m.group(1), repl)
    # a revision whose file Alembic could not write (`Generating ... FAILED`):
    # its id from the file name (the default file_template starts with it)
    for path in GENERATING.findall(out):
        m = re.match(r"([0-9a-f]{12})_", os.path.basename(path))
        if m:
            new_revision(m.group(1), repl)
    return written


def write_project(workdir, location, url, extra):
    os.makedirs(workdir, exist_ok=True)
    lines = ["[alembic]", "script_location = " + location,
             "sqlalchemy.url = " + url.replace("%", "%%")]
    lines += [e.replace("{url}", url) for e in extra]
    with open(os.path.join(workdir, "alembic.ini"), "w") as f:
        f.write("\n".join(lines) + "\n" + LOGGING)


def run(tool, argv, workdir, venv, binary, env_extra, db):
    env = {k: v for k, v in os.environ.items() if k not in ("ALEMBIC_CONFIG", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for kv in env_extra:
        k, _, v = kv.partition("=")
        env[k] = v.replace("{url}", db.url).replace("{db}", db.name).replace("{dir}", workdir)
    # Both run as from an activated venv (applications read VIRTUAL_ENV: rucio
    # looks for $VIRTUAL_ENV/etc/rucio.cfg first); alembic-rs takes its Python from it.
    env["VIRTUAL_ENV"] = venv
    if tool == "oracle":
        cmd = [os.path.join(venv, "bin", "python"), "-m", "alembic"] + argv
    else:
        cmd = [binary] + argv
    p = subprocess.run(cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=1800)
    return p.returncode, p.stdout, p.stderr


SET_DISPLAY = re.compile(r"\{('[^'{}:]*'(?:, '[^'{}:]*')*)\}")
SET_LIST = re.compile(r"\[\{[^{}\[\]:]*\}(?:, \{[^{}\[\]:]*\})*\]")


def same_lines(text):
    """The text's lines as a sorted list, for ORDER: a trailing comma is
    dropped (it moves with the last key of SHOW CREATE TABLE), and `check`'s
    one-line operation list is split per operation (its removed tables come
    in Alembic's set order, and so do a table's removed columns: also where one
    follows a list of modify_* operations, `)], (`: ironic's), and a column's
    `ForeignKey(...)` items onto lines of their own (SQLAlchemy's
    Column.foreign_keys is a set: quetz's). A set display of strings
    (`{'b', 'a'}`) has its items sorted, and so has a list of only such
    displays: a Table.info holding them, rendered into create_table()
    (oslo.db's oslodb_unique_keys, built from Table.constraints: neutron's)."""
    text = SET_DISPLAY.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", text)
    text = SET_LIST.sub(lambda m: "[" + ", ".join(sorted(re.findall(r"\{[^{}]*\}", m.group(0)))) + "]", text)
    text = text.replace("), (", "),\n(").replace("), [", "),\n[").replace(": [(", ": [\n(")
    text = text.replace("], (", "],\n(").replace("], [", "],\n[").replace(": [[", ": [\n[")
    # a column's ForeignKey items in a Table repr (Column.foreign_keys is a set)
    text = re.sub(r", (ForeignKey\('[^']*'\))", r"\n\1\n", text)
    return sorted(x.rstrip(", ]") for x in text.split("\n"))


def compare(label, a, b):
    if a == b:
        return "same"
    if same_lines(a) == same_lines(b):
        return "ORDER"
    diff = difflib.unified_diff(a.split("\n"), b.split("\n"), "alembic/" + label,
                                "alembic-rs/" + label, lineterm="", n=2)
    print("\n".join(list(diff)[:200]))
    return "DIFF"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--venv", required=True)
    ap.add_argument("--location", required=True)
    ap.add_argument("--db", required=True, choices=["sqlite", "postgresql", "mysql"])
    ap.add_argument("--name", required=True)
    ap.add_argument("--down", type=int, default=3)
    ap.add_argument("--no-base", action="store_true")
    ap.add_argument("--no-sql", action="store_true")
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--step", action="append")
    ap.add_argument("--ini-extra", action="append", default=[])
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--alembic-rs", default=os.path.join(ROOT, "target", "release", "alembic-rs"))
    ap.add_argument("--version-table", default="alembic_version")
    ap.add_argument("--oslo-db", action="store_true")
    ap.add_argument("--wrap-env")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--setup", action="append", default=[])
    ap.add_argument("--copy-versions", action="store_true")
    ap.add_argument("--script-template")
    a = ap.parse_args()

    venv = os.path.abspath(a.venv)
    if a.oslo_db:
        install_oslo_pth(venv)
        a.env.append("RW_OSLO_DB_CONNECTION={url}")
    location = resolve_location(venv, a.location)
    template = a.script_template
    if template == "generic":
        template = os.path.join(resolve_location(venv, "alembic:templates"), "generic", "script.py.mako")
    if a.step:
        steps = [s.split() for s in a.step]
    else:
        steps = [["upgrade", "head"], ["current"], ["history"]]
        if a.down:
            steps += [["downgrade", "-%d" % a.down], ["current"]]
        if not a.no_base:
            steps += [["downgrade", "base"]]
        steps += [["upgrade", "head"], ["current", "-v"]]
        if not a.no_sql:
            steps += [["upgrade", "head", "--sql"]]
        if not a.no_check:
            steps += [["check"]]

    top = "/tmp/rw-%s-%s" % (a.name, a.db)
    shutil.rmtree(top, ignore_errors=True)
    tools = {}
    for tool in ("oracle", "rs"):
        workdir = os.path.join(top, tool)
        db = Db(a.db, a.name + "_" + a.db, tool, workdir, a.version_table)
        loc, extra, copies, guards = location, a.ini_extra, [], []
        os.makedirs(workdir, exist_ok=True)
        if a.copy_versions:
            extra, copies, guards = copy_versions(workdir, location, extra)
        if a.wrap_env is not None or a.script_template:
            loc, extra = write_wrapper(workdir, location, a.wrap_env or "", extra, template)
        write_project(workdir, loc, db.url, extra)
        db.create()
        for cmd in a.setup:
            env = dict(os.environ, VIRTUAL_ENV=venv, PYTHONDONTWRITEBYTECODE="1",
                       PATH=os.path.join(venv, "bin") + os.pathsep + os.environ["PATH"])
            env.pop("ALEMBIC_CONFIG", None)
            for kv in a.env:
                k, _, v = kv.partition("=")
                env[k] = v.replace("{url}", db.url).replace("{db}", db.name).replace("{dir}", workdir)
            p = subprocess.run(cmd.replace("{url}", db.url), shell=True, cwd=workdir, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit("setup failed for %s: %s\n%s" % (tool, cmd, p.stderr[-3000:]))
        repl = [(db.url, "<url>"), (workdir, "<dir>"), (db.name, "<db>"),
                (os.path.realpath(workdir), "<dir>"), (venv, "<venv>")]
        tools[tool] = (workdir, db, repl, copies)
    # A server-wide object (a role) can name the other tool's database in an error
    # (onyx's `DROP USER db_readonly_user`: "1 object in database ..._rs").
    tools["oracle"][2].append((tools["rs"][1].name, "<other-db>"))
    tools["rs"][2].append((tools["oracle"][1].name, "<other-db>"))

    print("tree %s at %s on %s" % (a.name, location, a.db))
    failures = 0
    for n, argv in enumerate(steps, 1):
        results, files = {}, {}
        for tool, (workdir, db, repl, copies) in tools.items():
            before = snapshot(copies + guards)
            code, out, err = run(tool, argv, workdir, venv, a.alembic_rs, a.env, db)
            after = snapshot(copies + guards)
            written = written_files(before, after, repl, out)
            for path in written:
                # env.py set version_locations itself: the file went into the
                # package; compared all the same, then removed
                if path not in before and any(path.startswith(g + os.sep) for g in guards):
                    keep = os.path.join(top, "%s.%d.%s" % (tool, n, os.path.basename(path)))
                    print("step %d: %s wrote into the package: %s (moved to %s)" % (n, tool, path, keep))
                    shutil.move(path, keep)
            dump = db.dump()
            for ext, text in (("out", out), ("err", err), ("dump", dump)):
                with open(os.path.join(top, "%s.%d.%s" % (tool, n, ext)), "w") as f:
                    f.write(text)
            results[tool] = [str(code)] + [normalise(t, repl) for t in (out, err, dump)]
            files[tool] = {normalise(p, repl): normalise(after[p][1].decode("utf-8", "replace"), repl)
                           for p in written}
        verdicts = [compare("%d.%s" % (n, part), o, r)
                    for part, o, r in zip(("exit", "stdout", "stderr", "dump"),
                                          results["oracle"], results["rs"])]
        written = ""
        if a.copy_versions:
            names = sorted(set(files["oracle"]) | set(files["rs"]))
            fv = [compare("%d.%s" % (n, p), files["oracle"].get(p, "<not written>"),
                          files["rs"].get(p, "<not written>")) for p in names]
            verdict = "DIFF" if "DIFF" in fv else "ORDER" if "ORDER" in fv else "same"
            verdicts.append(verdict)
            written = "  files %d %s" % (len(names), verdict)
        ok = "DIFF" not in verdicts
        failures += not ok
        print("step %d %-28s exit %s/%s  stdout %s  stderr %s  dump %s%s  %s" % (
            n, " ".join(argv), results["oracle"][0], results["rs"][0], *verdicts[1:4],
            written, "OK" if ok else "DIVERGES"), flush=True)
    if not a.keep:
        for _, db, _, _ in tools.values():
            db.drop()
    print("%s: %s (%d steps, outputs under %s)" % (
        a.name, "identical" if not failures else "%d step(s) diverge" % failures,
        len(steps), top))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
