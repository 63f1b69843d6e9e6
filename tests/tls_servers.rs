//! TLS beyond what this machine's database services offer: each test
//! starts its own PostgreSQL cluster or MariaDB server with certificates
//! from a test CA (tests/support/tls.rs) and runs the fixture
//! tests/fixtures/online/tls_servers through real Alembic (psycopg2,
//! pymysql) and alembic-rs with the drivers' TLS parameters: verified and
//! unverified TLS, client certificates, a wrong CA, a host name the
//! certificate lacks, a missing key file. Compared per step: exit code,
//! stdout, the end of stderr (tracebacks collapsed; a refused certificate's
//! wording is the TLS library's, docs/differences.md, and is normalised)
//! and the version table.
//!
//! Needs openssl, PostgreSQL's server binaries (initdb, pg_ctl) and
//! MariaDB's (mariadb-install-db, mariadbd); missing ones skip locally and
//! fail under CI.

mod support;
use support::online::{
    OracleServer, Outcome, Tool, collapse_tracebacks, prepare_project, run_step,
};
use support::tls::{CERT_USER, PASSWORD, PASSWORD_USER, TlsMariadb, TlsPostgres, missing_tools};

/// One connection setup: `-x` arguments (env.py puts `user`/`host` in the
/// URL, the rest in its query) and extra environment variables.
struct Case {
    x: Vec<(&'static str, String)>,
    env: Vec<(&'static str, String)>,
}

fn case(x: &[(&'static str, &str)]) -> Case {
    Case {
        x: x.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        env: Vec::new(),
    }
}

fn with_env(mut c: Case, env: &[(&'static str, &str)]) -> Case {
    c.env = env.iter().map(|(k, v)| (*k, v.to_string())).collect();
    c
}

fn ready(postgres: bool) -> bool {
    if support::oracle_python().is_none() {
        return false;
    }
    if let Some(tool) = missing_tools(postgres) {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is missing: the TLS server tests need it"
        );
        eprintln!("SKIPPED: {tool} is missing");
        return false;
    }
    true
}

/// A refused certificate, in any library's words: libpq's (OpenSSL),
/// Python's ssl module's, rustls's (alembic-rs). pymysql's message is the
/// repr of a text holding the refusal, so its quoting follows the words
/// too: the whole `(2003, "Can't connect ...")` is rewritten.
fn normalise_refusal(line: &str) -> String {
    let refusal = [
        r#"SSL error: certificate verify failed"#,
        r#"server certificate for "[^"]*"( \(and \d+ other names?\))? does not match host name "[^"]*""#,
        r#"\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: [^()]*\(_ssl\.c:\d+\)"#,
        r#"invalid peer certificate: .*"#,
    ]
    .join("|");
    let mysql = regex::Regex::new(&format!(
        r#"\(2003, ['"]Can\\?'t connect to MySQL server on \\?'([^'\\]*)\\?' \((?:{refusal})\)['"]\)"#
    ))
    .unwrap();
    let s = mysql.replace_all(
        line,
        r#"(2003, "Can't connect to MySQL server on '$1' (<certificate refused>)")"#,
    );
    regex::Regex::new(&format!("(?:{refusal})$"))
        .unwrap()
        .replace_all(&s, "<certificate refused>")
        .into_owned()
}

/// What is compared of one step.
fn observe(o: &Outcome, versions: String) -> String {
    let stderr = collapse_tracebacks(&o.stderr);
    let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = tail[tail.len().saturating_sub(3)..].join("\n");
    let tail: Vec<String> = tail.lines().map(normalise_refusal).collect();
    format!(
        "exit {}\n-- stdout:\n{}\n-- stderr (end):\n{}\n-- versions: {}",
        o.code,
        o.stdout.trim_end(),
        tail.join("\n"),
        versions.trim()
    )
}

/// Runs every case through both tools, each on its own database of the
/// server (`url_of(db)`), and panics at the end with both sides of every
/// case that differed. `versions(db)` reads the version table, `reset(db)`
/// empties the database after a difference.
fn run_cases(
    label: &str,
    cases: &[Case],
    url_of: &dyn Fn(&str) -> String,
    versions: &(dyn Fn(&str) -> String + Sync),
    reset: &dyn Fn(&str),
) {
    let oracle_db = "mtls_oracle";
    let rs_db = "mtls_rs";
    let fixture = support::online::fixture("tls_servers");
    let oracle_project = prepare_project(&fixture, &url_of(oracle_db));
    let rs_project = prepare_project(&fixture, &url_of(rs_db));
    let mut server = OracleServer::acquire();
    let mut failures = Vec::new();
    for (n, c) in cases.iter().enumerate() {
        let mut x_args: Vec<String> = Vec::new();
        for (k, v) in &c.x {
            x_args.push("-x".into());
            x_args.push(format!("{k}={v}"));
        }
        let env: Vec<(String, String)> = c
            .env
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        for step in [["upgrade", "head"], ["downgrade", "base"]] {
            let mut args = x_args.clone();
            args.extend(step.iter().map(|s| s.to_string()));
            let (a, b) = std::thread::scope(|s| {
                let h = s.spawn(|| run_step(Tool::AlembicRs, &rs_project.root, &args, &env));
                let a = server.run(&oracle_project.root, &args, &env);
                (a, h.join().unwrap())
            });
            let (a, b) = (
                observe(&a, versions(oracle_db)),
                observe(&b, versions(rs_db)),
            );
            let shown = format!(
                "{}alembic {}",
                c.env
                    .iter()
                    .map(|(k, v)| format!("{k}={v} "))
                    .collect::<String>(),
                args.join(" ")
            );
            if a != b {
                failures.push(format!(
                    "{label} case {}: `{shown}` differs\n== alembic:\n{a}\n== alembic-rs:\n{b}\n",
                    n + 1
                ));
                // the next case starts from empty databases again
                for db in [oracle_db, rs_db] {
                    reset(db);
                }
                break;
            }
            eprintln!("{label} case {}: `{shown}`: identical\n{a}\n", n + 1);
            if a.starts_with("exit 1") {
                break;
            }
        }
    }
    server.release();
    OracleServer::stop_idle();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parity_tls_servers_postgres() {
    if !ready(true) {
        return;
    }
    let pg = TlsPostgres::start().expect("a PostgreSQL cluster with TLS");
    for db in ["mtls_oracle", "mtls_rs"] {
        pg.create_db(db).unwrap();
    }
    let p = |f: &str| pg.pki.path(f);
    let cert = |mut c: Vec<(&'static str, String)>| {
        c.insert(0, ("user", CERT_USER.to_string()));
        c
    };
    let cases = vec![
        case(&[]),
        case(&[("sslmode", "disable")]),
        case(&[("sslmode", "require")]),
        case(&[("sslmode", "verify-ca"), ("sslrootcert", &p("ca.pem"))]),
        case(&[("sslmode", "verify-full"), ("sslrootcert", &p("ca.pem"))]),
        case(&[
            ("host", "localhost"),
            ("sslmode", "verify-full"),
            ("sslrootcert", &p("ca.pem")),
        ]),
        // a wrong CA
        case(&[
            ("sslmode", "verify-ca"),
            ("sslrootcert", &p("wrong-ca.pem")),
        ]),
        case(&[
            ("sslmode", "verify-full"),
            ("sslrootcert", &p("wrong-ca.pem")),
        ]),
        // the server's own certificate is no root
        case(&[
            ("sslmode", "verify-full"),
            ("sslrootcert", &p("server.pem")),
        ]),
        // `require`/`prefer` check the certificate as `verify-ca` when a root
        // certificate file exists (`prefer` then retries in clear text)
        case(&[("sslmode", "require"), ("sslrootcert", &p("wrong-ca.pem"))]),
        case(&[("sslmode", "require"), ("sslrootcert", &p("ca.pem"))]),
        case(&[("sslrootcert", &p("wrong-ca.pem"))]),
        case(&[
            ("sslmode", "require"),
            ("sslrootcert", "/nonexistent/root.crt"),
        ]),
        // `system`: the system's roots, `verify-full` only
        case(&[("sslrootcert", "system")]),
        case(&[("sslmode", "require"), ("sslrootcert", "system")]),
        with_env(
            case(&[("sslrootcert", "system")]),
            &[("PGSSLMODE", "verify-ca")],
        ),
        // a host name the certificate lacks: verify-ca does not look
        case(&[
            ("host", "127.0.0.2"),
            ("sslmode", "verify-full"),
            ("sslrootcert", &p("ca.pem")),
        ]),
        case(&[
            ("host", "127.0.0.2"),
            ("sslmode", "verify-ca"),
            ("sslrootcert", &p("ca.pem")),
        ]),
        // client certificates (`cert` authentication over TLS; clear text
        // is `trust`)
        Case {
            x: cert(vec![
                ("sslmode", "verify-full".into()),
                ("sslrootcert", p("ca.pem")),
                ("sslcert", p("client.pem")),
                ("sslkey", p("client.key")),
            ]),
            env: vec![],
        },
        Case {
            x: cert(vec![
                ("sslcert", p("client.pem")),
                ("sslkey", p("client.key")),
            ]),
            env: vec![],
        },
        Case {
            x: cert(vec![("sslmode", "require".into())]),
            env: vec![],
        },
        Case {
            x: cert(vec![]),
            env: vec![],
        },
        Case {
            x: cert(vec![
                ("sslmode", "require".into()),
                ("sslcert", p("client.pem")),
                ("sslkey", "/nonexistent/client.key".into()),
            ]),
            env: vec![],
        },
        Case {
            x: cert(vec![
                ("sslcert", p("client.pem")),
                ("sslkey", "/nonexistent/client.key".into()),
            ]),
            env: vec![],
        },
        // a key file others may read (libpq refuses it; `prefer` goes on
        // in clear text)
        Case {
            x: cert(vec![
                ("sslmode", "require".into()),
                ("sslcert", p("client.pem")),
                ("sslkey", p("client-open.key")),
            ]),
            env: vec![],
        },
        Case {
            x: cert(vec![
                ("sslcert", p("client.pem")),
                ("sslkey", p("client-open.key")),
            ]),
            env: vec![],
        },
        // a refusal during authentication over TLS is retried in clear
        // text under `prefer` (both reported); one after it is not
        case(&[("user", PASSWORD_USER), ("password", "wrong")]),
        case(&[
            ("user", PASSWORD_USER),
            ("password", "wrong"),
            ("sslmode", "require"),
        ]),
        case(&[("user", PASSWORD_USER), ("password", PASSWORD)]),
        case(&[("user", "nobody")]),
        case(&[("sslmode", "allow")]),
        // a client certificate whose file is missing is not sent
        Case {
            x: cert(vec![
                ("sslmode", "require".into()),
                ("sslcert", "/nonexistent/client.pem".into()),
                ("sslkey", p("client.key")),
            ]),
            env: vec![],
        },
        // libpq's environment
        with_env(
            case(&[]),
            &[
                ("PGSSLMODE", "verify-full"),
                ("PGSSLROOTCERT", &p("ca.pem")),
            ],
        ),
        with_env(
            case(&[]),
            &[
                ("PGSSLMODE", "verify-full"),
                ("PGSSLROOTCERT", &p("wrong-ca.pem")),
            ],
        ),
        with_env(case(&[]), &[("PGSSLMODE", "disable")]),
        with_env(
            case(&[("sslmode", "verify-ca"), ("sslrootcert", &p("ca.pem"))]),
            &[("PGSSLMODE", "disable")],
        ),
    ];
    let port = pg.port;
    run_cases(
        "postgresql",
        &cases,
        &|db| format!("postgresql+psycopg2://root@127.0.0.1:{port}/{db}"),
        &|db| pg.versions(db),
        &|db| {
            let _ = pg.psql(db, "DROP TABLE IF EXISTS alembic_version, tls_probe");
        },
    );
}

#[test]
fn parity_tls_servers_mysql() {
    if !ready(false) {
        return;
    }
    let my = TlsMariadb::start().expect("a MariaDB server with TLS");
    for db in ["mtls_oracle", "mtls_rs"] {
        my.create_db(db).unwrap();
    }
    let p = |f: &str| my.pki.path(f);
    let cert = |mut c: Vec<(&'static str, String)>| {
        c.insert(0, ("user", CERT_USER.to_string()));
        c
    };
    let cases = vec![
        case(&[]),
        case(&[("ssl_ca", &p("ca.pem"))]),
        case(&[("host", "localhost"), ("ssl_ca", &p("ca.pem"))]),
        case(&[("ssl_ca", &p("wrong-ca.pem"))]),
        case(&[
            ("ssl_ca", &p("wrong-ca.pem")),
            ("ssl_check_hostname", "false"),
        ]),
        // a host name the certificate lacks
        case(&[("host", "127.0.0.2"), ("ssl_ca", &p("ca.pem"))]),
        case(&[
            ("host", "127.0.0.2"),
            ("ssl_ca", &p("ca.pem")),
            ("ssl_check_hostname", "false"),
        ]),
        // pymysql's own keywords (SQLAlchemy passes them on as text)
        case(&[("ssl_verify_cert", "true")]),
        case(&[("ssl_verify_identity", "true")]),
        case(&[("ssl_ca", &p("wrong-ca.pem")), ("ssl_verify_cert", "false")]),
        case(&[("ssl_disabled", "true")]),
        case(&[("ssl_disabled", "true"), ("ssl_ca", &p("ca.pem"))]),
        // pymysql's `ssl` dictionary in connect_args
        case(&[("ssl.ca", &p("ca.pem"))]),
        case(&[("host", "127.0.0.2"), ("ssl.ca", &p("ca.pem"))]),
        case(&[
            ("host", "127.0.0.2"),
            ("ssl.ca", &p("ca.pem")),
            ("ssl.check_hostname", "false"),
        ]),
        case(&[("ssl.ca", &p("wrong-ca.pem"))]),
        case(&[("ssl.ca", "/nonexistent/ca.pem")]),
        case(&[("ssl_ca", "/nonexistent/ca.pem")]),
        Case {
            x: cert(vec![
                ("ssl.cert", p("client.pem")),
                ("ssl.key", p("client.key")),
            ]),
            env: vec![],
        },
        // client certificates (`REQUIRE X509`)
        Case {
            x: cert(vec![
                ("ssl_ca", p("ca.pem")),
                ("ssl_cert", p("client.pem")),
                ("ssl_key", p("client.key")),
            ]),
            env: vec![],
        },
        Case {
            x: cert(vec![
                ("ssl_cert", p("client.pem")),
                ("ssl_key", p("client.key")),
            ]),
            env: vec![],
        },
        Case {
            x: cert(vec![("ssl_ca", p("ca.pem"))]),
            env: vec![],
        },
        Case {
            x: cert(vec![
                ("ssl_cert", p("client.pem")),
                ("ssl_key", "/nonexistent/client.key".into()),
            ]),
            env: vec![],
        },
    ];
    let port = my.port;
    run_cases(
        "mysql",
        &cases,
        &|db| format!("mysql+pymysql://plain@127.0.0.1:{port}/{db}"),
        &|db| my.versions(db),
        &|db| {
            let _ = my.sql(&format!(
                "DROP TABLE IF EXISTS {db}.alembic_version, {db}.tls_probe"
            ));
        },
    );
}
