//! Catalog queries: one per object kind for every relation in the schemas in scope
//! (`$1 = text[]` of schema names), never one per table.

/// Relations that belong to an extension are not the team's to declare.
///
/// The comment comes from a join on pg_description (unique on objoid, classoid, objsubid)
/// instead of obj_description(), a SQL function that is not inlined and ran once per row.
pub const RELATIONS: &str = "
SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text, dsc.description
FROM pg_namespace n
JOIN pg_class c ON c.relnamespace = n.oid
LEFT JOIN pg_description dsc
       ON dsc.objoid = c.oid AND dsc.classoid = 'pg_class'::regclass AND dsc.objsubid = 0
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm')
  AND NOT c.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')";

/// Shape: one pass over the in-scope tables' pg_attribute rows, unsorted (the client sorts:
/// cheaper than a server sort that spilled to disk at the default work_mem); comments by join
/// instead of col_description() per row; the owned (serial) sequence only for columns whose
/// default calls nextval() (funcid 1574), by one pg_depend probe each (min() only breaks ties
/// where LIMIT 1 was arbitrary). Defaults without column references (`{VAR ` absent from the
/// node tree) are deparsed with relid 0: same text, but no relation open, i.e. no relcache
/// entry built per table in this fresh backend (that was most of the cost); generated columns
/// keep the table's relid. attnum lets the constraint and index reads return column numbers
/// that the client names from these rows.
pub const COLUMNS: &str = "
SELECT a.attrelid::int8, a.attnum::int4, a.attname::text, format_type(a.atttypid, a.atttypmod),
       a.attnotnull,
       pg_get_expr(ad.adbin, CASE WHEN strpos(ad.adbin::text, '{VAR ') > 0 THEN ad.adrelid ELSE 0 END),
       a.attidentity::text, a.attgenerated::text, dsc.description,
       CASE WHEN strpos(ad.adbin::text, ':funcid 1574 ') > 0 THEN
         (SELECT min(s.relname)::text
          FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
          WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid
            AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass AND d.deptype = 'a')
       END
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_description dsc ON dsc.objoid = a.attrelid AND dsc.classoid = 'pg_class'::regclass
                            AND dsc.objsubid = a.attnum
WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1))
  AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped";

/// Shape: key columns as numbers (conkey/confkey), named by the client from the COLUMNS rows
/// (a grouped pg_attribute join for names was two thirds of this query); only a foreign key
/// whose referenced table is outside the schemas in scope gets its referenced names here.
/// pg_get_constraintdef() only for CHECKs (column 3 is empty text for the other kinds, which
/// are compared by their columns), and it runs once per group of constraints whose text
/// cannot differ: same conbin, conkey, names of the conkey columns and flags (whole-row
/// references, which print the table name, are never grouped). Deparsing a CHECK opens its
/// table (a relcache build per table in a fresh backend), so inherited/chunk CHECKs and
/// repeated patterns cost one build per group. Any pg_constraint column this list does not
/// know (a newer server) turns the grouping off. The key names the conkey columns in attnum
/// order (with conkey itself that fixes number → name) by one index probe, cheaper than
/// unnesting conkey in order. The OFFSET 0 keeps the grouping key (a sha256 of the text)
/// computed before the sort so the sort stays narrow. Unsorted: the client sorts.
pub const CONSTRAINTS: &str = "
SELECT conrelid::int8, conname::text, contype::text,
       CASE WHEN contype <> 'c' THEN ''
            WHEN rep IS NULL THEN pg_get_constraintdef(oid, true)
            ELSE max(CASE WHEN oid = rep THEN pg_get_constraintdef(oid, true) END) OVER (PARTITION BY chkkey) END,
       conkey, confrelid, fnspname, frelname, confkey, fcols, confdeltype::text, confupdtype::text
FROM (
  SELECT x.*,
         CASE WHEN x.chkkey IS NOT NULL
              THEN first_value(x.oid) OVER (PARTITION BY x.chkkey ORDER BY x.oid) END AS rep
  FROM (
    SELECT con.oid, con.conrelid, con.conname, con.contype, con.confdeltype, con.confupdtype,
           COALESCE(con.conkey, '{}') AS conkey, COALESCE(con.confkey, '{}') AS confkey,
           con.confrelid::int8 AS confrelid, fn.nspname::text AS fnspname, fc.relname::text AS frelname,
           CASE WHEN con.contype = 'f' AND NOT (fn.nspname = ANY($1)) THEN
             ARRAY(SELECT a.attname::text
                   FROM unnest(con.confkey) WITH ORDINALITY u(num, ord)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = u.num
                   ORDER BY u.ord) END AS fcols,
           CASE WHEN con.contype = 'c' AND NOT (0 = ANY (con.conkey)) AND NOT EXISTS (
                       SELECT 1 FROM pg_attribute
                       WHERE attrelid = 'pg_constraint'::regclass AND attnum > 0 AND attname NOT IN
                         ('oid', 'conname', 'connamespace', 'contype', 'condeferrable', 'condeferred',
                          'convalidated', 'conrelid', 'contypid', 'conindid', 'conparentid', 'confrelid',
                          'confupdtype', 'confdeltype', 'confmatchtype', 'conislocal', 'coninhcount',
                          'connoinherit', 'conkey', 'confkey', 'conpfeqop', 'conppeqop', 'conffeqop',
                          'confdelsetcols', 'conexclop', 'conbin'))
                THEN sha256(convert_to(concat_ws(' ', con.conkey::text,
                       ARRAY(SELECT a.attname::text FROM pg_attribute a
                             WHERE a.attrelid = con.conrelid AND a.attnum = ANY (con.conkey)
                             ORDER BY a.attnum)::text,
                       con.connoinherit, con.condeferrable, con.condeferred, con.convalidated,
                       con.conbin::text), 'UTF8')) END AS chkkey
    FROM pg_class c
    JOIN pg_constraint con ON con.conrelid = c.oid
    LEFT JOIN pg_class fc ON fc.oid = con.confrelid
    LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
    WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1))
      AND con.contype IN ('p', 'u', 'f', 'c', 'x')
    OFFSET 0
  ) x
) y";

/// Shape: key columns as numbers (indkey; 0 = an expression), named by the client from the
/// COLUMNS rows; pg_get_indexdef() (which opens the table and deparses) only for expression
/// columns, which gives the same text. Operator classes as oids, named by the client from
/// OPCLASSES; constraint backing by an index probe. Predicates are deparsed once per group
/// of indexes whose text cannot differ (same node tree and same column names of the table;
/// whole-row references never grouped), because each deparse opens the table: the groups'
/// representatives (lowest oid) are found by a hash aggregate over the partial indexes only
/// and their text joined back by key, so no row is sorted (a window over all indexes sorted
/// them, spilling to disk). `x` is read twice, so every server materialises it once.
/// Unsorted: the client sorts.
pub const INDEXES: &str = "
WITH x AS (
  SELECT i.indexrelid, i.indrelid, ic.relname::text AS relname, am.amname::text AS amname,
         i.indisunique, i.indnkeyatts, i.indpred IS NOT NULL AS partial,
         (i.indkey::int2[])::int4[] AS keys,
         CASE WHEN i.indexprs IS NOT NULL THEN
           ARRAY(SELECT CASE WHEN u.a = 0 THEN pg_get_indexdef(i.indexrelid, u.o::int4, true) END
                 FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(a, o) ORDER BY u.o)
         END AS exprs,
         (i.indoption::int2[])::int4[] AS options,
         (i.indclass::oid[])::int8[] AS opcs,
         CASE WHEN i.indpred IS NOT NULL AND i.indpred::text !~ ':varattno 0 '
              THEN sha256(convert_to(i.indpred::text || ' ' ||
                     ARRAY(SELECT a.attname::text FROM pg_attribute a
                           WHERE a.attrelid = i.indrelid AND a.attnum > 0
                           ORDER BY a.attnum)::text, 'UTF8')) END AS predkey,
         EXISTS (SELECT 1 FROM pg_constraint cb
                 WHERE cb.conindid = i.indexrelid AND cb.conrelid = i.indrelid
                   AND cb.contype IN ('p', 'u', 'x')) AS constraint_backed
  FROM pg_class c
  JOIN pg_index i ON i.indrelid = c.oid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  WHERE c.relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname = ANY($1))
    AND c.relkind IN ('r', 'p', 'm')
), preds AS (
  SELECT r.predkey, pg_get_expr(p.indpred, p.indrelid) AS pred
  FROM (SELECT predkey, min(indexrelid) AS rep FROM x WHERE predkey IS NOT NULL GROUP BY predkey) r
  JOIN pg_index p ON p.indexrelid = r.rep
)
SELECT x.indrelid::int8, x.relname, x.amname, x.indisunique, x.indnkeyatts::int4, x.keys,
       x.exprs, x.options, x.opcs,
       CASE WHEN x.predkey IS NOT NULL THEN preds.pred
            WHEN x.partial THEN (SELECT pg_get_expr(p.indpred, p.indrelid)
                                 FROM pg_index p WHERE p.indexrelid = x.indexrelid) END,
       x.constraint_backed
FROM x LEFT JOIN preds ON preds.predkey = x.predkey";

/// Operator class names by oid ('' for a type's default class, which contracts omit).
pub const OPCLASSES: &str = "
SELECT oid::int8, CASE WHEN opcdefault THEN '' ELSE opcname::text END FROM pg_opclass";

pub const ENUMS: &str = "
SELECT n.nspname::text, t.typname::text,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')";

pub const SERVER: &str = "
SELECT current_database()::text, current_setting('server_version'),
       (SELECT extversion::text FROM pg_extension WHERE extname = 'timescaledb'),
       to_regclass('timescaledb_information.hypertable_compression_settings') IS NOT NULL,
       to_regprocedure('_timescaledb_functions.cagg_get_bucket_function_info(integer)') IS NOT NULL,
       to_regclass('_timescaledb_catalog.continuous_aggs_bucket_function') IS NOT NULL";

/// TimescaleDB's own relations that live beside user tables: chunks, compressed and
/// materialized hypertables, and a cagg's partial/direct views.
pub const TS_INTERNAL: &str = "
SELECT schema_name::text, table_name::text FROM _timescaledb_catalog.chunk WHERE schema_name = ANY($1)
UNION ALL
SELECT h.schema_name::text, h.table_name::text FROM _timescaledb_catalog.hypertable h
WHERE h.schema_name = ANY($1)
  AND (h.compression_state = 2 OR h.id IN (SELECT mat_hypertable_id FROM _timescaledb_catalog.continuous_agg))
UNION ALL
SELECT partial_view_schema::text, partial_view_name::text FROM _timescaledb_catalog.continuous_agg
WHERE partial_view_schema = ANY($1)
UNION ALL
SELECT direct_view_schema::text, direct_view_name::text FROM _timescaledb_catalog.continuous_agg
WHERE direct_view_schema = ANY($1)";

pub const TS_HYPERTABLES: &str = "
SELECT h.id::int8, h.schema_name::text, h.table_name::text,
       COALESCE(ht.compression_enabled, false)
FROM _timescaledb_catalog.hypertable h
LEFT JOIN timescaledb_information.hypertables ht
       ON ht.hypertable_schema = h.schema_name AND ht.hypertable_name = h.table_name
WHERE h.schema_name = ANY($1)";

pub const TS_DIMENSIONS: &str = "
SELECT hypertable_schema::text, hypertable_name::text, dimension_number::int8, column_name::text,
       dimension_type::text, time_interval::text, integer_interval::int8, num_partitions::int8
FROM timescaledb_information.dimensions
WHERE hypertable_schema = ANY($1)
ORDER BY 1, 2, 3";

pub const TS_COMPRESSION_SETTINGS: &str = "
SELECT n.nspname::text, c.relname::text, s.segmentby::text, s.orderby::text
FROM timescaledb_information.hypertable_compression_settings s
JOIN pg_class c ON c.oid = s.hypertable
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1)";

/// Before 2.14.1: per-column rows; assembled into the same shape in Rust.
pub const TS_COMPRESSION_SETTINGS_LEGACY: &str = "
SELECT hypertable_schema::text, hypertable_name::text, attname::text,
       segmentby_column_index::int4, orderby_column_index::int4, orderby_asc, orderby_nullsfirst
FROM timescaledb_information.compression_settings
WHERE hypertable_schema = ANY($1)
ORDER BY 1, 2, segmentby_column_index, orderby_column_index";

/// Policies; matched on proc_name (proc_schema changed across versions).
pub const TS_JOBS: &str = "
SELECT job_id::int8, proc_name::text, schedule_interval::text, config::text
FROM timescaledb_information.jobs
WHERE proc_name IN ('policy_retention', 'policy_compression', 'policy_refresh_continuous_aggregate')
ORDER BY job_id";

pub const TS_CAGGS: &str = "
SELECT ca.user_view_schema::text, ca.user_view_name::text, ca.mat_hypertable_id::int8,
       h.schema_name::text, h.table_name::text, ca.materialized_only, BUCKET
FROM _timescaledb_catalog.continuous_agg ca
LEFT JOIN _timescaledb_catalog.hypertable h ON h.id = ca.raw_hypertable_id
WHERE ca.user_view_schema = ANY($1)";

/// How the bucket width is read depends on the TimescaleDB version (probed).
pub const BUCKET_FN: &str = "(SELECT bucket_width FROM _timescaledb_functions.cagg_get_bucket_function_info(ca.mat_hypertable_id))";
pub const BUCKET_TABLE: &str = "(SELECT bf.bucket_width FROM _timescaledb_catalog.continuous_aggs_bucket_function bf WHERE bf.mat_hypertable_id = ca.mat_hypertable_id)";
pub const BUCKET_LEGACY: &str = "(ca.bucket_width::text || ' microseconds')";

/// The schemas a team owns: not the system's, not TimescaleDB's, not an extension's.
pub const USER_SCHEMAS: &str = "
SELECT n.nspname::text FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'timescaledb_information',
                        'timescaledb_experimental', 'toolkit_experimental')
  AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname NOT LIKE '\\_timescaledb\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY 1";
