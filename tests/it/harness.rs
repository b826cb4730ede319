//! Real database servers for the integration tests: no mocks.
//!
//! * [`postgres`] gives a test its own database (`CREATE DATABASE`) on a throwaway
//!   PostgreSQL cluster that this test process starts once (initdb into a temporary
//!   folder, a free port on 127.0.0.1, password authentication over TCP), or on the
//!   server named by `ZEROGAP_TEST_DATABASE_URL`.
//! * [`timescale`] gives a test its own schema (`CREATE SCHEMA`) on a TimescaleDB
//!   server: PGlite with TimescaleDB (`tests/timescale/server.mjs`, run with node,
//!   started once per test process, on first use), or the server named by
//!   `ZEROGAP_TEST_TIMESCALE_URL`. PGlite serves one connection at a time and one
//!   database, so PGlite tests are serialised: the [`TestDb`] holds a process-wide
//!   lock until it is dropped. A test must not hold two connections at once, and the
//!   tool under test must be run with `--max-connections 1` against it. All PGlite
//!   connections share one backend session: see [`Conn`].
//!
//! * [`pgbouncer`] gives a PgBouncer in transaction pooling mode (`pool_mode =
//!   transaction`) in front of that PostgreSQL server: started once per test process,
//!   on first use, on a free port on 127.0.0.1, with a wildcard database entry so each
//!   test's own database is reachable through it ([`Bouncer::url`]).
//!
//! Servers this process started are stopped when it exits (an `atexit` hook, in the
//! reverse order of their start), and, should it die without exiting (a signal, an
//! abort), by a watchdog that notices the end of a pipe: a small shell process for
//! PostgreSQL and PgBouncer, the node server itself for PGlite.
//!
//! When a server cannot be had, the test is skipped with a loud `SKIPPED` line on
//! stderr, and fails instead when `CI=true` or when the server was named by one of the
//! environment variables above.
#![allow(dead_code)] // each test binary uses part of the harness

use std::env;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, Once, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Environment variable naming an existing PostgreSQL server (a superuser URL) to use
/// instead of starting one.
pub const DATABASE_URL_ENV: &str = "ZEROGAP_TEST_DATABASE_URL";
/// Environment variable naming an existing TimescaleDB server (a superuser URL) to use
/// instead of starting PGlite.
pub const TIMESCALE_URL_ENV: &str = "ZEROGAP_TEST_TIMESCALE_URL";

/// Superuser of the clusters the harness starts.
pub const USER: &str = "postgres";
/// Password of [`USER`] on the PostgreSQL cluster the harness starts; TCP connections
/// must give it (scram-sha-256).
pub const PG_PASSWORD: &str = "zg-test-secret-7f3a";
/// Password for PGlite (which accepts any).
pub const PGLITE_PASSWORD: &str = "postgres";

const PG_START_TIMEOUT: Duration = Duration::from_secs(60);
const PGLITE_START_TIMEOUT: Duration = Duration::from_secs(180);
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// Which kind of server a [`TestDb`] lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Plain PostgreSQL; the test owns a whole database, its objects go in `public`.
    Postgres,
    /// TimescaleDB; the test owns a schema in a shared database.
    Timescale,
}

/// A database (or schema) that belongs to one test. Dropping it removes the test's
/// objects where other tests could see them, and releases the PGlite lock.
pub struct TestDb {
    pub flavor: Flavor,
    /// libpq URL of the test's database, with the password (and `sslmode=disable`
    /// for PGlite).
    pub url: String,
    /// Where the test's objects go: `public` for PostgreSQL, a unique schema for
    /// TimescaleDB.
    pub schema: String,
    /// The database `url` connects to (`current_database()`).
    pub database: String,
    /// The password in `url`, if any (to check that it never leaks into output).
    pub password: Option<String>,
    /// PGlite: every connection is the same backend session.
    shared_session: bool,
    admin_url: String,
    /// Run by `Drop` on an administrative connection.
    cleanup_sql: Option<String>,
    /// Dropped after `cleanup_sql` ran (fields drop after `Drop::drop`).
    _serial: Option<SerialGuard>,
}

/// A test's own database on PostgreSQL, or `None` (after a loud `SKIPPED` line) when
/// no server can be had outside CI.
pub fn postgres(test_name: &str) -> Option<TestDb> {
    let server = server(&POSTGRES, "postgres", test_name, start_postgres)?;
    let database = unique_name(test_name);
    server.admin_exec(&format!("CREATE DATABASE {}", quote_ident(&database)));
    // On a throwaway cluster the database goes with the cluster; on a shared
    // server it is dropped with the TestDb.
    let cleanup_sql = server.external.then(|| {
        format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&database)
        )
    });
    Some(TestDb {
        flavor: Flavor::Postgres,
        url: with_dbname(&server.admin_url, &database),
        schema: "public".to_string(),
        database,
        password: server.password.clone(),
        shared_session: false,
        admin_url: server.admin_url.clone(),
        cleanup_sql,
        _serial: None,
    })
}

/// A test's own schema on TimescaleDB, or `None` (after a loud `SKIPPED` line) when
/// no server can be had outside CI. On PGlite the returned value holds a process-wide
/// lock: other timescale tests wait until it is dropped.
pub fn timescale(test_name: &str) -> Option<TestDb> {
    let server = server(&TIMESCALE, "timescale", test_name, start_timescale)?;
    let serial = server.shared_session.then(SerialGuard::acquire);
    let schema = unique_name(test_name);
    server.admin_exec(&format!("CREATE SCHEMA {}", quote_ident(&schema)));
    Some(TestDb {
        flavor: Flavor::Timescale,
        url: server.admin_url.clone(),
        cleanup_sql: Some(format!(
            "DROP SCHEMA IF EXISTS {} CASCADE",
            quote_ident(&schema)
        )),
        schema,
        database: server.database.clone(),
        password: server.password.clone(),
        shared_session: server.shared_session,
        admin_url: server.admin_url.clone(),
        _serial: serial,
    })
}

impl TestDb {
    /// A new connection to the test's database with `search_path` set to the test's
    /// schema (then `public`, where the timescaledb extension lives). On PGlite, drop
    /// it before anything else connects, or that will wait (for at most 60 s).
    pub fn connect(&self) -> Conn {
        let mut conn = Conn::open(&self.url, self.shared_session).unwrap_or_else(|e| {
            panic!("cannot connect to {}: {}", redact(&self.url), describe(&e))
        });
        let sql = self.search_path_sql();
        conn.batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{sql}: {}", describe(&e)));
        conn
    }

    /// Runs one or more SQL statements in the test's schema; panics with the server's
    /// message on error. The connection is closed before this returns.
    pub fn exec(&self, sql: &str) {
        let mut conn = self.connect();
        let result = conn.batch_execute(sql);
        conn.close();
        if let Err(e) = result {
            panic!(
                "SQL failed: {}\n--- SQL ---\n{}",
                describe(&e),
                sql.trim_end()
            );
        }
    }

    /// Runs one query (simple protocol, so every value arrives as text, `None` for
    /// NULL) in the test's schema and returns its rows. The connection is closed
    /// before this returns.
    pub fn query_strings(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let mut conn = self.connect();
        let result = conn.simple_query(sql);
        conn.close();
        let messages = result.unwrap_or_else(|e| {
            panic!(
                "query failed: {}\n--- SQL ---\n{}",
                describe(&e),
                sql.trim_end()
            )
        });
        messages
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => Some(
                    (0..row.len())
                        .map(|i| row.get(i).map(str::to_string))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    /// The single value of a query that returns one row with one column.
    pub fn query_one_string(&self, sql: &str) -> Option<String> {
        let rows = self.query_strings(sql);
        assert!(
            rows.len() == 1 && rows[0].len() == 1,
            "expected one row with one column, got {rows:?}\n--- SQL ---\n{sql}"
        );
        rows.into_iter().next().unwrap().into_iter().next().unwrap()
    }

    /// The contract text with its top-level `schema: public` line pointing at the
    /// test's schema (see [`rewrite_contract_schema`]), so one contract works on both
    /// flavours.
    pub fn contract(&self, yaml: &str) -> String {
        rewrite_contract_schema(yaml, &self.schema)
    }

    /// Reads a SQL file (path relative to the repository root) and runs it with
    /// [`TestDb::exec`]. psql meta-commands (`\set`, `\copy`, ...) are not supported.
    pub fn load_fixture(&self, path_relative_to_repo: &str) {
        let path = repo_root().join(path_relative_to_repo);
        let sql = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()));
        let mut conn = self.connect();
        let result = conn.batch_execute(&sql);
        conn.close();
        if let Err(e) = result {
            panic!("fixture {path_relative_to_repo} failed: {}", describe(&e));
        }
    }

    fn search_path_sql(&self) -> String {
        if self.schema == "public" {
            "SET search_path = public".to_string()
        } else {
            format!("SET search_path = {}, public", quote_ident(&self.schema))
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(sql) = self.cleanup_sql.take() else {
            return;
        };
        let result = Conn::open(&self.admin_url, self.shared_session).and_then(|mut conn| {
            let result = conn.batch_execute(&sql);
            conn.close();
            result
        });
        if let Err(e) = result {
            // Never panic here: this may run while a failed test unwinds.
            write_stderr(&format!(
                "zerogap test harness: cleanup `{sql}` failed: {}\n",
                describe(&e)
            ));
        }
    }
}

/// A connection opened by the harness; derefs to [`postgres::Client`].
///
/// On PGlite every connection is the same backend session: settings (`SET`, such as
/// the tool's `default_transaction_read_only`), prepared statements (tokio-postgres
/// names them `s0`, `s1`, ... in every process) and temporary tables pass from one
/// client to the next. So there a `Conn` starts and ends with `ROLLBACK; DISCARD ALL`
/// (and `search_path` back to PostgreSQL's default).
pub struct Conn {
    client: Option<postgres::Client>,
    shared_session: bool,
}

impl Conn {
    fn open(url: &str, shared_session: bool) -> Result<Conn, postgres::Error> {
        let mut client = connect(url)?;
        if shared_session {
            reset_session(&mut client)?;
        }
        Ok(Conn {
            client: Some(client),
            shared_session,
        })
    }

    /// Closes the connection (as dropping it does).
    pub fn close(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        if let Some(mut client) = self.client.take() {
            if self.shared_session {
                let _ = reset_session(&mut client);
            }
            let _ = client.close();
        }
    }
}

impl std::ops::Deref for Conn {
    type Target = postgres::Client;
    fn deref(&self) -> &postgres::Client {
        self.client.as_ref().expect("open connection")
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut postgres::Client {
        self.client.as_mut().expect("open connection")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.finish();
    }
}

fn reset_session(client: &mut postgres::Client) -> Result<(), postgres::Error> {
    // Separate statements: DISCARD ALL cannot run in a (multi-statement) block, and
    // ROLLBACK outside a transaction is only a warning.
    client.batch_execute("ROLLBACK")?;
    client.batch_execute("DISCARD ALL")?;
    // PGlite's reset value is `pg_catalog` (set on its command line); a PostgreSQL
    // server's default is this.
    client.batch_execute("SET search_path = \"$user\", public")
}

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Rewrites the top-level `schema: public` line of a contract (comments and quotes
/// allowed) into `schema: <schema>`. A contract without a top-level `schema:` key gets
/// one before its first top-level key, unless `schema` is `public` (the default).
/// Names qualified as `public.x` inside the contract are left alone.
pub fn rewrite_contract_schema(yaml: &str, schema: &str) -> String {
    let mut out = String::with_capacity(yaml.len() + schema.len());
    let mut seen_schema = false;
    let mut insert_at = None;
    for line in yaml.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("schema:") {
            seen_schema = true;
            let (value, comment) = match rest.find(" #") {
                Some(i) => {
                    let value = rest[..i].trim_end();
                    (value, &rest[value.len()..])
                }
                None => (rest, ""),
            };
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            if value == "public" {
                let eol = if line.ends_with("\r\n") {
                    "\r\n"
                } else if line.ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                let comment = comment.trim_end_matches(['\r', '\n']);
                let _ = write!(out, "schema: {schema}{comment}{eol}");
                continue;
            }
        } else if insert_at.is_none() && is_top_level_key(line) {
            insert_at = Some(out.len());
        }
        out.push_str(line);
    }
    if !seen_schema && schema != "public" {
        let line = format!("schema: {schema}\n");
        match insert_at {
            Some(at) => out.insert_str(at, &line),
            None => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&line);
            }
        }
    }
    out
}

fn is_top_level_key(line: &str) -> bool {
    let first = line.chars().next();
    matches!(first, Some(c) if !c.is_whitespace() && c != '#' && c != '-' && c != '%' && c != '.')
        && line.contains(':')
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `url` with its database replaced by `dbname` (URL or `key=value` form).
pub fn with_dbname(url: &str, dbname: &str) -> String {
    match url.find("://") {
        Some(scheme_end) => {
            let start = scheme_end + 3;
            let rest = &url[start..];
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let after = &rest[authority_end..];
            let query = after.find('?').map_or("", |i| &after[i..]);
            format!(
                "{}{}/{dbname}{query}",
                &url[..start],
                &rest[..authority_end]
            )
        }
        None => format!("{url} dbname={dbname}"),
    }
}

// ---------------------------------------------------------------------------------
// Servers

struct Server {
    /// URL of a superuser connection to the maintenance database.
    admin_url: String,
    /// `current_database()` of `admin_url`.
    database: String,
    password: Option<String>,
    /// Named by an environment variable, shared with others: clean up after tests.
    external: bool,
    /// PGlite: one connection at a time, one session for all (see [`Conn`]); tests
    /// are serialised.
    shared_session: bool,
    /// Our own cluster serves TLS with a certificate of a test CA (see [`TlsFiles`]).
    tls: Option<TlsFiles>,
}

/// The TLS material of the harness's own PostgreSQL cluster: a CA, the server's certificate
/// for `localhost` only (so `verify-full` to 127.0.0.1 must fail on the name), and another
/// CA that signed nothing the server has.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub wrong_ca: PathBuf,
    pub port: u16,
}

/// Writes a test CA, a server key and certificate for `localhost` signed by it, and a
/// second, unrelated CA into `dir`.
fn make_tls_files(dir: &Path, owner: Option<(u32, u32)>) -> Result<(), String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let err = |e: rcgen::Error| format!("cannot make test certificates: {e}");
    let ca = |name: &str| -> Result<(String, Issuer<'static, KeyPair>), String> {
        let key = KeyPair::generate().map_err(err)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.self_signed(&key).map_err(err)?;
        Ok((cert.pem(), Issuer::new(params, key)))
    };
    let (ca_pem, issuer) = ca("zerogap test CA")?;
    let (wrong_pem, _) = ca("zerogap other CA")?;
    let server_key = KeyPair::generate().map_err(err)?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_cert = params.signed_by(&server_key, &issuer).map_err(err)?;
    let write = |name: &str, text: &str, mode: u32| -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    write("ca.pem", &ca_pem, 0o644)?;
    write("wrong-ca.pem", &wrong_pem, 0o644)?;
    write("server.crt", &server_cert.pem(), 0o644)?;
    // PostgreSQL refuses a key readable by others.
    write("server.key", &server_key.serialize_pem(), 0o600)?;
    Ok(())
}

/// A test database on the harness's own PostgreSQL and its TLS material; `None` (after the
/// usual SKIPPED line, or a failure under CI) when the server is an external one.
pub fn postgres_tls(test_name: &str) -> Option<(TestDb, TlsFiles)> {
    let db = postgres(test_name)?;
    let server = POSTGRES.get().and_then(|r| r.as_ref().ok())?;
    match &server.tls {
        Some(t) => Some((db, t.clone())),
        None => {
            unavailable(
                "TLS server",
                test_name,
                "the PostgreSQL server is external (ZEROGAP_TEST_DATABASE_URL); TLS tests need the harness's own cluster",
            );
            None
        }
    }
}

impl Server {
    fn admin_exec(&self, sql: &str) {
        let mut conn = Conn::open(&self.admin_url, self.shared_session).unwrap_or_else(|e| {
            panic!(
                "cannot connect to {}: {}",
                redact(&self.admin_url),
                describe(&e)
            )
        });
        let result = conn.batch_execute(sql);
        conn.close();
        if let Err(e) = result {
            panic!("{sql}: {}", describe(&e));
        }
    }
}

struct StartError {
    reason: String,
    /// Fail the test even outside CI (the user named this server).
    fatal: bool,
}

impl StartError {
    fn skip(reason: impl Into<String>) -> Self {
        StartError {
            reason: reason.into(),
            fatal: false,
        }
    }
}

static POSTGRES: OnceLock<Result<Server, StartError>> = OnceLock::new();
static TIMESCALE: OnceLock<Result<Server, StartError>> = OnceLock::new();

fn server(
    cell: &'static OnceLock<Result<Server, StartError>>,
    what: &str,
    test_name: &str,
    start: fn() -> Result<Server, StartError>,
) -> Option<&'static Server> {
    match cell.get_or_init(start) {
        Ok(server) => Some(server),
        Err(err) => {
            if err.fatal || in_ci() {
                panic!("no {what} server for this test: {}", err.reason);
            }
            write_stderr(&format!(
                "\n*** SKIPPED (no {what}): {} [test {test_name}] ***\n\n",
                err.reason
            ));
            None
        }
    }
}

/// For a test that needs something other than a database server (a browser, ...):
/// panics under CI, else prints a loud `SKIPPED` line, like a missing server does.
/// The caller returns after it.
pub fn unavailable(what: &str, test_name: &str, reason: &str) {
    if in_ci() {
        panic!("no {what} for this test: {reason}");
    }
    write_stderr(&format!(
        "\n*** SKIPPED (no {what}): {reason} [test {test_name}] ***\n\n"
    ));
}

fn in_ci() -> bool {
    env::var("CI").is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"))
}

fn announce(message: &str) {
    write_stderr(&format!("zerogap test harness: {message}\n"));
}

/// Straight to the process's stderr, in one write: libtest's capture only sees
/// `eprintln!`, and this must be seen.
fn write_stderr(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn unique_name(test_name: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut base: String = test_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    base.truncate(36);
    // pid: tests of other processes may share an external server.
    format!("zg_{base}_{}_{n}", std::process::id())
}

fn connect(url: &str) -> Result<postgres::Client, postgres::Error> {
    let mut config: postgres::Config = url.parse()?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(30));
    }
    config.connect(postgres::NoTls)
}

/// The error with the server's message, detail, hint and position when there is one.
fn describe(err: &postgres::Error) -> String {
    let Some(db) = err.as_db_error() else {
        return err.to_string();
    };
    let mut s = format!(
        "{}: {} (SQLSTATE {})",
        db.severity(),
        db.message(),
        db.code().code()
    );
    if let Some(detail) = db.detail() {
        let _ = write!(s, "\nDETAIL: {detail}");
    }
    if let Some(hint) = db.hint() {
        let _ = write!(s, "\nHINT: {hint}");
    }
    if let Some(where_) = db.where_() {
        let _ = write!(s, "\nWHERE: {where_}");
    }
    if let Some(position) = db.position() {
        let _ = write!(s, "\nPOSITION: {position:?}");
    }
    s
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!("{}:***{}", &url[..scheme_end + 3 + colon], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn password_of(url: &str) -> Option<String> {
    let config: postgres::Config = url.parse().ok()?;
    config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned())
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| format!("cannot bind a port on 127.0.0.1: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn tail(path: &Path, lines: usize) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A server process this test process started, and how to stop it.
/// Waits until the server `owned` runs accepts a connection to `url`. On failure it is
/// stopped; the error says whether another port may work (its log names a port in use).
fn wait_ready(
    owned: &mut Owned,
    what: &str,
    url: &str,
    log_path: &Path,
    timeout: Duration,
    port_taken: &[&str],
) -> Result<(), (String, bool)> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = owned.child.try_wait() {
            let log = tail(log_path, 20);
            owned.stop();
            let retry = port_taken.iter().any(|p| log.contains(p));
            return Err((format!("{what} exited ({status}):\n{log}"), retry));
        }
        match connect(url) {
            Ok(client) => {
                let _ = client.close();
                return Ok(());
            }
            Err(e) if Instant::now() > deadline => {
                owned.stop();
                return Err((
                    format!(
                        "{what} did not accept connections within {timeout:?}: {}\n{}",
                        describe(&e),
                        tail(log_path, 20)
                    ),
                    false,
                ));
            }
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

struct Owned {
    child: Child,
    stop_signal: libc::c_int,
    /// Stops `child` if this process dies without running its exit hook.
    watchdog: Option<Child>,
    /// Removed once `child` is gone.
    dir: Option<PathBuf>,
}

static OWNED: Mutex<Vec<Owned>> = Mutex::new(Vec::new());

fn own(server: Owned) {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn()`; it does not unwind.
        unsafe {
            libc::atexit(stop_owned_servers);
        }
    });
    OWNED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(server);
}

extern "C" fn stop_owned_servers() {
    let mut owned = OWNED.lock().unwrap_or_else(PoisonError::into_inner);
    // Last started, first stopped: PgBouncer before the PostgreSQL behind it.
    for mut server in owned.drain(..).rev() {
        server.stop();
    }
}

impl Owned {
    fn stop(&mut self) {
        if let Some(watchdog) = self.watchdog.as_mut() {
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
        stop_child(&mut self.child, self.stop_signal);
        if let Some(dir) = &self.dir {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn stop_child(child: &mut Child, signal: libc::c_int) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) on our own child, which has not been reaped yet.
        unsafe {
            libc::kill(pid, signal);
        }
    }
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) => thread::sleep(Duration::from_millis(20)),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

// ---------------------------------------------------------------------------------
// PostgreSQL

fn start_postgres() -> Result<Server, StartError> {
    if let Ok(url) = env::var(DATABASE_URL_ENV) {
        return external_server(&url, DATABASE_URL_ENV, false);
    }
    let started = Instant::now();
    let bindir = pg_bindir().map_err(StartError::skip)?;
    let owner = postgres_os_user().map_err(StartError::skip)?;
    let dir = tempfile::Builder::new()
        .prefix("zerogap-pg-")
        .tempdir()
        .map_err(|e| StartError::skip(format!("cannot make a temporary folder: {e}")))?
        .keep();
    match init_and_start_cluster(&bindir, owner, &dir) {
        Ok((server, port)) => {
            announce(&format!(
                "PostgreSQL ({}) ready on 127.0.0.1:{port} in {:.1}s",
                bindir.display(),
                started.elapsed().as_secs_f64()
            ));
            Ok(server)
        }
        Err(reason) => {
            let _ = fs::remove_dir_all(&dir);
            Err(StartError::skip(reason))
        }
    }
}

fn pg_bindir() -> Result<PathBuf, String> {
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .map_err(|e| {
            format!("pg_config not found ({e}): install the PostgreSQL server (apt-get install postgresql)")
        })?;
    if !output.status.success() {
        return Err(format!("pg_config --bindir failed: {}", output.status));
    }
    let bindir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    for program in ["initdb", "postgres"] {
        if !bindir.join(program).is_file() {
            return Err(format!(
                "{} not found: install the PostgreSQL server (apt-get install postgresql)",
                bindir.join(program).display()
            ));
        }
    }
    Ok(bindir)
}

/// `Some((uid, gid))` of the `postgres` OS user when we are root (PostgreSQL refuses
/// to run as root), `None` otherwise.
fn postgres_os_user() -> Result<Option<(u32, u32)>, String> {
    // SAFETY: geteuid(2) cannot fail and has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let id = |flag: &str| -> Result<u32, String> {
        let output = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .map_err(|e| format!("cannot run id: {e}"))?;
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                "running as root and there is no `postgres` OS user to run the server as"
                    .to_string()
            })
    };
    Ok(Some((id("-u")?, id("-g")?)))
}

fn as_owner(command: &mut Command, owner: Option<(u32, u32)>, dir: &Path) {
    if let Some((uid, gid)) = owner {
        // std also drops the supplementary groups when it sets the uid.
        command.uid(uid).gid(gid);
    }
    command.current_dir(dir);
    for (key, _) in env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            command.env_remove(key);
        }
    }
    command.env("LC_ALL", "C");
}

fn init_and_start_cluster(
    bindir: &Path,
    owner: Option<(u32, u32)>,
    dir: &Path,
) -> Result<(Server, u16), String> {
    let pwfile = dir.join("pwfile");
    fs::write(&pwfile, format!("{PG_PASSWORD}\n")).map_err(|e| e.to_string())?;
    if let Some((uid, gid)) = owner {
        for path in [dir, pwfile.as_path()] {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("cannot chown {}: {e}", path.display()))?;
        }
    }
    let data = dir.join("data");
    let mut initdb = Command::new(bindir.join("initdb"));
    initdb
        .arg("--pgdata")
        .arg(&data)
        .args(["--username", USER, "--pwfile"])
        .arg(&pwfile)
        .args([
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        ])
        .stdin(Stdio::null());
    as_owner(&mut initdb, owner, dir);
    let output = initdb
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "initdb failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let _ = fs::remove_file(&pwfile);
    make_tls_files(dir, owner)?;

    // A free port can be taken by someone else before the server binds it: retry.
    let mut last_error = String::new();
    for _ in 0..5 {
        let port = free_port()?;
        match start_cluster(bindir, owner, dir, &data, port) {
            Ok(server) => return Ok((server, port)),
            Err((error, retry)) => {
                last_error = error;
                if !retry {
                    break;
                }
            }
        }
    }
    Err(last_error)
}

/// Stops the server whose pid is $1 (with signal $3, INT if not given) and removes the
/// folder $2 once standard input reaches end-of-file, which happens when the test
/// process is gone however it ended.
const PG_WATCHDOG: &str = r#"
trap '' INT TERM HUP
cat >/dev/null 2>&1
kill -"${3:-INT}" "$1" 2>/dev/null
i=0
while kill -0 "$1" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 150 ]; then kill -KILL "$1" 2>/dev/null; break; fi
  sleep 0.1
done
rm -rf "$2"
"#;

fn start_cluster(
    bindir: &Path,
    owner: Option<(u32, u32)>,
    dir: &Path,
    data: &Path,
    port: u16,
) -> Result<Server, (String, bool)> {
    let log_path = dir.join("postgres.log");
    let log = File::create(&log_path).map_err(|e| (e.to_string(), false))?;
    let log2 = log.try_clone().map_err(|e| (e.to_string(), false))?;
    let mut command = Command::new(bindir.join("postgres"));
    command
        .arg("-D")
        .arg(data)
        .arg("-p")
        .arg(port.to_string())
        .arg("-c")
        .arg(format!("unix_socket_directories={}", dir.display()))
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=64MB",
            // TLS with the test CA's certificate (tests/it/tls.rs); plain connections stay
            // allowed, as on most servers.
            "-c",
            "ssl=on",
            // Every statement a session runs, for the read-only proof (tests/it/readonly.rs).
            "-c",
            "shared_preload_libraries=pg_stat_statements",
            "-c",
            "pg_stat_statements.track=all",
        ])
        .arg("-c")
        .arg(format!(
            "ssl_cert_file={}",
            dir.join("server.crt").display()
        ))
        .arg("-c")
        .arg(format!("ssl_key_file={}", dir.join("server.key").display()))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        // Its own process group: a Ctrl-C at the terminal reaches the test process,
        // whose watchdog then stops the server and removes its files.
        .process_group(0);
    as_owner(&mut command, owner, dir);
    let mut child = command
        .spawn()
        .map_err(|e| (format!("cannot start postgres: {e}"), false))?;

    let watchdog = Command::new("sh")
        .arg("-c")
        .arg(PG_WATCHDOG)
        .arg("zerogap-pg-watchdog")
        .arg(child.id().to_string())
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
    let watchdog = match watchdog {
        Ok(w) => w,
        Err(e) => {
            stop_child(&mut child, libc::SIGINT);
            return Err((format!("cannot start the watchdog (sh): {e}"), false));
        }
    };
    let mut owned = Owned {
        child,
        stop_signal: libc::SIGINT,
        watchdog: Some(watchdog),
        dir: None,
    };

    let admin_url = format!("postgresql://{USER}:{PG_PASSWORD}@127.0.0.1:{port}/postgres");
    wait_ready(
        &mut owned,
        "postgres",
        &admin_url,
        &log_path,
        PG_START_TIMEOUT,
        &["could not bind", "already in use"],
    )?;
    owned.dir = Some(dir.to_path_buf());
    own(owned);
    Ok(Server {
        admin_url,
        database: "postgres".to_string(),
        password: Some(PG_PASSWORD.to_string()),
        external: false,
        shared_session: false,
        tls: Some(TlsFiles {
            ca: dir.join("ca.pem"),
            wrong_ca: dir.join("wrong-ca.pem"),
            port,
        }),
    })
}

fn external_server(url: &str, var: &str, timescale: bool) -> Result<Server, StartError> {
    let fatal = |reason: String| StartError {
        reason: format!("{var} is set but {reason}"),
        fatal: true,
    };
    let mut client =
        connect(url).map_err(|e| fatal(format!("cannot connect: {}", describe(&e))))?;
    if timescale {
        client
            .batch_execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
            .map_err(|e| fatal(format!("has no timescaledb: {}", describe(&e))))?;
    }
    let database = current_database(&mut client).map_err(fatal)?;
    let _ = client.close();
    Ok(Server {
        admin_url: url.to_string(),
        database,
        password: password_of(url),
        external: true,
        shared_session: false,
        tls: None,
    })
}

fn current_database(client: &mut postgres::Client) -> Result<String, String> {
    client
        .query_one("SELECT current_database()::text", &[])
        .map(|row| row.get(0))
        .map_err(|e| format!("SELECT current_database() failed: {}", describe(&e)))
}

// ---------------------------------------------------------------------------------
// PgBouncer

const BOUNCER_START_TIMEOUT: Duration = Duration::from_secs(30);

/// The PgBouncer of this test process (see [`pgbouncer`]).
pub struct Bouncer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its log (stdout and stderr): one `login attempt: db=... user=...` line a client.
    pub log: PathBuf,
    user: String,
    password: Option<String>,
}

/// The PgBouncer (transaction pooling) in front of the harness's PostgreSQL server (or
/// the one `ZEROGAP_TEST_DATABASE_URL` names), started on first use; `None` (after the
/// usual SKIPPED line, or a failure under CI) when there is no server or no pgbouncer.
pub fn pgbouncer(test_name: &str) -> Option<&'static Bouncer> {
    static BOUNCER: OnceLock<Result<Bouncer, String>> = OnceLock::new();
    let upstream = server(&POSTGRES, "postgres", test_name, start_postgres)?;
    match BOUNCER.get_or_init(|| start_bouncer(upstream)) {
        Ok(bouncer) => Some(bouncer),
        Err(reason) => {
            unavailable("pgbouncer", test_name, reason);
            None
        }
    }
}

impl Bouncer {
    /// libpq URL of the test's database through the bouncer (same user and password as
    /// [`TestDb::url`]).
    pub fn url(&self, db: &TestDb) -> String {
        self.url_for(&db.database)
    }

    /// Runs one command on the admin console (`SHOW STATS`, `SHOW POOLS`, `SHOW
    /// CONFIG`, ...) and returns its rows as column name → value. The console speaks
    /// only the simple query protocol.
    pub fn show(&self, command: &str) -> Vec<std::collections::BTreeMap<String, Option<String>>> {
        let url = self.url_for("pgbouncer");
        let mut client = connect(&url).unwrap_or_else(|e| {
            panic!(
                "cannot connect to the pgbouncer console {}: {}",
                redact(&url),
                describe(&e)
            )
        });
        let messages = client
            .simple_query(command)
            .unwrap_or_else(|e| panic!("{command} on the pgbouncer console: {}", describe(&e)));
        let _ = client.close();
        messages
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(row) => Some(
                    row.columns()
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c.name().to_string(), row.get(i).map(str::to_string)))
                        .collect(),
                ),
                _ => None,
            })
            .collect()
    }

    /// Everything pgbouncer logged so far.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn url_for(&self, database: &str) -> String {
        let userinfo = match &self.password {
            Some(p) => format!("{}:{}", percent_encode(&self.user), percent_encode(p)),
            None => percent_encode(&self.user),
        };
        format!(
            "postgresql://{userinfo}@127.0.0.1:{}/{}",
            self.port,
            percent_encode(database)
        )
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `pgbouncer` on PATH, else Debian's /usr/sbin/pgbouncer (not on a user's PATH).
fn pgbouncer_binary() -> Result<PathBuf, String> {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .map(|dir| dir.join("pgbouncer"))
        .chain([PathBuf::from("/usr/sbin/pgbouncer")])
        .find(|p| p.is_file())
        .ok_or_else(|| {
            "pgbouncer not found on PATH nor at /usr/sbin/pgbouncer: install it (apt-get install pgbouncer)"
                .to_string()
        })
}

/// A field of pgbouncer's auth file: in double quotes, double quotes doubled.
fn auth_file_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A value in a pgbouncer connection string: in single quotes, single quotes doubled.
fn connstr_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn start_bouncer(upstream: &Server) -> Result<Bouncer, String> {
    let started = Instant::now();
    let binary = pgbouncer_binary()?;
    // Where the upstream server is, and who the admin is, from its URL.
    let config: postgres::Config = upstream
        .admin_url
        .parse()
        .map_err(|e| format!("cannot parse the server's URL: {e}"))?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".to_string(),
    };
    let upstream_port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config
        .get_user()
        .ok_or("the server's URL names no user")?
        .to_string();
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    // pgbouncer refuses to run as root: as the `postgres` OS user then, like the server.
    let owner = postgres_os_user()?;
    let dir = tempfile::Builder::new()
        .prefix("zerogap-pgbouncer-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary folder: {e}"))?
        .keep();
    let result = write_bouncer_files(
        &dir,
        owner,
        &host,
        upstream_port,
        &user,
        password.as_deref(),
    )
    .and_then(|()| {
        // A free port can be taken by someone else before pgbouncer binds it: retry.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            match spawn_bouncer(&binary, owner, &dir, port, &user, password.as_deref()) {
                Ok(bouncer) => return Ok(bouncer),
                Err((error, retry)) => {
                    last_error = error;
                    if !retry {
                        break;
                    }
                }
            }
        }
        Err(last_error)
    });
    match result {
        Ok(bouncer) => {
            announce(&format!(
                "PgBouncer ({}, transaction pooling) ready on 127.0.0.1:{} in front of {host}:{upstream_port} in {:.1}s",
                binary.display(),
                bouncer.port,
                started.elapsed().as_secs_f64()
            ));
            Ok(bouncer)
        }
        Err(reason) => {
            let _ = fs::remove_dir_all(&dir);
            Err(reason)
        }
    }
}

/// The auth file (the admin's password in plain text: a throwaway server's) and the
/// part of the configuration that does not depend on the port.
fn write_bouncer_files(
    dir: &Path,
    owner: Option<(u32, u32)>,
    host: &str,
    port: u16,
    user: &str,
    password: Option<&str>,
) -> Result<(), String> {
    let userlist = dir.join("userlist.txt");
    fs::write(
        &userlist,
        format!(
            "{} {}\n",
            auth_file_quote(user),
            auth_file_quote(password.unwrap_or(""))
        ),
    )
    .map_err(|e| format!("cannot write {}: {e}", userlist.display()))?;
    if let Some((uid, gid)) = owner {
        for path in [dir, userlist.as_path()] {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("cannot chown {}: {e}", path.display()))?;
        }
    }
    // Clients log in with SCRAM, pgbouncer logs in to the server with the password
    // from the auth file (SCRAM too, as the cluster's host auth asks); a server named
    // without a password must trust us.
    let auth_type = if password.is_some() {
        "scram-sha-256"
    } else {
        "trust"
    };
    let ini = format!(
        "[databases]\n\
         ; every database, under the name the client asks for\n\
         * = host={host} port={port}\n\
         \n\
         [pgbouncer]\n\
         pool_mode = transaction\n\
         listen_addr = 127.0.0.1\n\
         listen_port = @PORT@\n\
         unix_socket_dir =\n\
         auth_type = {auth_type}\n\
         auth_file = {userlist}\n\
         admin_users = {user}\n\
         stats_users = {user}\n\
         max_client_conn = 200\n\
         default_pool_size = 20\n\
         server_tls_sslmode = prefer\n\
         log_connections = 1\n\
         log_disconnections = 1\n\
         log_pooler_errors = 1\n",
        host = connstr_quote(host),
        userlist = dir.join("userlist.txt").display(),
    );
    fs::write(dir.join("pgbouncer.ini.in"), ini).map_err(|e| e.to_string())
}

fn spawn_bouncer(
    binary: &Path,
    owner: Option<(u32, u32)>,
    dir: &Path,
    port: u16,
    user: &str,
    password: Option<&str>,
) -> Result<Bouncer, (String, bool)> {
    let template =
        fs::read_to_string(dir.join("pgbouncer.ini.in")).map_err(|e| (e.to_string(), false))?;
    let ini = dir.join("pgbouncer.ini");
    fs::write(&ini, template.replace("@PORT@", &port.to_string()))
        .map_err(|e| (e.to_string(), false))?;
    let log_path = dir.join("pgbouncer.log");
    let log = File::create(&log_path).map_err(|e| (e.to_string(), false))?;
    let log2 = log.try_clone().map_err(|e| (e.to_string(), false))?;
    let mut command = Command::new(binary);
    command
        .arg(&ini)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .process_group(0);
    as_owner(&mut command, owner, dir);
    let mut child = command
        .spawn()
        .map_err(|e| (format!("cannot start pgbouncer: {e}"), false))?;
    // SIGTERM: immediate shutdown (SIGINT would wait for clients to finish).
    let watchdog = Command::new("sh")
        .arg("-c")
        .arg(PG_WATCHDOG)
        .arg("zerogap-pgbouncer-watchdog")
        .arg(child.id().to_string())
        .arg(dir)
        .arg("TERM")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
    let watchdog = match watchdog {
        Ok(w) => w,
        Err(e) => {
            stop_child(&mut child, libc::SIGTERM);
            return Err((format!("cannot start the watchdog (sh): {e}"), false));
        }
    };
    let mut owned = Owned {
        child,
        stop_signal: libc::SIGTERM,
        watchdog: Some(watchdog),
        dir: None,
    };
    let bouncer = Bouncer {
        port,
        log: log_path.clone(),
        user: user.to_string(),
        password: password.map(str::to_string),
    };
    // Ready when the admin console answers.
    let console = bouncer.url_for("pgbouncer");
    wait_ready(
        &mut owned,
        "pgbouncer",
        &console,
        &log_path,
        BOUNCER_START_TIMEOUT,
        &["Address already in use"],
    )?;
    owned.dir = Some(dir.to_path_buf());
    own(owned);
    Ok(bouncer)
}

// ---------------------------------------------------------------------------------
// TimescaleDB (PGlite)

fn start_timescale() -> Result<Server, StartError> {
    if let Ok(url) = env::var(TIMESCALE_URL_ENV) {
        return external_server(&url, TIMESCALE_URL_ENV, true);
    }
    let started = Instant::now();
    let dir = repo_root().join("tests").join("timescale");
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return Err(StartError::skip(format!(
                "node --version failed: {}",
                o.status
            )));
        }
        Err(e) => {
            return Err(StartError::skip(format!(
                "node not found ({e}): install Node.js 20 or later"
            )));
        }
    }
    if !dir.join("node_modules").is_dir() {
        announce("tests/timescale/node_modules is missing: running npm ci");
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| StartError::skip(format!("cannot run npm ci: {e}")))?;
        if !output.status.success() {
            return Err(StartError::skip(format!(
                "npm ci in tests/timescale failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )));
        }
    }

    let mut child = Command::new("node")
        .arg("server.mjs")
        .arg("0")
        .arg("--watch-stdin")
        .current_dir(&dir)
        .stdin(Stdio::piped()) // kept open until this process ends: see server.mjs
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| StartError::skip(format!("cannot start node: {e}")))?;

    let (tx, rx) = mpsc::channel::<Result<u16, String>>();
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let stderr_tail = std::sync::Arc::new(Mutex::new(Vec::<String>::new()));
    {
        let stderr_tail = stderr_tail.clone();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut t = stderr_tail.lock().unwrap_or_else(PoisonError::into_inner);
                t.push(line);
                if t.len() > 40 {
                    t.remove(0);
                }
            }
        });
    }
    thread::spawn(move || {
        let mut tx = Some(tx);
        // Keep draining after READY so the server never blocks on a full pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(port) = line.strip_prefix("READY ")
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(port.trim().parse().map_err(|_| line.clone()));
            }
        }
        if let Some(tx) = tx {
            let _ = tx.send(Err("server.mjs closed its stdout before READY".into()));
        }
    });

    let mut owned = Owned {
        child,
        stop_signal: libc::SIGTERM,
        watchdog: None,
        dir: None,
    };
    let port = match rx.recv_timeout(PGLITE_START_TIMEOUT) {
        Ok(Ok(port)) => port,
        outcome => {
            owned.stop();
            thread::sleep(Duration::from_millis(100));
            let log = stderr_tail
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .join("\n");
            let what = match outcome {
                Ok(Err(e)) => e,
                _ => format!("no READY within {PGLITE_START_TIMEOUT:?}"),
            };
            return Err(StartError::skip(format!(
                "the PGlite TimescaleDB server did not start: {what}\n{log}"
            )));
        }
    };
    own(owned);
    let admin_url =
        format!("postgresql://{USER}:{PGLITE_PASSWORD}@127.0.0.1:{port}/postgres?sslmode=disable");
    // PGlite answers to any database name with its one database.
    let database = Conn::open(&admin_url, true)
        .map_err(|e| describe(&e))
        .and_then(|mut conn| current_database(&mut conn))
        .map_err(|e| {
            StartError::skip(format!("the PGlite TimescaleDB server is not usable: {e}"))
        })?;
    announce(&format!(
        "TimescaleDB (PGlite) ready on 127.0.0.1:{port} in {:.1}s",
        started.elapsed().as_secs_f64()
    ));
    Ok(Server {
        admin_url,
        database,
        password: Some(PGLITE_PASSWORD.to_string()),
        external: false,
        shared_session: true,
        tls: None,
    })
}

/// Process-wide lock for PGlite tests. Unlike a `MutexGuard`, the guard is `Send`.
struct SerialGuard;

static SERIAL_BUSY: Mutex<bool> = Mutex::new(false);
static SERIAL_FREE: Condvar = Condvar::new();

impl SerialGuard {
    fn acquire() -> SerialGuard {
        let mut busy = SERIAL_BUSY.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy {
            busy = SERIAL_FREE
                .wait(busy)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *busy = true;
        SerialGuard
    }
}

impl Drop for SerialGuard {
    fn drop(&mut self) {
        *SERIAL_BUSY.lock().unwrap_or_else(PoisonError::into_inner) = false;
        SERIAL_FREE.notify_one();
    }
}
