//! The harness itself: real servers, one database or schema per test.

use crate::harness::{self, Flavor};

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

#[test]
fn postgres_test_gets_its_own_database() {
    let Some(db) = harness::postgres("postgres_test_gets_its_own_database") else {
        return;
    };
    assert_eq!(db.flavor, Flavor::Postgres);
    assert_eq!(db.schema, "public");
    db.exec(
        "CREATE TABLE widgets (id serial PRIMARY KEY, name varchar(40) NOT NULL);
         INSERT INTO widgets (name) VALUES ('a'), ('b');",
    );
    let rows = db.query_strings(
        "SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_name = 'widgets'",
    );
    assert_eq!(rows, vec![vec![s("public"), s("widgets")]]);
    assert_eq!(
        db.query_one_string("SELECT current_database()"),
        Some(db.database.clone())
    );
    assert_eq!(db.query_one_string("SELECT count(*) FROM widgets"), s("2"));
    assert_eq!(db.query_strings("SELECT NULL"), vec![vec![None]]);

    // Another test's database does not see this one's table.
    let Some(other) = harness::postgres("postgres_other") else {
        return;
    };
    assert_ne!(other.database, db.database);
    assert_eq!(
        other.query_one_string("SELECT count(*) FROM pg_tables WHERE tablename = 'widgets'"),
        s("0")
    );
}

#[test]
fn postgres_url_carries_a_password_the_server_checks() {
    let Some(db) = harness::postgres("postgres_url_password") else {
        return;
    };
    let password = db.password.clone().expect("the test URL has a password");
    assert!(db.url.contains(&password));
    if std::env::var(harness::DATABASE_URL_ENV).is_ok() {
        return; // an external server's authentication is not ours to assert
    }
    let wrong = db.url.replace(&password, "not-the-password");
    let err = postgres::Client::connect(&wrong, postgres::NoTls)
        .err()
        .expect("a wrong password is refused");
    let message = err.as_db_error().map(|e| e.message().to_string());
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("password authentication failed")),
        "{err}"
    );
}

#[test]
fn exec_panics_with_the_server_message() {
    let Some(db) = harness::postgres("exec_panics") else {
        return;
    };
    let panic = std::panic::catch_unwind(|| db.exec("SELECT * FROM does_not_exist"))
        .expect_err("exec of bad SQL panics");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("relation \"does_not_exist\" does not exist") && message.contains("42P01"),
        "{message}"
    );
}

#[test]
fn timescale_hypertable_in_the_tests_own_schema() {
    let Some(db) = harness::timescale("timescale_hypertable") else {
        return;
    };
    assert_eq!(db.flavor, Flavor::Timescale);
    assert_ne!(db.schema, "public");
    db.exec(
        "CREATE TABLE metrics (
             ts timestamptz NOT NULL,
             device text NOT NULL,
             value double precision
         );
         SELECT create_hypertable('metrics', by_range('ts', INTERVAL '1 day'));",
    );
    let rows = db.query_strings(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'metrics'",
    );
    assert_eq!(rows, vec![vec![Some(db.schema.clone())]]);
    let rows = db.query_strings(&format!(
        "SELECT hypertable_schema, hypertable_name, num_dimensions::text
         FROM timescaledb_information.hypertables
         WHERE hypertable_schema = '{}'",
        db.schema
    ));
    assert_eq!(
        rows,
        vec![vec![Some(db.schema.clone()), s("metrics"), s("1")]]
    );
    let version = db
        .query_one_string("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
        .expect("timescaledb is installed");
    let major_minor: Vec<u32> = version
        .split(['.', '-'])
        .take(2)
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(major_minor >= vec![2, 13], "timescaledb {version}");
}

#[test]
fn timescale_tests_are_isolated_by_schema() {
    let Some(db) = harness::timescale("timescale_isolated") else {
        return;
    };
    // Same table name as the other timescale test, in another schema.
    db.exec(
        "CREATE TABLE metrics (ts timestamptz NOT NULL, v int);
         SELECT create_hypertable('metrics', by_range('ts'));
         INSERT INTO metrics VALUES (now(), 1);",
    );
    assert_eq!(db.query_one_string("SELECT count(*) FROM metrics"), s("1"));
    let contract = db.contract("contract: demo\nversion: 1.0.0\nschema: public  # default\n");
    assert_eq!(
        contract,
        format!(
            "contract: demo\nversion: 1.0.0\nschema: {}  # default\n",
            db.schema
        )
    );
    let url = db.url.clone();
    let schema = db.schema.clone();
    drop(db); // drops the schema and lets the next timescale test in
    let Some(next) = harness::timescale("timescale_isolated_next") else {
        return;
    };
    assert_eq!(next.url, url);
    assert_eq!(
        next.query_one_string(&format!(
            "SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"
        )),
        s("0")
    );
}

#[test]
fn timescale_session_state_does_not_pass_between_clients() {
    let Some(db) = harness::timescale("timescale_session") else {
        return;
    };
    // What a tool under test leaves on its session (on PGlite, every connection is
    // the same backend session).
    let mut tool = postgres::Client::connect(&db.url, postgres::NoTls).expect("connect");
    tool.batch_execute("SET default_transaction_read_only = on; PREPARE s0 AS SELECT 1")
        .expect("tool session");
    tool.close().expect("close");

    db.exec("CREATE TABLE t (id int)"); // fails in a read-only transaction
    assert_eq!(
        db.query_one_string("SHOW default_transaction_read_only"),
        s("off")
    );
    assert_eq!(
        db.query_one_string("SELECT count(*) FROM pg_prepared_statements"),
        s("0")
    );

    // ... and the harness leaves nothing (such as its search_path) to the next client.
    let mut tool = postgres::Client::connect(&db.url, postgres::NoTls).expect("connect");
    let row = tool.query_one("SHOW search_path", &[]).expect("show");
    assert_eq!(row.get::<_, String>(0), "\"$user\", public");
    tool.close().expect("close");
}

#[test]
fn contract_schema_rewrite() {
    let rewrite = harness::rewrite_contract_schema;
    assert_eq!(
        rewrite("contract: a\nschema: public\ntables: {}\n", "zg_x"),
        "contract: a\nschema: zg_x\ntables: {}\n"
    );
    assert_eq!(
        rewrite("contract: a\nschema: \"public\"\r\n", "zg_x"),
        "contract: a\nschema: zg_x\r\n"
    );
    // Another schema, and nested keys, are left alone.
    let other = "contract: a\nschema: billing\ntables:\n  t:\n    schema: public\n";
    assert_eq!(rewrite(other, "zg_x"), other);
    // No schema: the test's is added before the first key.
    assert_eq!(
        rewrite("# c\ncontract: a\n", "zg_x"),
        "# c\nschema: zg_x\ncontract: a\n"
    );
    assert_eq!(rewrite("contract: a\n", "public"), "contract: a\n");
}

#[test]
fn url_database_replacement() {
    let with = harness::with_dbname;
    assert_eq!(
        with("postgresql://u:p@h:5/postgres?sslmode=disable", "x"),
        "postgresql://u:p@h:5/x?sslmode=disable"
    );
    assert_eq!(with("postgres://u@h", "x"), "postgres://u@h/x");
    assert_eq!(with("host=h user=u", "x"), "host=h user=u dbname=x");
}
