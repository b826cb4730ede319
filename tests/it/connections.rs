//! Where the database is, as libpq's tools find it: the libpq variables, a key=value
//! string, a Unix socket, and the password from a password file with libpq's rules.

use assert_cmd::Command;
use serde_json::Value;

use crate::harness;

const CONTRACT: &str = "tables:\n  t:\n    columns:\n      id: { type: int }\n";

fn zerogap(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("zerogap").expect("binary");
    for v in [
        "DATABASE_URL",
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "PGSSLMODE",
        "PGSSLROOTCERT",
        "PGPASSFILE",
        "PGAPPNAME",
    ] {
        c.env_remove(v);
    }
    c.current_dir(dir);
    c
}

fn outcome(out: &std::process::Output) -> (Option<i32>, Value, String) {
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn libpq_variables_keyword_strings_sockets_and_pgpass() {
    let Some((db, tls)) = harness::postgres_tls("connections") else {
        return;
    };
    db.exec("CREATE TABLE t (id int)");
    let password = db.password.clone().expect("password");
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("c.yaml"), CONTRACT).expect("write");
    let check = |cmd: &mut Command, extra: &[&str]| {
        outcome(
            &cmd.args([
                "check",
                "--no-scan",
                "--contracts",
                "c.yaml",
                "--format",
                "json",
                "-v",
            ])
            .args(extra)
            .output()
            .expect("run"),
        )
    };
    let port = tls.port.to_string();

    // The libpq variables alone.
    let (code, r, stderr) = check(
        zerogap(dir.path())
            .env("PGHOST", "127.0.0.1")
            .env("PGPORT", &port)
            .env("PGUSER", "postgres")
            .env("PGPASSWORD", &password)
            .env("PGDATABASE", &db.database)
            .env("PGSSLMODE", "require"),
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(r["target"]["database"], db.database.as_str());
    assert!(stderr.contains("sslmode require"), "{stderr}");

    // A key=value string with a quoted value.
    let kv = format!(
        "host=127.0.0.1 port={port} user=postgres password='{password}' dbname='{}' sslmode=disable",
        db.database
    );
    let (code, _, stderr) = check(&mut zerogap(dir.path()), &["--db", &kv]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(&password));

    // A Unix socket (the cluster's socket directory; local connections are trusted there).
    let socket_dir = tls
        .ca
        .parent()
        .expect("cluster folder")
        .to_string_lossy()
        .to_string();
    let sock = format!(
        "host={socket_dir} port={port} user=postgres dbname={}",
        db.database
    );
    let (code, _, stderr) = check(&mut zerogap(dir.path()), &["--db", &sock]);
    assert_eq!(code, Some(0), "{stderr}");

    // The password from a password file (0600), matched by host, port, database and user;
    // a wildcard line for another user first must not match.
    let pgpass = dir.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!(
            "# test\n*:*:*:someone_else:wrong\n127.0.0.1:{port}:{}:postgres:{password}\n",
            db.database
        ),
    )
    .expect("write");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let no_password = format!(
        "postgres://postgres@127.0.0.1:{port}/{}?sslmode=disable",
        db.database
    );
    let (code, _, stderr) = check(
        zerogap(dir.path()).env("PGPASSFILE", &pgpass),
        &["--db", &no_password],
    );
    assert_eq!(code, Some(0), "{stderr}");

    // Group-readable: ignored with libpq's warning, so authentication fails: not verified.
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let (code, r, stderr) = check(
        zerogap(dir.path()).env("PGPASSFILE", &pgpass),
        &["--db", &no_password],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("group or world access"), "{stderr}");
    assert_eq!(r["checks"]["schema"], "incomplete");
    assert!(!stderr.contains(&password) && !r.to_string().contains(&password));
}
