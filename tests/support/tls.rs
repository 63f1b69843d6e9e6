//! Throw-away database servers with TLS, for tests/tls_servers.rs: a test
//! CA, server and client certificates made with `openssl` at test time,
//! and a PostgreSQL cluster (`initdb` + `pg_ctl`) or a MariaDB server
//! (`mariadb-install-db` + `mariadbd`) in a temporary directory, on a free
//! port of 127.0.0.1 and 127.0.0.2 (the certificate names only `localhost`
//! and 127.0.0.1). Each is stopped and its directory removed on `Drop`.
//!
//! Users: PostgreSQL `root` (superuser, `trust` over TLS and in clear text),
//! `certuser` (`cert` authentication over TLS, `trust` in clear text) and
//! `pwuser` (password `right`);
//! MariaDB `plain` (no password) and `certuser` (`REQUIRE X509`).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The user of the client certificate (its CN), on both servers.
pub const CERT_USER: &str = "certuser";
/// PostgreSQL: a user with a password (`scram-sha-256`, over TLS or not).
pub const PASSWORD_USER: &str = "pwuser";
pub const PASSWORD: &str = "right";

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The certificates, in `dir`: `ca.pem` signs `server.pem` (SAN localhost,
/// 127.0.0.1) and `client.pem` (CN [`CERT_USER`]); `wrong-ca.pem` signs
/// nothing; `client-open.key` is `client.key` with mode 0644. EC P-256 keys
/// (fast to make). Valid for a hundred years.
pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    pub fn generate(dir: &Path) -> Result<Pki, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let openssl = |args: &[&str]| run(command("openssl").args(args).current_dir(dir));
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];
        for (name, cn) in [("ca", "alembic-rs test CA"), ("wrong-ca", "another CA")] {
            let subj = format!("/CN={cn}");
            let (k, p) = (format!("{name}.key"), format!("{name}.pem"));
            let mut args = vec!["req", "-x509", "-nodes", "-days", "36500"];
            args.extend(key);
            args.extend(["-keyout", &k, "-out", &p, "-subj", &subj]);
            openssl(&args)?;
        }
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(
            dir.join("client.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
        )
        .map_err(|e| e.to_string())?;
        for (name, cn) in [("server", "localhost"), ("client", CERT_USER)] {
            let subj = format!("/CN={cn}");
            let (k, csr, p, ext) = (
                format!("{name}.key"),
                format!("{name}.csr"),
                format!("{name}.pem"),
                format!("{name}.ext"),
            );
            let mut args = vec!["req", "-nodes"];
            args.extend(key);
            args.extend(["-keyout", &k, "-out", &csr, "-subj", &subj]);
            openssl(&args)?;
            openssl(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "36500",
                "-extfile",
                &ext,
                "-out",
                &p,
            ])?;
        }
        // the client key again, readable by everyone
        let open = dir.join("client-open.key");
        std::fs::copy(dir.join("client.key"), &open).map_err(|e| e.to_string())?;
        run(command("chmod").arg("644").arg(&open))?;
        Ok(Pki {
            dir: dir.to_path_buf(),
        })
    }

    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).display().to_string()
    }
}

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) -> Result<(), String> {
    let start = Instant::now();
    while !ready() {
        if start.elapsed() > Duration::from_secs(60) {
            return Err(format!("{what} did not start within 60 s"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// The highest /usr/lib/postgresql/<major>/bin holding `initdb`.
fn pg_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((major, bin))
        })
        .collect();
    dirs.sort();
    dirs.pop().map(|(_, b)| b)
}

/// A program on `PATH`, else in /usr/sbin (`mariadbd` is there, and root's
/// `PATH` is not everyone's).
fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn command(name: &str) -> Command {
    Command::new(program(name).unwrap_or_else(|| PathBuf::from(name)))
}

/// What is missing to make the servers here (then the test skips, or fails
/// in CI).
pub fn missing_tools(postgres: bool) -> Option<String> {
    let needed: &[&str] = if postgres {
        if pg_bin_dir().is_none() {
            return Some("/usr/lib/postgresql/*/bin/initdb".into());
        }
        &["openssl", "psql"]
    } else {
        &["openssl", "mariadbd", "mariadb-install-db", "mariadb"]
    };
    needed
        .iter()
        .find(|p| program(p).is_none())
        .map(|p| p.to_string())
}

/// A PostgreSQL cluster with `ssl = on`; `root` is its superuser.
pub struct TlsPostgres {
    pub pki: Pki,
    pub port: u16,
    tmp: tempfile::TempDir,
    bin: PathBuf,
    data: PathBuf,
}

impl TlsPostgres {
    pub fn start() -> Result<TlsPostgres, String> {
        let bin = pg_bin_dir().ok_or("no PostgreSQL server binaries")?;
        let tmp = tempfile::Builder::new()
            .prefix("alembic-rs-tls-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let pki = Pki::generate(&tmp.path().join("pki"))?;
        let data = tmp.path().join("data");
        // initdb refuses to run as root: then the cluster is the postgres
        // user's (the directory has to be reachable and its own).
        if is_root() {
            run(command("chmod").args(["755"]).arg(tmp.path()))?;
            run(command("chown").arg("postgres").arg(tmp.path()))?;
        }
        let port = free_port();
        let me = TlsPostgres {
            pki,
            port,
            tmp,
            bin,
            data,
        };
        run(me
            .as_owner(&me.bin.join("initdb"))
            .arg("-D")
            .arg(&me.data)
            .args([
                "-U",
                "root",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ]))?;
        for f in ["server.pem", "server.key", "ca.pem"] {
            let to = me.data.join(f);
            std::fs::copy(me.pki.dir.join(f), &to).map_err(|e| e.to_string())?;
            if is_root() {
                run(command("chown").arg("postgres").arg(&to))?;
            }
            run(command("chmod").arg("600").arg(&to))?;
        }
        let conf = format!(
            "listen_addresses = '127.0.0.1,127.0.0.2'\nport = {port}\n\
             unix_socket_directories = '{}'\nssl = on\nssl_cert_file = 'server.pem'\n\
             ssl_key_file = 'server.key'\nssl_ca_file = 'ca.pem'\nfsync = off\n\
             shared_buffers = 16MB\nmax_connections = 30\n",
            me.tmp.path().display()
        );
        let mut pgconf =
            std::fs::read_to_string(me.data.join("postgresql.conf")).map_err(|e| e.to_string())?;
        pgconf.push_str(&conf);
        std::fs::write(me.data.join("postgresql.conf"), pgconf).map_err(|e| e.to_string())?;
        std::fs::write(
            me.data.join("pg_hba.conf"),
            format!(
                "local all all trust\nhostssl all {CERT_USER} 127.0.0.0/8 cert\n\
                 host all {PASSWORD_USER} 127.0.0.0/8 scram-sha-256\n\
                 hostssl all all 127.0.0.0/8 trust\nhostnossl all all 127.0.0.0/8 trust\n"
            ),
        )
        .map_err(|e| e.to_string())?;
        run(me
            .as_owner(&me.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&me.data)
            .arg("-l")
            .arg(me.tmp.path().join("server.log"))
            .args(["-w", "-t", "60", "start"]))?;
        me.psql(
            "postgres",
            &format!("CREATE ROLE {CERT_USER} LOGIN SUPERUSER"),
        )?;
        me.psql(
            "postgres",
            &format!("CREATE ROLE {PASSWORD_USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'"),
        )?;
        Ok(me)
    }

    fn as_owner(&self, program: &Path) -> Command {
        if is_root() {
            let mut c = command("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }

    /// One statement as `root` over the Unix socket; its output (unaligned,
    /// tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        run(command("psql")
            .arg("-h")
            .arg(self.tmp.path())
            .args(["-p", &self.port.to_string(), "-U", "root", "-d", db])
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]))
    }

    pub fn create_db(&self, name: &str) -> Result<(), String> {
        self.psql("postgres", &format!("CREATE DATABASE {name}"))
            .map(drop)
    }

    /// The version table's rows, or `<no version table>`.
    pub fn versions(&self, db: &str) -> String {
        self.psql(db, "SELECT version_num FROM alembic_version ORDER BY 1")
            .unwrap_or_else(|_| "<no version table>".into())
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let _ = run(self
            .as_owner(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"]));
    }
}

/// A MariaDB server with TLS (`have_ssl` YES); users `plain` and
/// `certuser` (`REQUIRE X509`), both with every privilege.
pub struct TlsMariadb {
    pub pki: Pki,
    pub port: u16,
    tmp: tempfile::TempDir,
    server: Child,
}

impl TlsMariadb {
    pub fn start() -> Result<TlsMariadb, String> {
        let tmp = tempfile::Builder::new()
            .prefix("alembic-rs-tls-my-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let pki = Pki::generate(&tmp.path().join("pki"))?;
        let data = tmp.path().join("data");
        let user = if is_root() { Some("--user=root") } else { None };
        run(command("mariadb-install-db")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(user)
            .args([
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ]))?;
        let port = free_port();
        let p = |f: &str| pki.path(f);
        let server = command("mariadbd")
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(user)
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1,127.0.0.2")
            .arg(format!("--socket={}", tmp.path().join("sock").display()))
            .arg(format!("--pid-file={}", tmp.path().join("pid").display()))
            .arg(format!(
                "--log-error={}",
                tmp.path().join("error.log").display()
            ))
            .arg(format!("--ssl-ca={}", p("ca.pem")))
            .arg(format!("--ssl-cert={}", p("server.pem")))
            .arg(format!("--ssl-key={}", p("server.key")))
            .args([
                "--skip-name-resolve",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=16M",
                "--innodb-log-file-size=8M",
                "--performance-schema=off",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start mariadbd: {e}"))?;
        let mut me = TlsMariadb {
            pki,
            port,
            tmp,
            server,
        };
        wait_until("mariadbd", || {
            matches!(me.server.try_wait(), Ok(None)) && me.sql("SELECT 1").is_ok()
        })
        .map_err(|e| {
            let log = std::fs::read_to_string(me.tmp.path().join("error.log")).unwrap_or_default();
            format!("{e}\n{log}")
        })?;
        me.sql(&format!(
            "CREATE USER 'plain'@'%'; GRANT ALL ON *.* TO 'plain'@'%'; \
             CREATE USER '{CERT_USER}'@'%' REQUIRE X509; GRANT ALL ON *.* TO '{CERT_USER}'@'%'"
        ))?;
        Ok(me)
    }

    /// Statements as root over the Unix socket; the output (tab-separated,
    /// no column names).
    pub fn sql(&self, sql: &str) -> Result<String, String> {
        run(command("mariadb")
            .arg("--no-defaults")
            .arg(format!(
                "--socket={}",
                self.tmp.path().join("sock").display()
            ))
            .args(["-uroot", "-N", "-B", "-e", sql]))
    }

    pub fn create_db(&self, name: &str) -> Result<(), String> {
        self.sql(&format!("CREATE DATABASE {name}")).map(drop)
    }

    /// The version table's rows, or `<no version table>`.
    pub fn versions(&self, db: &str) -> String {
        self.sql(&format!(
            "SELECT version_num FROM {db}.alembic_version ORDER BY 1"
        ))
        .unwrap_or_else(|_| "<no version table>".into())
    }
}

impl Drop for TlsMariadb {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
