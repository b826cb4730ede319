//! Catalog queries: one per object kind for every relation in the schemas in scope
//! (`$1 = text[]` of schema names), never one per table.

/// Relations that belong to an extension are not the team's to declare.
pub const RELATIONS: &str = "
SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text,
       obj_description(c.oid, 'pg_class')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm')
  AND NOT c.relispartition
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')";

pub const COLUMNS: &str = "
SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(ad.adbin, ad.adrelid), a.attidentity::text, a.attgenerated::text,
       col_description(a.attrelid, a.attnum),
       (SELECT s.relname::text FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'a'
        LIMIT 1)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum";

pub const CONSTRAINTS: &str = "
SELECT con.conrelid::int8, con.conname::text, con.contype::text, pg_get_constraintdef(con.oid, true),
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
       fn.nspname::text, fc.relname::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord),
       con.confdeltype::text, con.confupdtype::text
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname = ANY($1) AND con.contype IN ('p', 'u', 'f', 'c', 'x')
ORDER BY con.conrelid, con.conname";

pub const INDEXES: &str = "
SELECT i.indrelid::int8, ic.relname::text, am.amname::text, i.indisunique, i.indnkeyatts::int4,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnatts::int4) k ORDER BY k),
       (i.indoption::int2[])::int4[],
       ARRAY(SELECT CASE WHEN opc.opcdefault THEN '' ELSE opc.opcname::text END
             FROM unnest(i.indclass::oid[]) WITH ORDINALITY k(o, ord) JOIN pg_opclass opc ON opc.oid = k.o
             ORDER BY k.ord),
       pg_get_expr(i.indpred, i.indrelid),
       EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.contype IN ('p', 'u', 'x')
               AND x.conrelid = i.indrelid)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'm')
ORDER BY i.indrelid, ic.relname";

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
