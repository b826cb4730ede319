//! The one rule registry: every finding names a rule from here. `docs/rules.md` is generated
//! from it (`zerogap rules --markdown`), and a test fails when the file is stale.

use serde::Serialize;

use crate::finding::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    Contract,
    Schema,
    Timescale,
    Queries,
    Data,
}

impl Check {
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Contract => "contract",
            Check::Schema => "schema",
            Check::Timescale => "timescale",
            Check::Queries => "queries",
            Check::Data => "data",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// Default severity; policy-driven rules take theirs from the contract's `policy`.
    pub severity: Severity,
    pub check: Check,
    pub summary: &'static str,
    pub fix: &'static str,
    pub example: &'static str,
}

macro_rules! rules {
    ($( $id:ident = $code:literal, $name:literal, $sev:ident, $check:ident, $summary:literal, $fix:literal, $example:literal; )*) => {
        $( pub const $id: Rule = Rule { code: $code, name: $name, severity: Severity::$sev, check: Check::$check, summary: $summary, fix: $fix, example: $example }; )*
        pub const ALL: &[Rule] = &[ $( $id ),* ];
    };
}

rules! {
    HYPERTABLE_UNIQUE_WITHOUT_PARTITION_COLUMN = "ZG001", "hypertable-unique-without-partition-column", Error, Contract,
        "A primary key, unique constraint or unique index on a hypertable does not include every partitioning column. TimescaleDB refuses it: \"cannot create a unique index without the column ... (used in partitioning)\".",
        "Add the time column (and the space-partitioning column) to the key, e.g. `primary_key: [id, timestamp]`.",
        "primary_key: [id]   # hypertable on `timestamp`";
    COMPRESSION_AFTER_RETENTION = "ZG002", "compression-after-retention", Error, Contract,
        "The compression policy starts at or after the age at which the retention policy drops the data, so nothing would ever be compressed.",
        "Make `compression.after` shorter than `retention.drop_after`.",
        "compression: { after: 120 days }\nretention: { drop_after: 90 days }";
    CAGG_SOURCE_NOT_HYPERTABLE = "ZG003", "cagg-source-not-hypertable", Error, Contract,
        "A continuous aggregate's source is not declared as a hypertable; TimescaleDB only builds continuous aggregates on hypertables.",
        "Declare `hypertable:` on the source table, or point `source:` at a hypertable.",
        "continuous_aggregates: { daily: { source: users } }";
    UNDECLARED_REFERENCE = "ZG004", "undeclared-reference", Warning, Contract,
        "A foreign key target, a continuous aggregate source, a hypertable column or a key column names something the contracts do not declare.",
        "Declare the referenced table/column, or fix the spelling.",
        "references: fleet(fleet_id)   # table is `fleets`";
    WAIVER_EXPIRED = "ZG005", "waiver-expired", Warning, Contract,
        "A waiver in zerogap.yaml is past its `expires` date: the findings it covered count again (from the day after the expiry date).",
        "Fix what the waiver covered, or renew the waiver with a new reason and expiry.",
        "waivers:\n  - { rule: ZG102, object: public.legacy_audit, reason: drop in Q1, expires: 2027-03-31 }";
    WAIVER_UNUSED = "ZG006", "waiver-unused", Warning, Contract,
        "A waiver in zerogap.yaml matches no finding of this run: the problem it accepted is gone, or the waiver names the wrong rule or object.",
        "Remove the waiver, or correct its `rule` / `object`.",
        "waivers:\n  - { rule: ZG102, object: public.legacy_audt, reason: typo, expires: 2027-03-31 }";

    TABLE_MISSING = "ZG101", "table-missing", Error, Schema,
        "A declared table does not exist in the database.",
        "Run the migration that creates it, or remove it from the contract.",
        "tables: { signal_greeks: ... }   # no such table";
    TABLE_UNDECLARED = "ZG102", "table-undeclared", Warning, Schema,
        "The database has a table the contracts do not declare (severity from `policy.undeclared_tables`).",
        "Declare it, drop it, or waive the finding with a reason and an expiry.",
        "public.legacy_audit exists but is not declared";
    COLUMN_MISSING = "ZG103", "column-missing", Error, Schema,
        "A declared column does not exist.",
        "Add the column (migration) or remove it from the contract.",
        "columns: { delta: { type: numeric(10,6) } }   # column absent";
    COLUMN_TYPE_MISMATCH = "ZG104", "column-type-mismatch", Error, Schema,
        "A column's type differs from the declared type (aliases such as `int`/`integer` and `varchar`/`character varying` are equal).",
        "Alter the column type or correct the contract.",
        "delta is numeric(12,4), the contract says numeric(10,6)";
    COLUMN_UNDECLARED = "ZG105", "column-undeclared", Error, Schema,
        "A declared table has a column the contract does not declare (severity from `policy.undeclared_columns`).",
        "Declare the column or drop it.",
        "signal_greeks.debug_note exists but is not declared";
    COLUMN_NULLABILITY_MISMATCH = "ZG106", "column-nullability-mismatch", Error, Schema,
        "A column is NULL-able where the contract says NOT NULL, or the reverse. An omitted `nullable` means nullable, except for primary-key, serial, identity and hypertable time columns.",
        "ALTER COLUMN ... SET/DROP NOT NULL, or correct `nullable:`.",
        "nullable: false   # column allows NULL";
    COLUMN_DEFAULT_MISMATCH = "ZG107", "column-default-mismatch", Error, Schema,
        "A column's default differs from the declared one (expressions are compared after normalisation; an omitted `default` means none).",
        "ALTER COLUMN ... SET/DROP DEFAULT, or correct `default:`.",
        "default: now()   # column has no default";
    COLUMN_IDENTITY_MISMATCH = "ZG108", "column-identity-mismatch", Error, Schema,
        "A column's identity (always / by default / none) or serial sequence differs from the contract.",
        "ALTER COLUMN ... ADD/DROP IDENTITY, or correct `identity:`/the serial type.",
        "identity: always   # column is GENERATED BY DEFAULT";
    COLUMN_GENERATED_MISMATCH = "ZG109", "column-generated-mismatch", Error, Schema,
        "A generated column's expression differs, or a column is generated where the contract says it is not (or the reverse).",
        "Recreate the column with the declared `GENERATED ALWAYS AS (...) STORED` expression.",
        "generated: substr(vin, 1, 3)";
    COMMENT_MISMATCH = "ZG110", "comment-mismatch", Error, Schema,
        "A declared table or column `comment` differs from COMMENT ON in the database.",
        "COMMENT ON ... IS '...', or correct the contract.",
        "comment: \"ISO 3779\"";
    PRIMARY_KEY_MISMATCH = "ZG111", "primary-key-mismatch", Error, Schema,
        "The primary key is missing, extra, or on other columns than declared.",
        "Alter the primary key or correct `primary_key:`.",
        "primary_key: [id, timestamp]   # database key is (id)";
    FOREIGN_KEY_MISSING = "ZG112", "foreign-key-missing", Error, Schema,
        "A declared foreign key does not exist.",
        "ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY.",
        "references: fleets(fleet_id)";
    FOREIGN_KEY_MISMATCH = "ZG113", "foreign-key-mismatch", Error, Schema,
        "A foreign key exists but its columns, target or ON DELETE/ON UPDATE action differ.",
        "Recreate the constraint as declared.",
        "on_delete: cascade   # database has NO ACTION";
    UNIQUE_CONSTRAINT_MISSING = "ZG114", "unique-constraint-missing", Error, Schema,
        "A declared unique constraint does not exist.",
        "ALTER TABLE ... ADD CONSTRAINT ... UNIQUE.",
        "constraints: { vehicles_vin_key: { unique: [vin] } }";
    UNIQUE_CONSTRAINT_MISMATCH = "ZG115", "unique-constraint-mismatch", Error, Schema,
        "A unique constraint exists under the declared name but on other columns, or the name is another kind of constraint.",
        "Recreate the constraint as declared.",
        "unique: [vin]   # database: UNIQUE (vin, fleet_id)";
    CHECK_CONSTRAINT_MISSING = "ZG116", "check-constraint-missing", Error, Schema,
        "A declared CHECK constraint does not exist.",
        "ALTER TABLE ... ADD CONSTRAINT ... CHECK (...).",
        "constraints: { chk_delta: { check: \"delta BETWEEN -5 AND 5\" } }";
    CHECK_CONSTRAINT_MISMATCH = "ZG117", "check-constraint-mismatch", Error, Schema,
        "A CHECK constraint's expression differs from the declared one after normalisation (`IN (...)` equals `= ANY (ARRAY[...])`, casts, parentheses and case are ignored).",
        "Recreate the constraint with the declared expression, or correct the contract.",
        "check: \"delta BETWEEN -5 AND 5\"   # database: delta BETWEEN -10 AND 10";
    CONSTRAINT_UNDECLARED = "ZG118", "constraint-undeclared", Error, Schema,
        "A declared table has a foreign key, unique or CHECK constraint the contract does not declare (a contract reads like DDL: what it does not declare should not be there).",
        "Declare it or drop it.",
        "CHECK (price > 0) exists but is not declared";
    INDEX_MISSING = "ZG119", "index-missing", Error, Schema,
        "A declared index does not exist.",
        "CREATE INDEX (CONCURRENTLY) as declared.",
        "indexes: { idx_signal_greeks_signal_id: { columns: [signal_id] } }";
    INDEX_MISMATCH = "ZG120", "index-mismatch", Error, Schema,
        "An index exists under the declared name but its columns, order, operator class, method, uniqueness, INCLUDE list or predicate differ.",
        "Recreate the index as declared.",
        "columns: [instrument_key, timestamp DESC]   # database: (instrument_key, timestamp)";
    INDEX_UNDECLARED = "ZG121", "index-undeclared", Info, Schema,
        "A declared table has an index the contract does not declare (severity from `policy.undeclared_indexes`).",
        "Declare it or drop it.",
        "idx_tmp_debug exists but is not declared";
    ENUM_MISSING = "ZG122", "enum-missing", Error, Schema,
        "A declared enum type does not exist.",
        "CREATE TYPE ... AS ENUM (...).",
        "enums: { moneyness_level: [OTM, ATM, ITM] }";
    ENUM_VALUES_MISMATCH = "ZG123", "enum-values-mismatch", Error, Schema,
        "An enum's labels (or their order) differ from the declared list.",
        "ALTER TYPE ... ADD VALUE, or correct the contract.",
        "[DEEP_OTM, OTM, ATM]   # database lacks DEEP_OTM";
    VIEW_MISSING = "ZG124", "view-missing", Error, Schema,
        "A declared view does not exist.",
        "CREATE VIEW as declared.",
        "views: { active_signals: {} }";
    VIEW_COLUMNS_MISMATCH = "ZG125", "view-columns-mismatch", Error, Schema,
        "A view's output columns differ from the declared list.",
        "Recreate the view, or correct `columns:`.",
        "columns: [vehicle_id, vin, fleet]";
    VIEW_UNDECLARED = "ZG126", "view-undeclared", Warning, Schema,
        "The database has a view or materialized view the contracts do not declare (severity from `policy.undeclared_tables`).",
        "Declare it or drop it.",
        "public.tmp_report exists but is not declared";
    EXPRESSION_NOT_COMPARABLE = "ZG127", "expression-not-comparable", Warning, Schema,
        "An expression (CHECK, default, index predicate, generated column) could not be compared with confidence; it was neither passed nor failed.",
        "Write the expression as PostgreSQL prints it (see `actual`), or simplify it.",
        "check: \"x @@@ y\"   # does not parse";
    MIGRATION_VERSION_MISMATCH = "ZG128", "migration-version-mismatch", Error, Schema,
        "The latest applied migration version differs from `migrations.expect`, or the migration table is missing or empty.",
        "Apply the pending migrations, or update `expect`.",
        "expect: 1.1.0   # database is at 1.0.0";
    ENUM_UNDECLARED = "ZG129", "enum-undeclared", Info, Schema,
        "The database has an enum type the contracts do not declare (severity from `policy.undeclared_tables`, at most info).",
        "Declare it in `enums:` or drop it.",
        "CREATE TYPE mood AS ENUM (...) exists but is not declared";

    DYNAMIC_SQL = "ZG301", "dynamic-sql", Error, Queries,
        "SQL text is built at run time from non-constant parts (f-string, %-formatting, .format(), concatenation, format!, fmt.Sprintf, template literal, String.format, StringBuilder): values can reach the server as SQL.",
        "Keep the SQL text constant and pass values as bind parameters ($1, %s, ?, :name); compose identifiers with a quoting API (psycopg.sql.Identifier, pgx.Identifier).",
        "cursor.execute(f\"SELECT * FROM users WHERE id = {user_id}\")";
    INLINE_LITERAL = "ZG302", "inline-literal", Warning, Queries,
        "Application SQL compares against (or inserts, or sets) a literal value where a bind parameter belongs. Migrations, views and contracts are not checked for this.",
        "Pass the value as a bind parameter, or suppress with `zerogap: ignore[inline-literal]` when the constant is intended.",
        "SELECT * FROM orders WHERE status = 'OPEN'";
    UNPARSEABLE_SQL = "ZG303", "unparseable-sql", Warning, Queries,
        "A string that reads as SQL (or is passed to a database call) does not parse; it could not be verified. DDL that the parser cannot read in .sql files is reported at info level.",
        "Fix the SQL, or suppress with `zerogap: ignore[unparseable-sql]` if the parser is wrong (the finding carries its message).",
        "SELEC id FROM users";
    UNKNOWN_TABLE = "ZG304", "unknown-table", Error, Queries,
        "A query names a table or view the contracts do not declare.",
        "Declare the table in a contract, or fix the query.",
        "SELECT * FROM customer   -- the contract declares customers";
    UNKNOWN_COLUMN = "ZG305", "unknown-column", Error, Queries,
        "A query names a column its table does not declare (aliases, CTEs and subqueries are resolved).",
        "Declare the column, or fix the query.",
        "SELECT u.nickname FROM users u";
    IDENTIFIER_COMPOSITION = "ZG306", "identifier-composition", Info, Queries,
        "SQL text is composed at run time, but only through an API that cannot inject: identifier quoting (psycopg.sql.Identifier, quote_ident, pgx.Identifier), value escaping (connection.escape, pq.QuoteLiteral) or a number (%d, int(), a variable typed as a number). Listed so a reviewer knows.",
        "Nothing to fix; make sure the identifier comes from an allow-list.",
        "sql.SQL(\"SELECT * FROM {}\").format(sql.Identifier(table))";
    TABLE_NOT_QUERIED = "ZG307", "table-not-queried", Info, Queries,
        "A declared table is named by no query found in the repository.",
        "Nothing to fix if another service uses it; otherwise it may be dead.",
        "public.legacy_audit is declared but no query reads it";
    PLACEHOLDER_COUNT_MISMATCH = "ZG308", "placeholder-count-mismatch", Error, Queries,
        "The calling code visibly passes a different number of bind arguments than the query has placeholders: it fails (or binds the wrong values) at run time.",
        "Pass one argument per distinct placeholder ($1..$n, %s, ?, :name).",
        "cursor.execute(\"SELECT * FROM t WHERE a = %s AND b = %s\", (a,))";
    PREPARE_FAILED = "ZG401", "prepare-failed", Error, Queries,
        "The live server rejects the query when asked to PREPARE it (never executed, in a read-only transaction that is rolled back): it would fail in production. The finding carries the SQLSTATE and the server's message, at the query's source line.",
        "Fix the query or the schema (a dropped or renamed column or table, a changed type).",
        "SELECT delta FROM signal_greeks   -- column \"delta\" does not exist (42703)";
    QUERY_NOT_VERIFIABLE = "ZG402", "query-not-verifiable", Info, Queries,
        "A query builds identifiers at run time (through a quoting API), so its text is not known before it runs and it cannot be prepared: it is not verified, not passed.",
        "Nothing to fix; keep the identifiers on an allow-list, or declare the finished query in `queries:`.",
        "sql.SQL(\"SELECT * FROM {}\").format(sql.Identifier(table))";
    DECLARED_QUERY_NOT_FOUND = "ZG403", "declared-query-not-found", Error, Queries,
        "A query declared in `queries:` (one other services rely on) is not in the repository: no query matches its fingerprint (whitespace, case and placeholder style aside).",
        "Update the declared SQL to the query the code runs, or restore the query.",
        "queries: { latest_greeks: { sql: SELECT ... } }   # the code now selects other columns";
    DECLARED_QUERY_NOT_PARAMETERISED = "ZG404", "declared-query-not-parameterised", Error, Queries,
        "A declared query compares against, inserts or sets literal values where bind parameters belong.",
        "Replace the literals with placeholders and declare their types in `params`.",
        "sql: SELECT * FROM signal_greeks WHERE instrument_key = 'NSE@X@EQ'";
    DECLARED_QUERY_PARAMS_MISMATCH = "ZG405", "declared-query-params-mismatch", Error, Queries,
        "The parameter types the server infers when it prepares a declared query differ from its declared `params`.",
        "Declare the types the server infers, or cast the placeholders in the SQL ($1::bigint).",
        "params: [integer]   # the server infers varchar for $1";
    DECLARED_QUERY_RETURNS_MISMATCH = "ZG406", "declared-query-returns-mismatch", Error, Queries,
        "The result columns of a declared query (names, order, types) as the server describes them differ from its declared `returns`: consumers would read something else.",
        "Declare what the query returns, or change the query back.",
        "returns: { delta: numeric }   # the server returns delta double precision";
    QUERY_TOO_SLOW = "ZG407", "query-too-slow", Warning, Queries,
        "With `check --bench`: the median execution time of a declared query (EXPLAIN ANALYZE with its `example_params`, in a read-only transaction) is above its `max_latency_ms`.",
        "Add or fix an index, narrow the time range, or raise the declared budget.",
        "max_latency_ms: 50   # median 212.4 ms over 5 runs";
    QUERY_SCANS_HYPERTABLE = "ZG408", "query-scans-hypertable", Warning, Queries,
        "With `check --bench`: the plan of a declared query reads a hypertable's chunks with sequential scans and no index: it reads the whole table instead of the chunks and rows it needs.",
        "Filter on the time column (chunk exclusion) and on indexed columns.",
        "SELECT ... FROM signal_greeks WHERE delta > $1";
    BENCH_FAILED = "ZG409", "bench-failed", Error, Queries,
        "With `check --bench`: a declared query with `example_params` could not be run under EXPLAIN ANALYZE (the server's message is in the finding). Its latency is unknown, not within budget.",
        "Fix the query or its example_params (one per placeholder, as text the server can cast).",
        "example_params: [\"not-a-number\"]   # for a bigint placeholder";

    HYPERTABLE_MISSING = "ZG201", "hypertable-missing", Error, Timescale,
        "A table declared with `hypertable:` is a plain table (or TimescaleDB is not installed).",
        "SELECT create_hypertable(...) (or migrate the table).",
        "hypertable: { time_column: timestamp }";
    HYPERTABLE_UNDECLARED = "ZG202", "hypertable-undeclared", Error, Timescale,
        "A table is a hypertable but the contract declares it as a plain table.",
        "Add `hypertable:` to the table's contract.",
        "signal_greeks is a hypertable, the contract has no hypertable block";
    TIME_DIMENSION_MISMATCH = "ZG203", "time-dimension-mismatch", Error, Timescale,
        "The hypertable is partitioned on another time column than declared.",
        "Recreate the hypertable on the declared column, or correct `time_column`.",
        "time_column: timestamp   # partitioned on created_at";
    CHUNK_INTERVAL_MISMATCH = "ZG204", "chunk-interval-mismatch", Error, Timescale,
        "The chunk time interval differs from `chunk_time_interval` (compared as intervals: `1 day` = `24 hours`).",
        "SELECT set_chunk_time_interval(...).",
        "chunk_time_interval: 1 day   # database: 7 days";
    SPACE_PARTITIONING_MISMATCH = "ZG205", "space-partitioning-mismatch", Error, Timescale,
        "The space dimension (column or number of partitions) differs from `partitioning`.",
        "add_dimension(...)/set_number_partitions(...), or correct the contract.",
        "partitioning: { column: symbol, partitions: 4 }";
    COMPRESSION_MISMATCH = "ZG206", "compression-mismatch", Error, Timescale,
        "Compression is off where declared, on where not declared, or its segment-by/order-by settings differ.",
        "ALTER TABLE ... SET (timescaledb.compress, timescaledb.compress_segmentby = ..., timescaledb.compress_orderby = ...).",
        "segment_by: [instrument_key]   # database: none";
    COMPRESSION_POLICY_MISMATCH = "ZG207", "compression-policy-mismatch", Error, Timescale,
        "The compression policy is missing, undeclared, or compresses after another age than `compression.after`.",
        "add_compression_policy(...)/remove_compression_policy(...).",
        "after: 7 days   # no compression policy";
    RETENTION_POLICY_MISMATCH = "ZG208", "retention-policy-mismatch", Error, Timescale,
        "The retention policy is missing, undeclared, or drops after another age than `retention.drop_after`.",
        "add_retention_policy(...)/remove_retention_policy(...).",
        "retention: { drop_after: 90 days }   # database: 30 days";
    CAGG_MISSING = "ZG209", "cagg-missing", Error, Timescale,
        "A declared continuous aggregate does not exist (or is a plain view).",
        "CREATE MATERIALIZED VIEW ... WITH (timescaledb.continuous).",
        "continuous_aggregates: { greeks_hourly: ... }";
    CAGG_MISMATCH = "ZG210", "cagg-mismatch", Error, Timescale,
        "A continuous aggregate's source hypertable, bucket width or materialized_only setting differs.",
        "Recreate the aggregate, or ALTER MATERIALIZED VIEW ... SET (timescaledb.materialized_only = ...).",
        "bucket: 1 hour   # database: 1 day";
    CAGG_REFRESH_POLICY_MISMATCH = "ZG211", "cagg-refresh-policy-mismatch", Error, Timescale,
        "The refresh policy of a continuous aggregate is missing, undeclared, or has other offsets or schedule.",
        "add_continuous_aggregate_policy(...) with the declared offsets.",
        "refresh: { start_offset: 3 days, end_offset: 1 hour, schedule_interval: 1 hour }";
    CAGG_UNDECLARED = "ZG212", "cagg-undeclared", Warning, Timescale,
        "The database has a continuous aggregate the contracts do not declare (severity from `policy.undeclared_tables`).",
        "Declare it in `continuous_aggregates:` or drop it.",
        "public.greeks_daily exists but is not declared";
    TIMESCALEDB_MISSING = "ZG213", "timescaledb-missing", Error, Timescale,
        "The contracts declare TimescaleDB objects or `requires.timescaledb`, but the extension is not installed.",
        "CREATE EXTENSION timescaledb.",
        "requires: { timescaledb: \">=2.13\" }";
    TIMESCALEDB_VERSION_UNSATISFIED = "ZG214", "timescaledb-version-unsatisfied", Error, Timescale,
        "The installed TimescaleDB version does not satisfy `requires.timescaledb`.",
        "ALTER EXTENSION timescaledb UPDATE, or relax the requirement.",
        "requires: { timescaledb: \">=2.13\" }   # installed 2.11.2";

    DATA_PATTERN = "ZG501", "data-pattern-violation", Error, Data,
        "With `check --data`: values of a column do not match the column's `rules.pattern` (a PostgreSQL regular expression, `~`). The finding carries the count, the share of rows read and examples.",
        "Fix the rows (or the writer that produces them), or correct the pattern.",
        "signal_id: { type: varchar(255), rules: { pattern: '^signal_\\d{8}_\\d{6}$' } }   # 'sig-42'";
    DATA_OUT_OF_RANGE = "ZG502", "data-out-of-range", Error, Data,
        "With `check --data`: values of a column are below `rules.min` or above `rules.max` (compared as numeric).",
        "Fix the rows, or add the CHECK constraint the rule describes once they are clean.",
        "delta: { type: numeric(10,6), rules: { min: -5, max: 5 } }   # 7.5";
    DATA_VALUE_NOT_ALLOWED = "ZG503", "data-value-not-allowed", Error, Data,
        "With `check --data`: values of a column are not in `rules.in` (compared as text, as PostgreSQL prints the value).",
        "Fix the rows, or add the value to the contract (or use an enum type).",
        "moneyness: { type: text, rules: { in: [OTM, ATM, ITM] } }   # 'DEEP'";
    DATA_NULL = "ZG504", "data-null", Error, Data,
        "With `check --data`: a column the contract promises never holds NULL (`rules.not_null: true`) has NULLs. Where the contract also declares the column NOT NULL and the database does not enforce it, the count is reported with that catalog finding (ZG106) instead.",
        "Backfill the rows, then ALTER TABLE ... ALTER COLUMN ... SET NOT NULL.",
        "payload: { type: jsonb, rules: { not_null: true } }";
    DATA_DUPLICATE = "ZG505", "data-duplicate", Error, Data,
        "With `check --data`: a column promised `rules.unique: true` repeats values; the count is the rows that repeat an earlier value.",
        "Remove the duplicates, then add a unique index.",
        "signal_id: { type: text, rules: { unique: true } }";
    DATA_TOO_LONG = "ZG506", "data-too-long", Error, Data,
        "With `check --data`: values longer than `rules.max_length` characters.",
        "Shorten the rows, or raise the limit in the contract.",
        "code: { type: text, rules: { max_length: 12 } }";
    DATA_JSON_TYPE = "ZG507", "data-json-type", Error, Data,
        "With `check --data`: JSON values whose `jsonb_typeof` is not `rules.json_type` (object, array, string, number, boolean, null). A JSON `null` breaks `json_type: object`; a SQL NULL does not (that is `not_null`).",
        "Fix the writer; add CHECK (jsonb_typeof(col) = 'object') once the rows are clean.",
        "attrs: { type: jsonb, rules: { json_type: object } }   # 'null'";
    DATA_STALE = "ZG508", "data-stale", Error, Data,
        "With `check --data`: the newest value of the `data.freshness` column is older than `max_age` (or the table is empty).",
        "Look at the writer or the ingestion job.",
        "data: { freshness: { column: timestamp, max_age: 15 minutes } }";
    DATA_ROW_COUNT = "ZG509", "data-row-count", Error, Data,
        "With `check --data`: the table has fewer rows than `data.row_count.min` or more than `data.row_count.max`. Exact when the whole table is read, from the planner's statistics (said so) when only a window or a sample is.",
        "Look at the loader, the retention policy, or the bounds.",
        "data: { row_count: { min: 1000 } }";
    DATA_ORPHANS = "ZG510", "data-orphans", Error, Data,
        "With `check --data`: rows whose foreign-key columns name no row of the referenced table, for a foreign key in `data.no_orphans` that the database does not enforce. Where the declared foreign key is missing from the database, the count is reported with that catalog finding (ZG112).",
        "Delete or repair the orphans, then add the foreign key (NOT VALID, then VALIDATE).",
        "data: { no_orphans: [orders_customer_id_fkey] }";
    DATA_RULE_NOT_RUN = "ZG511", "data-rule-not-run", Info, Data,
        "With `check --data`: a rule could not be evaluated because what it needs is not in the database (the table or column is missing, the column's type does not fit the rule). The catalog finding says what is missing; the rule counts as not met.",
        "Fix the schema drift first.",
        "rules: { json_type: object } on a text column";
}

pub fn by_code(code: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.code == code)
}

/// Resolves a waiver/ignore reference that may be a code or a name.
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// `docs/rules.md`, generated.
pub fn markdown() -> String {
    let mut out = String::from(
        "# zerogap rules\n\n<!-- generated by `zerogap rules --markdown`; do not edit by hand -->\n\n\
         Every finding names one of these rules: a stable code, a kebab-case name and a default severity.\n\n\
         | code | name | severity | check |\n|---|---|---|---|\n",
    );
    for r in ALL {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            r.code,
            r.code.to_lowercase(),
            r.name,
            r.severity.as_str(),
            r.check.as_str()
        ));
    }
    for r in ALL {
        out.push_str(&format!(
            "\n## {}\n\n`{}` · default severity **{}** · check `{}`\n\n{}\n\n**How to fix:** {}\n\n**Example:**\n\n```yaml\n{}\n```\n",
            r.code,
            r.name,
            r.severity.as_str(),
            r.check.as_str(),
            r.summary,
            r.fix,
            r.example
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for r in ALL {
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(r.code.len() == 5 && r.code.starts_with("ZG"), "{}", r.code);
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{}",
                r.name
            );
        }
    }

    #[test]
    fn docs_rules_md_is_generated_from_the_registry() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown(),
            "docs/rules.md is stale: run `cargo run -- rules --markdown > docs/rules.md`"
        );
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(
            lookup("ZG104").map(|r| r.name),
            Some("column-type-mismatch")
        );
        assert_eq!(lookup("table-undeclared").map(|r| r.code), Some("ZG102"));
    }
}
