//! Producer #2: the live database → the schema model. Read-only, batched per object kind,
//! concurrent on a small pool.

mod records;
mod sql;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::Row;
use tokio_postgres::types::{ToSql, Type};

use records::{ColumnRow, ConstraintKind, ConstraintRow, IndexRow};

use crate::model::{
    CheckConstraint, Compression, ContinuousAggregate, EnumType, FkAction, ForeignKey, Hypertable,
    Index, IndexColumn, Migration, OrderItem, PrimaryKey, QualName, RefreshPolicy, Retention,
    Schema, ServerInfo, SpacePartition, Table, UniqueConstraint, View, ident,
};

/// Why a catalog read could not run. Messages never carry the connection password.
#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("{what}: permission denied: {message}")]
    PermissionDenied { what: String, message: String },
    #[error("{what}: timed out: {message}")]
    Timeout { what: String, message: String },
    #[error("{what}: {message}")]
    Query { what: String, message: String },
    #[error("unexpected catalog data in {what}: {message}")]
    Decode { what: String, message: String },
}

impl IntrospectError {
    fn from_pg(what: &str, e: &tokio_postgres::Error) -> Self {
        let message = describe_pg_error(e);
        match e.code().map(|c| c.code()) {
            Some("42501") => Self::PermissionDenied {
                what: what.into(),
                message,
            },
            Some("57014") | Some("55P03") => Self::Timeout {
                what: what.into(),
                message,
            },
            // The server ended the session (pg_terminate_backend, a shutdown or restart:
            // 57P01-57P03) or the link broke (class 08): say so, not only the server's words.
            Some(c) if c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03") => {
                Self::Query {
                    what: what.into(),
                    message: format!("connection lost: {message}"),
                }
            }
            _ if e.is_closed() => Self::Query {
                what: what.into(),
                message: format!("connection lost: {message}"),
            },
            _ => Self::Query {
                what: what.into(),
                message,
            },
        }
    }
}

/// The server's own message (with SQLSTATE) when there is one, else the client's.
pub fn describe_pg_error(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(": ");
                s.push_str(&inner.to_string());
                src = inner.source();
            }
            s
        }
    }
}

#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
    pub max_connections: usize,
    pub tls: crate::connect::TlsOptions,
    /// The host TLS checks (for messages).
    pub host: String,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(5),
            max_connections: 4,
            tls: crate::connect::TlsOptions::default(),
            host: String::new(),
        }
    }
}

/// A pool whose sessions identify as `zerogap`.
pub fn make_pool(
    mut config: tokio_postgres::Config,
    opts: &SessionOptions,
) -> Result<Pool, IntrospectError> {
    if config.get_application_name().is_none() {
        config.application_name("zerogap");
    }
    let tls = crate::connect::tls::client_config(&opts.tls)
        .map_err(|e| IntrospectError::Connect(e.to_string()))?;
    let mgr = Manager::from_config(
        config,
        tokio_postgres_rustls::MakeRustlsConnect::new(tls),
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(mgr)
        .max_size(opts.max_connections.max(1))
        .build()
        .map_err(|e| IntrospectError::Connect(e.to_string()))
}

/// One catalog read as it ran, for `-v`.
#[derive(Debug, Clone)]
pub struct QueryTiming {
    pub what: &'static str,
    pub rows: usize,
    pub elapsed: Duration,
}

/// Runs one read-only query in its own read-only transaction with local timeouts, so it
/// behaves the same through PgBouncer's transaction pooling.
pub struct Reader {
    pool: Pool,
    opts: SessionOptions,
    timings: std::sync::Mutex<Vec<QueryTiming>>,
}

impl Reader {
    pub fn new(pool: Pool, opts: SessionOptions) -> Self {
        Self {
            pool,
            opts,
            timings: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub fn timings(&self) -> Vec<QueryTiming> {
        self.timings.lock().map(|t| t.clone()).unwrap_or_default()
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, IntrospectError> {
        self.pool.get().await.map_err(|e| {
            let message = match e {
                deadpool_postgres::PoolError::Backend(pe) => describe_pg_error(&pe),
                other => other.to_string(),
            };
            // A TLS failure in words a DBA acts on, then the library's own text.
            match crate::connect::tls::explain(&message, &self.opts.tls, &self.opts.host) {
                Some(why) => IntrospectError::Connect(format!("{why} ({message})")),
                None => IntrospectError::Connect(message),
            }
        })
    }

    /// A read-only query with `search_path` set for the transaction (EXPLAIN of a declared
    /// query names its tables as the application does).
    pub async fn query_on_path(
        &self,
        what: &'static str,
        sql: &str,
        search_path: &[String],
    ) -> Result<Vec<Row>, IntrospectError> {
        self.read(what, sql, &[], Some(search_path)).await
    }

    /// The transaction-local settings of every read.
    fn local_settings(&self) -> String {
        // jit off: catalog queries over tens of thousands of rows cross jit_above_cost
        // and would spend more compiling than running (measured: 100-170 ms a query).
        // No parallel workers: the reads already run side by side, and a worker rebuilds
        // the same hash tables (measured: ~0.15 s less server CPU per check on 5,000 tables).
        format!(
            "SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {}; SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0",
            self.opts.statement_timeout.as_millis().max(1),
            self.opts.lock_timeout.as_millis().max(1)
        )
    }

    /// Asks the server to prepare `sql` (Parse + Describe: planned, never executed) inside a
    /// read-only transaction that is rolled back. A query the server rejects is an answer
    /// (`Rejected`); a connection, timeout or permission failure is an error (the check
    /// could not run).
    pub async fn prepare(
        &self,
        sql: &str,
        search_path: &[String],
    ) -> Result<crate::verify::PrepareOutcome, IntrospectError> {
        use crate::verify::{PrepareOutcome, ServerShape};
        const WHAT: &str = "prepare";
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .read_only(true)
            .start()
            .await
            .map_err(|e| IntrospectError::from_pg(WHAT, &e))?;
        let settings = tx
            .batch_execute(&format!(
                "{}; {}",
                self.local_settings(),
                search_path_setting(search_path)
            ))
            .await;
        let result = match settings {
            Err(e) => Err(e),
            Ok(()) => tx.prepare(sql).await.map(|st| ServerShape {
                params: st.params().iter().map(|t| t.name().to_string()).collect(),
                columns: st
                    .columns()
                    .iter()
                    .map(|c| (c.name().to_string(), c.type_().name().to_string()))
                    .collect(),
            }),
        };
        // No named statement may outlive the transaction: through PgBouncer's transaction
        // pooling (or PGlite's one shared backend) the next client would meet it ("prepared
        // statement \"s1\" already exists"). tokio-postgres keeps its type lookups prepared,
        // so they go too, and its cache of them with them.
        if result.is_ok() {
            let deallocated = tx.batch_execute("DEALLOCATE ALL").await;
            client_cache_clear(&tx);
            if let Err(e) = deallocated {
                let _ = tx.rollback().await;
                return Err(IntrospectError::from_pg(WHAT, &e));
            }
        }
        let rolled_back = tx.rollback().await;
        let outcome = match result {
            Ok(shape) => PrepareOutcome::Prepared(shape),
            Err(e) => match e.as_db_error() {
                // Timeouts, lost connections, missing privileges: the check did not run.
                Some(db)
                    if !matches!(&db.code().code()[..2], "08" | "53" | "57")
                        && db.code().code() != "42501" =>
                {
                    PrepareOutcome::Rejected {
                        sqlstate: db.code().code().to_string(),
                        message: db.message().to_string(),
                        position: match db.position() {
                            Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
                                Some(*p as usize)
                            }
                            _ => None,
                        },
                    }
                }
                _ => return Err(IntrospectError::from_pg(WHAT, &e)),
            },
        };
        rolled_back.map_err(|e| IntrospectError::from_pg(WHAT, &e))?;
        Ok(outcome)
    }

    /// Unnamed statements with explicit parameter types (`query_typed`): no named prepared
    /// statement is left behind, which transaction-pooling PgBouncer and PGlite's shared
    /// backend both require.
    pub async fn query(
        &self,
        what: &'static str,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
    ) -> Result<Vec<Row>, IntrospectError> {
        self.read(what, sql, params, None).await
    }

    /// Like `query`, each row decoded as it arrives and only the decoded records kept: the
    /// large catalog reads are turned into records while the server is still sending, and
    /// their rows never all sit in memory.
    pub(crate) async fn query_decoded<T>(
        &self,
        what: &'static str,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        decode: fn(&Row) -> Result<T, IntrospectError>,
    ) -> Result<Vec<T>, IntrospectError> {
        self.read_each(what, sql, params, None, Vec::new(), |out, row| {
            out.push(decode(&row)?);
            Ok(())
        })
        .await
    }

    async fn read(
        &self,
        what: &'static str,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        search_path: Option<&[String]>,
    ) -> Result<Vec<Row>, IntrospectError> {
        self.read_each(what, sql, params, search_path, Vec::new(), |rows, row| {
            rows.push(row);
            Ok(())
        })
        .await
    }

    /// One read-only statement in its own transaction, each result row handed to `each`.
    async fn read_each<A>(
        &self,
        what: &'static str,
        sql: &str,
        params: &[(&(dyn ToSql + Sync), Type)],
        search_path: Option<&[String]>,
        mut acc: A,
        mut each: impl FnMut(&mut A, Row) -> Result<(), IntrospectError>,
    ) -> Result<A, IntrospectError> {
        use futures_util::TryStreamExt;
        let started = Instant::now();
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .read_only(true)
            .start()
            .await
            .map_err(|e| IntrospectError::from_pg(what, &e))?;
        let settings = match search_path {
            Some(p) => format!("{}; {}", self.local_settings(), search_path_setting(p)),
            None => self.local_settings(),
        };
        let mut count = 0usize;
        // Outer error: the server's; inner: a row that could not be decoded.
        let result: Result<Result<(), IntrospectError>, tokio_postgres::Error> = async {
            tx.batch_execute(&settings).await?;
            let rows = tx
                .query_typed_raw(sql, params.iter().map(|(p, t)| (*p, t.clone())))
                .await?;
            let mut rows = std::pin::pin!(rows);
            while let Some(row) = rows.try_next().await? {
                count += 1;
                if let Err(e) = each(&mut acc, row) {
                    return Ok(Err(e));
                }
            }
            Ok(Ok(()))
        }
        .await;
        // Always end the transaction explicitly, also after an error: a pooled or shared
        // backend must never be left inside an aborted transaction. Nothing was written, so
        // a rollback loses nothing.
        let rolled_back = tx.rollback().await;
        let decoded = result.map_err(|e| IntrospectError::from_pg(what, &e))?;
        rolled_back.map_err(|e| IntrospectError::from_pg(what, &e))?;
        decoded?;
        if let Ok(mut t) = self.timings.lock() {
            t.push(QueryTiming {
                what,
                rows: count,
                elapsed: started.elapsed(),
            });
        }
        Ok(acc)
    }
}

impl Reader {
    /// One table's data-rules query (`check --data`), read-only like every read: its single
    /// result row as cells.
    pub async fn data_row(
        &self,
        sql: &str,
        params: &[crate::data::Param],
    ) -> Result<Vec<crate::data::Cell>, IntrospectError> {
        use crate::data::{Cell, Param};
        const WHAT: &str = "data rules";
        let typed: Vec<(&(dyn ToSql + Sync), Type)> = params
            .iter()
            .map(|p| match p {
                Param::Text(s) => (s as &(dyn ToSql + Sync), Type::TEXT),
                Param::TextArray(v) => (v as &(dyn ToSql + Sync), Type::TEXT_ARRAY),
            })
            .collect();
        let rows = self.read(WHAT, sql, &typed, None).await?;
        let Some(row) = rows.first() else {
            return Err(IntrospectError::Decode {
                what: WHAT.into(),
                message: "no result row".into(),
            });
        };
        let mut cells = Vec::with_capacity(row.len());
        for (i, c) in row.columns().iter().enumerate() {
            let cell = if *c.type_() == Type::INT8 {
                Cell::Int(get::<Option<i64>>(row, i, WHAT)?)
            } else if *c.type_() == Type::TEXT_ARRAY {
                Cell::Texts(
                    get::<Option<Vec<Option<String>>>>(row, i, WHAT)?
                        .map(|v| v.into_iter().flatten().collect()),
                )
            } else {
                return Err(IntrospectError::Decode {
                    what: WHAT.into(),
                    message: format!("column {} is {}", i + 1, c.type_().name()),
                });
            };
            cells.push(cell);
        }
        Ok(cells)
    }
}

/// Size and row estimate of the given tables, in one catalog read (`--sample`, `row_count`).
pub async fn table_sizes(
    reader: &Reader,
    tables: &[QualName],
) -> Result<HashMap<QualName, crate::data::SizeFacts>, IntrospectError> {
    const WHAT: &str = "table sizes (pg_class)";
    if tables.is_empty() {
        return Ok(HashMap::new());
    }
    let schemas: Vec<String> = tables.iter().map(|t| t.schema.clone()).collect();
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    let rows = reader
        .query(
            WHAT,
            // A hypertable's (or any inheritance parent's) rows live in its children. Sizes
            // from the statistics (relpages), not pg_relation_size: that takes a lock on each
            // table, and a table another session holds must not stop the whole data check.
            "SELECT n.nspname::text, c.relname::text, \
                    ((c.relpages + coalesce(k.pages, 0)) * current_setting('block_size')::int8)::int8, \
                    (CASE WHEN k.n = 0 THEN c.reltuples WHEN k.unknown > 0 THEN -1 ELSE k.est END)::float8 \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN unnest($1::text[], $2::text[]) AS w(s, t) ON w.s = n.nspname AND w.t = c.relname \
             LEFT JOIN LATERAL ( \
                 SELECT count(*) AS n, sum(ch.relpages) AS pages, \
                        sum(ch.reltuples) AS est, \
                        count(*) FILTER (WHERE ch.reltuples < 0) AS unknown \
                 FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid \
                 WHERE i.inhparent = c.oid) k ON true",
            &[(&schemas, Type::TEXT_ARRAY), (&names, Type::TEXT_ARRAY)],
        )
        .await?;
    let mut out = HashMap::new();
    for r in &rows {
        out.insert(
            QualName::new(get::<String>(r, 0, WHAT)?, get::<String>(r, 1, WHAT)?),
            crate::data::SizeFacts {
                bytes: get(r, 2, WHAT)?,
                estimated_rows: get(r, 3, WHAT)?,
            },
        );
    }
    Ok(out)
}

fn client_cache_clear(tx: &tokio_postgres::Transaction<'_>) {
    tx.client().clear_type_cache();
}

/// `SET LOCAL search_path` to the contracts' schemas (then public): unqualified names in
/// queries resolve as the contracts say they do.
fn search_path_setting(schemas: &[String]) -> String {
    let mut path: Vec<String> = schemas.iter().map(|s| quote_ident(s)).collect();
    if !schemas.iter().any(|s| s == "public") {
        path.push("public".into());
    }
    format!("SET LOCAL search_path = {}", path.join(", "))
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(
    row: &'a Row,
    idx: usize,
    what: &str,
) -> Result<T, IntrospectError> {
    row.try_get::<_, T>(idx)
        .map_err(|e| IntrospectError::Decode {
            what: what.to_string(),
            message: e.to_string(),
        })
}

/// What the live database has, as far as a check needs it.
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub info: ServerInfo,
    pub schema: Schema,
    /// Whether TimescaleDB objects were read (extension present and readable).
    pub timescale_read: bool,
}

/// The schemas a team owns in this database (for `zerogap init`).
pub async fn user_schemas(reader: &Reader) -> Result<Vec<String>, IntrospectError> {
    let rows = reader
        .query("schemas (pg_namespace)", sql::USER_SCHEMAS, &[])
        .await?;
    rows.iter()
        .map(|r| get::<String>(r, 0, "schemas"))
        .collect()
}

/// What to read beyond the catalogs: the schemas in scope and declared migration tables.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub schemas: Vec<String>,
    pub migrations: Vec<Migration>,
}

#[derive(Debug, Default)]
struct Probe {
    database: String,
    server_version: String,
    timescaledb: Option<String>,
    has_compression_settings_view: bool,
    has_bucket_fn: bool,
    has_bucket_table: bool,
}

/// Reads everything in scope. Errors name the catalog read that failed.
pub async fn introspect(reader: &Reader, scope: &Scope) -> Result<Live, IntrospectError> {
    let rows = reader.query("server information", sql::SERVER, &[]).await?;
    let row = rows.first().ok_or_else(|| IntrospectError::Decode {
        what: "server information".into(),
        message: "no row".into(),
    })?;
    let probe = Probe {
        database: get(row, 0, "server")?,
        server_version: get(row, 1, "server")?,
        timescaledb: get(row, 2, "server")?,
        has_compression_settings_view: get(row, 3, "server")?,
        has_bucket_fn: get(row, 4, "server")?,
        has_bucket_table: get(row, 5, "server")?,
    };
    let schemas: &(dyn ToSql + Sync) = &scope.schemas;
    let by_schema: &[(&(dyn ToSql + Sync), Type)] = &[(schemas, Type::TEXT_ARRAY)];

    let core = async {
        tokio::try_join!(
            reader.query("relations (pg_class)", sql::RELATIONS, by_schema),
            reader.query_decoded(
                "columns (pg_attribute)",
                sql::COLUMNS,
                by_schema,
                ColumnRow::decode
            ),
            reader.query_decoded(
                "constraints (pg_constraint)",
                sql::CONSTRAINTS,
                by_schema,
                ConstraintRow::decode
            ),
            reader.query_decoded(
                "indexes (pg_index)",
                sql::INDEXES,
                by_schema,
                IndexRow::decode
            ),
            reader.query("enums (pg_enum)", sql::ENUMS, by_schema),
            reader.query("operator classes (pg_opclass)", sql::OPCLASSES, &[]),
        )
    };
    let ts = async {
        if probe.timescaledb.is_none() {
            return Ok(None);
        }
        let bucket = if probe.has_bucket_fn {
            sql::BUCKET_FN
        } else if probe.has_bucket_table {
            sql::BUCKET_TABLE
        } else {
            sql::BUCKET_LEGACY
        };
        let caggs_sql = sql::TS_CAGGS.replace("BUCKET", bucket);
        let settings_sql = if probe.has_compression_settings_view {
            sql::TS_COMPRESSION_SETTINGS
        } else {
            sql::TS_COMPRESSION_SETTINGS_LEGACY
        };
        tokio::try_join!(
            reader.query(
                "TimescaleDB internal relations",
                sql::TS_INTERNAL,
                by_schema
            ),
            reader.query("hypertables", sql::TS_HYPERTABLES, by_schema),
            reader.query(
                "timescaledb_information.dimensions",
                sql::TS_DIMENSIONS,
                by_schema
            ),
            reader.query("compression settings", settings_sql, by_schema),
            reader.query("timescaledb_information.jobs", sql::TS_JOBS, &[]),
            reader.query("continuous aggregates", &caggs_sql, by_schema),
        )
        .map(Some)
    };
    let (core, ts) = tokio::try_join!(core, ts)?;
    let (relations, mut columns, mut constraints, mut indexes, enums, opclasses) = core;

    let internal: HashSet<(String, String)> = match &ts {
        Some(t) => {
            t.0.iter()
                .map(|r| {
                    Ok((
                        get::<String>(r, 0, "internal")?,
                        get::<String>(r, 1, "internal")?,
                    ))
                })
                .collect::<Result<_, IntrospectError>>()?
        }
        None => HashSet::new(),
    };
    let cagg_names: HashSet<(String, String)> = match &ts {
        Some(t) => {
            t.5.iter()
                .map(|r| Ok((get::<String>(r, 0, "caggs")?, get::<String>(r, 1, "caggs")?)))
                .collect::<Result<_, IntrospectError>>()?
        }
        None => HashSet::new(),
    };

    let mut schema = Schema::default();
    // The relations in scope by oid, filled from the records and moved into the (name-sorted)
    // model at the end: a hash lookup per record instead of ordered-map lookups by name.
    let mut tables: HashMap<i64, Table> = HashMap::new();
    let mut views: HashMap<i64, View> = HashMap::new();
    for r in &relations {
        let oid: i64 = get(r, 0, "relations")?;
        let ns: String = get(r, 1, "relations")?;
        let name: String = get(r, 2, "relations")?;
        let kind: &str = get(r, 3, "relations")?;
        let comment: Option<String> = get(r, 4, "relations")?;
        let key = (ns, name);
        if internal.contains(&key) {
            continue;
        }
        match kind {
            "r" | "p" => {
                tables.insert(
                    oid,
                    Table {
                        name: QualName::new(key.0, key.1),
                        comment,
                        ..Default::default()
                    },
                );
            }
            "v" | "m" if !cagg_names.contains(&key) => {
                views.insert(
                    oid,
                    View {
                        name: QualName::new(key.0, key.1),
                        columns: Some(Vec::new()),
                        materialized: kind == "m",
                        loc: None,
                    },
                );
            }
            _ => {}
        }
    }

    // The catalog reads return rows unsorted (a server-side sort spilled to disk and cost
    // more than sorting here); put in the order the model expects: by table, then position
    // or name. The rows come grouped by table, which the (run-detecting) sort exploits.
    columns.sort_by_key(|c| (c.rel, c.num));
    constraints.sort_by(|a, b| (a.rel, &a.name).cmp(&(b.rel, &b.name)));
    indexes.sort_by(|a, b| (a.rel, &a.name).cmp(&(b.rel, &b.name)));

    // table oid → its (attnum, column name) in attnum order: the constraint and index reads
    // return numbers.
    let mut attnames: HashMap<i64, Vec<(i32, &str)>> = HashMap::with_capacity(tables.len());
    for c in &columns {
        attnames
            .entry(c.rel)
            .or_default()
            .push((c.num, c.column.name.as_str()));
    }
    let name_of = |rel: i64, num: i32, what: &str| -> Result<String, IntrospectError> {
        attnames
            .get(&rel)
            .and_then(|cols| {
                cols.binary_search_by_key(&num, |(n, _)| *n)
                    .ok()
                    .map(|k| cols[k].1.to_string())
            })
            .ok_or_else(|| IntrospectError::Decode {
                what: what.to_string(),
                message: format!(
                    "column number {num} of relation {rel} is not among the columns read"
                ),
            })
    };
    let names_of = |rel: i64, nums: &[i16], what: &str| -> Result<Vec<String>, IntrospectError> {
        nums.iter()
            .map(|n| name_of(rel, i32::from(*n), what))
            .collect()
    };

    for c in constraints {
        let Some(t) = tables.get_mut(&c.rel) else {
            continue;
        };
        let name = Some(c.name);
        match c.kind {
            ConstraintKind::Primary => {
                t.primary_key = Some(PrimaryKey {
                    name,
                    columns: names_of(c.rel, &c.conkey, "constraints")?,
                    loc: None,
                })
            }
            ConstraintKind::Unique => t.uniques.push(UniqueConstraint {
                name,
                columns: names_of(c.rel, &c.conkey, "constraints")?,
                loc: None,
            }),
            ConstraintKind::Check(expr) => t.checks.push(CheckConstraint {
                name,
                expr,
                loc: None,
            }),
            ConstraintKind::Foreign {
                rel,
                table,
                confkey,
                names,
                on_delete,
                on_update,
            } => {
                let ref_columns = match names {
                    Some(n) => n,
                    None => names_of(rel, &confkey, "constraints")?,
                };
                t.foreign_keys.push(ForeignKey {
                    name,
                    columns: names_of(c.rel, &c.conkey, "constraints")?,
                    ref_table: table,
                    ref_columns,
                    on_delete,
                    on_update,
                    loc: None,
                });
            }
            ConstraintKind::Other => {}
        }
    }

    let mut opclass_names: HashMap<i64, &str> = HashMap::with_capacity(opclasses.len());
    for r in &opclasses {
        opclass_names.insert(
            get(r, 0, "operator classes")?,
            get(r, 1, "operator classes")?,
        );
    }
    for ix in indexes {
        let Some(t) = tables.get_mut(&ix.rel) else {
            continue;
        };
        // A plain column as pg_get_indexdef prints it, less the quotes of a simple name.
        let defs = ix
            .keys
            .iter()
            .enumerate()
            .map(|(k, &num)| {
                if num == 0 {
                    let expr = ix.exprs.as_ref().and_then(|e| e.get(k).cloned().flatten());
                    expr.map(|e| unquote_simple(&e))
                        .ok_or_else(|| IntrospectError::Decode {
                            what: "indexes".into(),
                            message: format!(
                                "index {}: expression column {} has no text",
                                ix.name,
                                k + 1
                            ),
                        })
                } else {
                    let col = name_of(ix.rel, num, "indexes")?;
                    Ok(if col.contains('"') {
                        quote_ident(&col)
                    } else {
                        col
                    })
                }
            })
            .collect::<Result<Vec<String>, IntrospectError>>()?;
        let nkey = usize::try_from(ix.nkey).unwrap_or(0).min(defs.len());
        let columns = defs[..nkey]
            .iter()
            .enumerate()
            .map(|(k, def)| {
                let opt = ix.options.get(k).copied().unwrap_or(0);
                // indoption: bit 0 = DESC, bit 1 = NULLS FIRST.
                IndexColumn {
                    expr: def.clone(),
                    descending: opt & 1 != 0,
                    nulls_first: Some(opt & 2 != 0),
                    opclass: ix
                        .opclasses
                        .get(k)
                        .and_then(|o| opclass_names.get(o))
                        .filter(|o| !o.is_empty())
                        .map(|o| o.to_string()),
                }
            })
            .collect();
        t.indexes.push(Index {
            name: ix.name,
            method: ix.method,
            unique: ix.unique,
            columns,
            include: defs[nkey..].to_vec(),
            predicate: ix.predicate,
            constraint_backed: ix.constraint_backed,
            loc: None,
        });
    }

    // Last, the columns themselves move into their tables (the names above borrowed them).
    drop(attnames);
    for c in columns {
        if let Some(t) = tables.get_mut(&c.rel) {
            t.columns.push(c.column);
        } else if let Some(v) = views.get_mut(&c.rel) {
            v.columns.get_or_insert_with(Vec::new).push(c.column.name);
        }
    }
    for t in tables.into_values() {
        schema.tables.insert(t.name.clone(), t);
    }
    for v in views.into_values() {
        schema.views.insert(v.name.clone(), v);
    }

    for r in &enums {
        let ns: String = get(r, 0, "enums")?;
        let name: String = get(r, 1, "enums")?;
        let values: Vec<String> = get(r, 2, "enums")?;
        let qn = QualName::new(ns, name);
        schema.enums.insert(
            qn.clone(),
            EnumType {
                name: qn,
                values,
                loc: None,
            },
        );
    }

    let mut live = Live {
        info: ServerInfo {
            database: probe.database.clone(),
            server_version: probe.server_version.clone(),
            timescaledb_version: probe.timescaledb.clone(),
        },
        schema,
        timescale_read: false,
    };
    if let Some(ts) = ts {
        apply_timescale(&mut live.schema, ts, probe.has_compression_settings_view)?;
        live.timescale_read = true;
    }
    for m in &scope.migrations {
        let applied = read_migration(reader, m, &live.schema).await?;
        live.schema.migrations.push(applied);
    }
    Ok(live)
}

type TsRows = (Vec<Row>, Vec<Row>, Vec<Row>, Vec<Row>, Vec<Row>, Vec<Row>);

fn apply_timescale(
    schema: &mut Schema,
    ts: TsRows,
    modern_settings: bool,
) -> Result<(), IntrospectError> {
    let (_internal, hypertables, dimensions, settings, jobs, caggs) = ts;
    let mut by_id: HashMap<i64, QualName> = HashMap::new();
    for r in &hypertables {
        let id: i64 = get(r, 0, "hypertables")?;
        let qn = QualName::new(
            get::<String>(r, 1, "hypertables")?,
            get::<String>(r, 2, "hypertables")?,
        );
        by_id.insert(id, qn.clone());
        if let Some(t) = schema.tables.get_mut(&qn) {
            let compressed: bool = get(r, 3, "hypertables")?;
            t.hypertable = Some(Hypertable {
                compression: compressed.then(Compression::default),
                ..Default::default()
            });
        }
    }
    for r in &dimensions {
        let qn = QualName::new(
            get::<String>(r, 0, "dimensions")?,
            get::<String>(r, 1, "dimensions")?,
        );
        let Some(h) = schema
            .tables
            .get_mut(&qn)
            .and_then(|t| t.hypertable.as_mut())
        else {
            continue;
        };
        let column: String = get(r, 3, "dimensions")?;
        let kind: String = get(r, 4, "dimensions")?;
        let time_interval: Option<String> = get(r, 5, "dimensions")?;
        let integer_interval: Option<i64> = get(r, 6, "dimensions")?;
        let partitions: Option<i64> = get(r, 7, "dimensions")?;
        if kind == "Time" && h.time_column.is_empty() {
            h.time_column = column;
            h.chunk_interval = time_interval.or(integer_interval.map(|i| i.to_string()));
        } else if h.partitioning.is_none() {
            // The first non-primary dimension is the space (or secondary) dimension.
            h.partitioning = Some(SpacePartition { column, partitions });
        }
    }
    if modern_settings {
        for r in &settings {
            let qn = QualName::new(
                get::<String>(r, 0, "compression settings")?,
                get::<String>(r, 1, "compression settings")?,
            );
            let Some(c) = schema
                .tables
                .get_mut(&qn)
                .and_then(|t| t.hypertable.as_mut())
                .and_then(|h| h.compression.as_mut())
            else {
                continue;
            };
            let seg: Option<String> = get(r, 2, "compression settings")?;
            let ord: Option<String> = get(r, 3, "compression settings")?;
            c.segment_by = split_list(seg.as_deref())
                .iter()
                .map(|s| ident(s))
                .collect();
            c.order_by = Some(
                split_list(ord.as_deref())
                    .iter()
                    .map(|s| crate::contract::parse_order_item(s))
                    .collect(),
            );
        }
    } else {
        for r in &settings {
            let qn = QualName::new(
                get::<String>(r, 0, "compression settings")?,
                get::<String>(r, 1, "compression settings")?,
            );
            let Some(c) = schema
                .tables
                .get_mut(&qn)
                .and_then(|t| t.hypertable.as_mut())
                .and_then(|h| h.compression.as_mut())
            else {
                continue;
            };
            let att: String = get(r, 2, "compression settings")?;
            let seg: Option<i32> = get(r, 3, "compression settings")?;
            let ord: Option<i32> = get(r, 4, "compression settings")?;
            let asc: Option<bool> = get(r, 5, "compression settings")?;
            let nf: Option<bool> = get(r, 6, "compression settings")?;
            if seg.is_some() {
                c.segment_by.push(att.clone());
            }
            if ord.is_some() {
                c.order_by.get_or_insert_with(Vec::new).push(OrderItem {
                    column: att,
                    descending: asc == Some(false),
                    nulls_first: nf,
                });
            }
        }
    }
    let mut cagg_by_mat: HashMap<i64, QualName> = HashMap::new();
    for r in &caggs {
        let qn = QualName::new(get::<String>(r, 0, "caggs")?, get::<String>(r, 1, "caggs")?);
        let mat: i64 = get(r, 2, "caggs")?;
        let src_schema: Option<String> = get(r, 3, "caggs")?;
        let src_name: Option<String> = get(r, 4, "caggs")?;
        let materialized_only: bool = get(r, 5, "caggs")?;
        let bucket: Option<String> = get(r, 6, "caggs")?;
        cagg_by_mat.insert(mat, qn.clone());
        by_id.insert(mat, qn.clone());
        schema.caggs.insert(
            qn.clone(),
            ContinuousAggregate {
                name: qn,
                source: src_schema.zip(src_name).map(|(s, n)| QualName::new(s, n)),
                bucket,
                materialized_only: Some(materialized_only),
                refresh: None,
                retention: None,
                loc: None,
            },
        );
    }
    for r in &jobs {
        let proc_name: String = get(r, 1, "jobs")?;
        let schedule: Option<String> = get(r, 2, "jobs")?;
        let config: Option<String> = get(r, 3, "jobs")?;
        let config: serde_json::Value = config
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or(serde_json::Value::Null);
        let json_str = |k: &str| -> Option<String> {
            match config.get(k) {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            }
        };
        let id_of = |k: &str| config.get(k).and_then(|v| v.as_i64());
        match proc_name.as_str() {
            "policy_retention" => {
                let Some(target) = id_of("hypertable_id").and_then(|id| by_id.get(&id)) else {
                    continue;
                };
                let drop_after = json_str("drop_after")
                    .or_else(|| {
                        json_str("drop_created_before").map(|d| format!("created before {d}"))
                    })
                    .unwrap_or_default();
                let retention = Some(Retention {
                    drop_after,
                    loc: None,
                });
                if let Some(h) = schema
                    .tables
                    .get_mut(target)
                    .and_then(|t| t.hypertable.as_mut())
                {
                    h.retention = retention;
                } else if let Some(c) = schema.caggs.get_mut(target) {
                    c.retention = retention;
                }
            }
            "policy_compression" => {
                let Some(target) = id_of("hypertable_id").and_then(|id| by_id.get(&id)) else {
                    continue;
                };
                if let Some(c) = schema
                    .tables
                    .get_mut(target)
                    .and_then(|t| t.hypertable.as_mut())
                    .map(|h| h.compression.get_or_insert_with(Compression::default))
                {
                    c.after = json_str("compress_after").or_else(|| {
                        json_str("compress_created_before").map(|d| format!("created before {d}"))
                    });
                }
            }
            "policy_refresh_continuous_aggregate" => {
                let Some(target) = id_of("mat_hypertable_id").and_then(|id| cagg_by_mat.get(&id))
                else {
                    continue;
                };
                if let Some(c) = schema.caggs.get_mut(target) {
                    c.refresh = Some(RefreshPolicy {
                        start_offset: json_str("start_offset"),
                        end_offset: json_str("end_offset"),
                        schedule_interval: schedule,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads the latest applied version; a missing table or column is drift, not a failed read.
async fn read_migration(
    reader: &Reader,
    m: &Migration,
    live: &Schema,
) -> Result<Migration, IntrospectError> {
    let mut out = Migration {
        table: m.table.clone(),
        version_column: m.version_column.clone(),
        order_by: m.order_by.clone(),
        expect: None,
        applied: None,
        found: false,
        loc: None,
    };
    let Some(t) = live.tables.get(&m.table) else {
        return Ok(out);
    };
    if t.column(&m.version_column).is_none()
        || m.order_by.as_ref().is_some_and(|o| t.column(o).is_none())
    {
        return Ok(out);
    }
    let order = match &m.order_by {
        Some(o) => format!("{} DESC NULLS LAST", quote_ident(o)),
        None => format!("{} DESC", quote_ident(&m.version_column)),
    };
    let sql = format!(
        "SELECT {}::text FROM {}.{} ORDER BY {} LIMIT 1",
        quote_ident(&m.version_column),
        quote_ident(&m.table.schema),
        quote_ident(&m.table.name),
        order
    );
    let rows = reader.query("migration version", &sql, &[]).await?;
    out.applied = match rows.first() {
        Some(r) => get::<Option<String>>(r, 0, "migration version")?,
        None => None,
    };
    out.found = true;
    Ok(out)
}

pub fn quote_ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// `"timestamp"` → `timestamp`, so a plain column compares by name; expressions stay.
fn unquote_simple(def: &str) -> String {
    let t = def.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') && !t[1..t.len() - 1].contains('"') {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

/// Splits TimescaleDB's comma-separated settings, respecting quotes and parentheses.
fn split_list(s: Option<&str>) -> Vec<String> {
    let Some(s) = s else { return Vec::new() };
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                cur.push(c);
            }
            ')' if !quoted => {
                depth -= 1;
                cur.push(c);
            }
            ',' if !quoted && depth == 0 => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Per-kind object counts, for `-v`.
pub fn summary(schema: &Schema) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    m.insert("tables", schema.tables.len());
    m.insert("views", schema.views.len());
    m.insert("continuous aggregates", schema.caggs.len());
    m.insert("enums", schema.enums.len());
    m.insert(
        "hypertables",
        schema
            .tables
            .values()
            .filter(|t| t.hypertable.is_some())
            .count(),
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_settings_lists() {
        assert_eq!(
            split_list(Some("ts DESC,v NULLS FIRST")),
            vec!["ts DESC", "v NULLS FIRST"]
        );
        assert_eq!(split_list(Some("\"a,b\",c")), vec!["\"a,b\"", "c"]);
        assert!(split_list(None).is_empty());
    }

    #[test]
    fn unquotes_plain_columns_only() {
        assert_eq!(unquote_simple("\"timestamp\""), "timestamp");
        assert_eq!(unquote_simple("lower((vin)::text)"), "lower((vin)::text)");
    }
}
