//! Fail closed, and never a password: every way a `check` can fail to read the database
//! (unreachable, authentication, permission, timeout, lost connection, TLS) ends in exit 2
//! with one line naming what was not checked — on stderr and in the report's `not_checked`
//! with `checks.schema == "incomplete"` — while what did run (the contracts, the repository
//! scan) is still reported. Every run goes through `-v` and `-vv` and writes every format
//! to a file; none of stdout, stderr or those files may contain the password, plain or
//! percent-encoded. Connection strings refused before any connection (invalid, unsupported
//! parameter, bad sslmode) exit 2 without a password too.

use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

use crate::harness::{self, Conn, TestDb, quote_ident};
use crate::readonly::{LimitedRole, percent_encode};

/// The password every run carries. `@` and `#` must be percent-encoded in a URL, so the
/// encoded form differs from the plain one.
const SECRET: &str = "s3cr3t-Zg-8472@#";
/// What no output may contain, compared case-insensitively (covers the plain password, its
/// percent-encoded form in either hex case, and any part of it that starts with the stem).
const STEM: &str = "s3cr3t-zg-8472";

fn encoded() -> String {
    percent_encode(SECRET)
}

const CONTRACT: &str = "fixtures/fleet/contract.yaml";

/// Every file format (by position with `--output`); the table goes to stdout.
const FORMATS: &[(&str, &str)] = &[
    ("json", "report.json"),
    ("markdown", "report.md"),
    ("sarif", "report.sarif"),
    ("junit", "report.xml"),
    ("github", "report.github"),
    ("html", "report.html"),
];

const VERBOSITIES: &[&str] = &["-v", "-vv"];

struct Run {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The JSON report file, `Null` when none was written.
    report: Value,
    /// Every file the run wrote: (name, text).
    files: Vec<(String, String)>,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] exit {:?}\n--- stderr ---\n{}--- stdout ---\n{}",
            self.what, self.code, self.stderr, self.stdout
        )
    }
}

/// A repository with one parameterised query on a declared table: the scan has something
/// to report whatever happens to the database.
fn scan_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(dir.path().join("app")).expect("mkdir");
    std::fs::write(
        dir.path().join("app/fleets.py"),
        "def fleet_name(cur, fleet_id):\n    \
         cur.execute(\"SELECT name FROM fleets WHERE fleet_id = %s\", (fleet_id,))\n    \
         return cur.fetchone()\n\n\n\
         def vehicles(cur, fleet_id, status):\n    \
         cur.execute(\"SELECT vehicle_id, vin, status FROM vehicles WHERE fleet_id = %s AND status = %s ORDER BY vehicle_id\", (fleet_id, status))\n    \
         return cur.fetchall()\n",
    )
    .expect("write");
    dir
}

/// `zerogap check` against `db_arg` with the scan on, every format to a file, the table
/// to stdout, and `extra` arguments; checks that no output holds the password.
fn check(what: &str, db_arg: &str, verbose: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let out_dir = tempfile::tempdir().expect("tmp");
    let repo = scan_repo();
    let mut cmd = Command::cargo_bin("zerogap").expect("binary");
    cmd.env_remove("DATABASE_URL")
        .env_remove("PGPASSWORD")
        .env_remove("PGSSLMODE")
        .env_remove("PGSSLROOTCERT")
        .env_remove("PGPASSFILE")
        // No ~/.pgpass of whoever runs the tests.
        .env("HOME", out_dir.path())
        .current_dir(harness::repo_root())
        .timeout(Duration::from_secs(120))
        .args(["check", "--db", db_arg, "--contracts", CONTRACT, "--repo"])
        .arg(repo.path())
        .arg(verbose);
    for (format, file) in FORMATS {
        cmd.args(["--format", format, "--output"])
            .arg(out_dir.path().join(file));
    }
    cmd.args(["--format", "table"]).args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run zerogap");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(out_dir.path()).expect("read dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read output");
        files.push((file_name(&path), text));
    }
    files.sort();
    let report = files
        .iter()
        .find(|(n, _)| n == "report.json")
        .map(|(_, t)| serde_json::from_str(t).expect("the JSON report parses"))
        .unwrap_or(Value::Null);
    let run = Run {
        what: format!("{what} {verbose}"),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report,
        files,
    };
    assert_no_secret(&run);
    run
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn assert_no_secret(run: &Run) {
    let enc = encoded();
    assert!(enc != SECRET && enc.to_ascii_lowercase().contains(STEM));
    let mut outputs = vec![("stdout", run.stdout.as_str()), ("stderr", &run.stderr)];
    outputs.extend(run.files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    for (name, text) in outputs {
        let lower = text.to_ascii_lowercase();
        for needle in [SECRET, &enc, STEM] {
            assert!(
                !lower.contains(&needle.to_ascii_lowercase()),
                "the password (`{needle}`) is in {name} of {run}\n--- {name} ---\n{text}"
            );
        }
    }
}

/// Exit 2, `checks.schema` incomplete with one one-line reason that contains every
/// `expect`, the same line on stderr, and what did run still reported.
fn assert_not_verified(run: &Run, expect: &[&str]) -> String {
    assert_eq!(run.code, Some(2), "{run}");
    let r = &run.report;
    assert_eq!(r["checks"]["schema"], "incomplete", "{run}\n{r:#}");
    let reasons: Vec<&str> = r["not_checked"]
        .as_array()
        .unwrap_or_else(|| panic!("no not_checked: {run}\n{r:#}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}\n{run}");
    let reason = reasons[0];
    assert!(reason.starts_with("schema not checked: "), "{reason}");
    assert!(
        !reason.contains(['\n', '\r']) && reason.len() < 400,
        "not one short line: {reason:?}"
    );
    for e in expect {
        assert!(
            reason.contains(e),
            "`{e}` not in the reason: {reason}\n{run}"
        );
    }
    let said: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("not verified") || l.contains("not checked"))
        .collect();
    assert_eq!(
        said,
        vec![format!("zerogap: not verified: {reason}")],
        "stderr must carry the reason once, on one line: {run}"
    );
    // What did run is reported: the contracts were read and the scan ran.
    assert_eq!(
        r["contracts"],
        serde_json::json!([CONTRACT]),
        "{run}\n{r:#}"
    );
    assert_eq!(r["checks"]["queries"], "passed", "{run}\n{r:#}");
    let queries = r["queries"].as_array().cloned().unwrap_or_default();
    assert!(
        queries
            .iter()
            .any(|q| q["file"] == "app/fleets.py" && q["parameterised"] == true),
        "the scan's query is not in the report: {r:#}"
    );
    // The table on stdout and the Markdown file say so too.
    assert!(run.stdout.contains("NOT VERIFIED"), "{run}");
    assert!(
        run.stdout.contains(&format!("not checked: {reason}")),
        "{run}"
    );
    let md = run
        .files
        .iter()
        .find(|(n, _)| n == "report.md")
        .map(|(_, t)| t.as_str())
        .unwrap_or_default();
    assert!(md.contains("not checked: schema not checked"), "{md}");
    reason.to_string()
}

/// A refused connection string: exit 2, one `zerogap: error:` line on stderr, no report.
fn assert_refused(run: &Run, expect: &str) {
    assert_eq!(run.code, Some(2), "{run}");
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line: {run}");
    assert!(
        lines[0].starts_with("zerogap: error: ") && lines[0].contains(expect),
        "`{expect}` expected: {run}"
    );
}

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn host_port(db: &TestDb) -> (String, u16) {
    let config: postgres::Config = db.url.parse().expect("url");
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        other => panic!("not a TCP host: {other:?}"),
    };
    (host, config.get_ports().first().copied().unwrap_or(5432))
}

/// Takes ACCESS EXCLUSIVE on `vehicles` in an open transaction. zerogap's column read
/// deparses `vehicles.vin_prefix` (a generated column) with `pg_get_expr(adbin, relid)`,
/// which opens the table with ACCESS SHARE, so that read waits on this lock until it is
/// released (the connection closed) or a timeout fires: deterministic, with no sleep.
fn lock_vehicles(db: &TestDb) -> Conn {
    let mut conn = db.connect();
    conn.batch_execute("BEGIN; LOCK TABLE vehicles IN ACCESS EXCLUSIVE MODE")
        .expect("lock vehicles");
    conn
}

#[test]
fn unreachable_host_is_not_verified() {
    let url = format!(
        "postgresql://zg_user:{}@127.0.0.1:{}/app?connect_timeout=5",
        encoded(),
        closed_port()
    );
    for v in VERBOSITIES {
        let run = check("unreachable", &url, v, &[], &[]);
        assert_not_verified(&run, &["cannot connect to the database", "refused"]);
    }
}

#[test]
fn authentication_failure_is_not_verified() {
    let Some(db) = harness::postgres("failclosed_auth") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    let (host, port) = host_port(&db);
    let user = harness::USER;
    let url = format!(
        "postgresql://{user}:{}@{host}:{port}/{}",
        encoded(),
        db.database
    );
    let kv = format!(
        "host={host} port={port} user={user} dbname={} password='{}'",
        db.database,
        SECRET.replace('\\', "\\\\").replace('\'', "\\'")
    );
    let no_password = format!("postgresql://{user}@{host}:{port}/{}", db.database);
    let expect = [
        "cannot connect to the database",
        "password authentication failed",
        "28P01",
    ];
    for v in VERBOSITIES {
        let run = check("wrong password (URL)", &url, v, &[], &[]);
        assert_not_verified(&run, &expect);
        let run = check("wrong password (key=value)", &kv, v, &[], &[]);
        assert_not_verified(&run, &expect);
        let run = check(
            "wrong password (PGPASSWORD)",
            &no_password,
            v,
            &[],
            &[("PGPASSWORD", SECRET)],
        );
        assert_not_verified(&run, &expect);
    }
}

#[test]
fn permission_denied_on_a_catalog_is_not_verified() {
    let Some(db) = harness::postgres("failclosed_catalog_perm") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    let role = LimitedRole::create(&db, "ro", SECRET);
    db.exec(&format!(
        "GRANT SELECT ON schema_migrations TO {}",
        quote_ident(&role.name)
    ));
    // Sanity: the role passes before the catalog is taken away.
    let run = check("catalog readable", &role.url, "-v", &[], &[]);
    assert_eq!(run.code, Some(0), "{run}");
    // pg_constraint is per database: this affects the test's database only.
    db.exec("REVOKE SELECT ON pg_catalog.pg_constraint FROM PUBLIC");
    for v in VERBOSITIES {
        let run = check("pg_constraint revoked", &role.url, v, &[], &[]);
        assert_not_verified(&run, &["permission denied", "pg_constraint", "42501"]);
    }
}

#[test]
fn permission_denied_on_the_migration_table_is_not_verified() {
    let Some(db) = harness::postgres("failclosed_migration_perm") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    // No grant on schema_migrations: the catalogs read fine, the migration version cannot.
    let role = LimitedRole::create(&db, "ro", SECRET);
    for v in VERBOSITIES {
        let run = check("schema_migrations not granted", &role.url, v, &[], &[]);
        assert_not_verified(
            &run,
            &[
                "migration version",
                "permission denied",
                "schema_migrations",
                "42501",
            ],
        );
    }
}

#[test]
fn lock_and_statement_timeouts_are_not_verified() {
    let Some(db) = harness::postgres("failclosed_timeout") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    let role = LimitedRole::create(&db, "ro", SECRET);
    db.exec(&format!(
        "GRANT SELECT ON schema_migrations TO {}",
        quote_ident(&role.name)
    ));
    let lock = lock_vehicles(&db);
    for v in VERBOSITIES {
        let run = check(
            "lock timeout",
            &role.url,
            v,
            &["--lock-timeout", "100ms"],
            &[],
        );
        assert_not_verified(&run, &["timed out", "lock timeout", "55P03"]);
        let run = check(
            "statement timeout",
            &role.url,
            v,
            &["--statement-timeout", "300ms", "--lock-timeout", "60s"],
            &[],
        );
        assert_not_verified(&run, &["timed out", "statement timeout", "57014"]);
    }
    lock.close();
    // The same runs pass once the lock is gone: the timeouts above were the lock's doing.
    let run = check(
        "no lock",
        &role.url,
        "-v",
        &["--lock-timeout", "100ms"],
        &[],
    );
    assert_eq!(run.code, Some(0), "{run}");
}

/// Terminates the role's zerogap backends in the test's database as soon as one of them
/// waits on the lock `lock` holds, then releases the lock. Returns how many backends it
/// terminated (0 when none was seen blocked within a minute).
fn terminate_when_blocked(db: &TestDb, role: &str, lock: Conn) -> JoinHandle<i64> {
    let url = db.url.clone();
    let database = db.database.clone();
    let role = role.to_string();
    std::thread::spawn(move || {
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("admin");
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut terminated = 0;
        while Instant::now() < deadline {
            let blocked: i64 = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = $1 AND usename = $2 AND application_name = 'zerogap'
                       AND wait_event_type = 'Lock'",
                    &[&database, &role],
                )
                .expect("pg_stat_activity")
                .get(0);
            if blocked > 0 {
                terminated = admin
                    .query_one(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
                         FROM pg_stat_activity
                         WHERE datname = $1 AND usename = $2 AND application_name = 'zerogap'",
                        &[&database, &role],
                    )
                    .expect("pg_terminate_backend")
                    .get(0);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        lock.close();
        let _ = admin.close();
        terminated
    })
}

/// The connection is lost while a catalog read runs: the server terminates zerogap's
/// backends (`pg_terminate_backend`, SQLSTATE 57P01 "terminating connection due to
/// administrator command"). A server restarted mid-run (`pg_ctl restart -m fast`) ends
/// every backend the same way, with the same SQLSTATE, so this covers a restart too.
#[test]
fn connection_lost_mid_run_is_not_verified() {
    let Some(db) = harness::postgres("failclosed_terminated") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    let role = LimitedRole::create(&db, "ro", SECRET);
    db.exec(&format!(
        "GRANT SELECT ON schema_migrations TO {}",
        quote_ident(&role.name)
    ));
    for v in VERBOSITIES {
        let terminator = terminate_when_blocked(&db, &role.name, lock_vehicles(&db));
        let run = check(
            "connection terminated",
            &role.url,
            v,
            &["--lock-timeout", "60s", "--statement-timeout", "60s"],
            &[],
        );
        let terminated = terminator.join().expect("terminator");
        assert!(terminated > 0, "no zerogap backend was seen blocked: {run}");
        // The read that notices first is either the one waiting on the lock (the server's
        // 57P01 message) or one whose idle connection was closed under it; both are
        // "connection lost".
        assert_not_verified(&run, &["connection lost"]);
    }
}

#[test]
fn wrong_ca_is_not_verified() {
    let Some((db, tls)) = harness::postgres_tls("failclosed_tls") else {
        return;
    };
    db.load_fixture("fixtures/fleet/schema.sql");
    let url = format!(
        "postgresql://{}:{}@localhost:{}/{}?sslmode=verify-full&sslrootcert={}",
        harness::USER,
        encoded(),
        tls.port,
        db.database,
        tls.wrong_ca.display()
    );
    for v in VERBOSITIES {
        let run = check("wrong CA", &url, v, &[], &[]);
        assert_not_verified(&run, &["not signed by a trusted CA"]);
    }
}

#[test]
fn refused_connection_strings_never_show_the_password() {
    let enc = encoded();
    let port = closed_port();
    let cases: Vec<(String, &str)> = vec![
        (
            "postgres://u:s3cr3t-Zg-8472@host:notaport/db".into(),
            "not a valid postgres:// URL",
        ),
        (
            format!("postgres://u:{enc}@host:notaport/db"),
            "not a valid postgres:// URL",
        ),
        (
            format!("postgres://u:{enc}@127.0.0.1:{port}/db?sslcert=x"),
            "`sslcert`, which zerogap does not support",
        ),
        (
            format!("postgres://u@127.0.0.1:{port}/db?password={enc}&sslcert=x"),
            "`sslcert`, which zerogap does not support",
        ),
        (
            format!("postgres://u:{enc}@127.0.0.1:{port}/db?sslmode=bogus"),
            "sslmode `bogus`",
        ),
        (
            format!("postgres://u:{enc}@127.0.0.1:{port}/db?sslrootcert=%zz"),
            "not a valid postgres:// URL",
        ),
        (
            format!("host=127.0.0.1 port={port} user=u password='{SECRET}"),
            "not a valid postgres:// URL or key=value string",
        ),
        (
            format!("host=127.0.0.1 port={port} user=u password={SECRET} sslcert=x"),
            "`sslcert`, which zerogap does not support",
        ),
    ];
    for (url, expect) in &cases {
        for v in VERBOSITIES {
            let run = check("refused connection string", url, v, &[], &[]);
            assert_refused(&run, expect);
        }
    }
}
