#!/usr/bin/env python3
"""Generate the benchmark database (SQL) and its matching zerogap contract (YAML).

One generator writes both files, so the contract describes exactly what the SQL builds:
`zerogap check` of the contract against a database loaded from the SQL must report zero
findings.

  bench/generate.py --target pg15      --out DIR [--tables 5000] [--hypertables 100] [--chunks 100]
  bench/generate.py --target timescale --out DIR [...]

Writes DIR/tables.sql (the plain tables), DIR/hypertables.sql (the hypertables and their
chunks; load it after tables.sql) and DIR/contract.yaml.

What is generated (same for both targets unless said otherwise):

* `--tables` plain tables public.t_00001 .. in schema `public`, 12 columns each
  (bigserial primary key, integer, bigint, text, varchar(64), numeric(12,2),
  timestamptz DEFAULT now(), boolean DEFAULT false, jsonb, date, double precision and a
  bigint foreign-key column), 3 secondary indexes (a btree, a multi-column btree with a
  DESC key, a partial btree), one CHECK and one FOREIGN KEY to the previous table (the
  first table references itself).
* `--hypertables` time-series tables public.metrics_001 .. (ts timestamptz NOT NULL,
  device_id integer NOT NULL, value double precision, status text) with two indexes
  (ts DESC) and (device_id, ts DESC), and `--chunks` 1-day chunks each:
  - target `timescale`: real hypertables (create_hypertable, 1-day chunk interval) and one
    row per day for `--chunks` days, so TimescaleDB creates the chunks itself in
    `_timescaledb_internal`; the contract declares `hypertable:` with the chunk interval.
  - target `pg15` (no TimescaleDB): the chunks' catalog weight is emulated the way
    TimescaleDB lays chunks out: each chunk is a table
    `_timescaledb_internal._hyper_<h>_<n>_chunk () INHERITS (public.metrics_<h>)` with a
    CHECK constraint on its time range and its own copy of the parent's two indexes, and
    holds one row. `_timescaledb_internal` is outside the contract's scope, like real
    chunks. The contract declares the parents as plain tables.
"""

import argparse
import datetime as dt
import os
import sys

EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def table_name(i: int) -> str:
    return f"t_{i:05d}"


def ht_name(h: int) -> str:
    return f"metrics_{h:03d}"


def ts_literal(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%d %H:%M:%S+00")


def plain_table_sql(i: int) -> str:
    t = table_name(i)
    parent = table_name(i - 1) if i > 1 else t
    return (
        f"CREATE TABLE public.{t} (\n"
        f"    id         bigserial PRIMARY KEY,\n"
        f"    account_id integer NOT NULL,\n"
        f"    counter    bigint NOT NULL DEFAULT 0,\n"
        f"    label      text,\n"
        f"    code       varchar(64) NOT NULL,\n"
        f"    amount     numeric(12,2),\n"
        f"    created_at timestamptz NOT NULL DEFAULT now(),\n"
        f"    is_active  boolean NOT NULL DEFAULT false,\n"
        f"    attrs      jsonb,\n"
        f"    valid_on   date,\n"
        f"    ratio      double precision,\n"
        f"    prev_id    bigint,\n"
        f"    CONSTRAINT chk_{t}_amount CHECK (amount >= 0),\n"
        f"    CONSTRAINT {t}_prev_id_fkey FOREIGN KEY (prev_id) REFERENCES public.{parent} (id)\n"
        f");\n"
        f"CREATE INDEX idx_{t}_code ON public.{t} (code);\n"
        f"CREATE INDEX idx_{t}_account_created ON public.{t} (account_id, created_at DESC);\n"
        f"CREATE INDEX idx_{t}_active_prev ON public.{t} (prev_id) WHERE is_active;\n"
    )


def plain_table_yaml(i: int) -> str:
    t = table_name(i)
    parent = table_name(i - 1) if i > 1 else t
    return (
        f"  {t}:\n"
        f"    columns:\n"
        f"      id:         {{ type: bigserial }}\n"
        f"      account_id: {{ type: int, nullable: false }}\n"
        f"      counter:    {{ type: bigint, nullable: false, default: 0 }}\n"
        f"      label:      {{ type: text }}\n"
        f"      code:       {{ type: varchar(64), nullable: false }}\n"
        f"      amount:     {{ type: \"numeric(12,2)\" }}\n"
        f"      created_at: {{ type: timestamptz, nullable: false, default: now() }}\n"
        f"      is_active:  {{ type: boolean, nullable: false, default: false }}\n"
        f"      attrs:      {{ type: jsonb }}\n"
        f"      valid_on:   {{ type: date }}\n"
        f"      ratio:      {{ type: double precision }}\n"
        f"      prev_id:    {{ type: bigint }}\n"
        f"    primary_key: [id]\n"
        f"    foreign_keys:\n"
        f"      {t}_prev_id_fkey: {{ columns: [prev_id], references: {parent}(id) }}\n"
        f"    constraints:\n"
        f"      chk_{t}_amount: {{ check: \"amount >= 0\" }}\n"
        f"    indexes:\n"
        f"      idx_{t}_code:            {{ columns: [code] }}\n"
        f"      idx_{t}_account_created: {{ columns: [account_id, created_at DESC] }}\n"
        f"      idx_{t}_active_prev:     {{ columns: [prev_id], where: \"is_active\" }}\n"
    )


def hypertable_parent_sql(h: int) -> str:
    t = ht_name(h)
    return (
        f"CREATE TABLE public.{t} (\n"
        f"    ts        timestamptz NOT NULL,\n"
        f"    device_id integer NOT NULL,\n"
        f"    value     double precision,\n"
        f"    status    text\n"
        f");\n"
        f"CREATE INDEX {t}_ts_idx ON public.{t} (ts DESC);\n"
        f"CREATE INDEX idx_{t}_device_ts ON public.{t} (device_id, ts DESC);\n"
    )


def hypertable_yaml(h: int, real: bool) -> str:
    t = ht_name(h)
    out = (
        f"  {t}:\n"
        f"    columns:\n"
        f"      ts:        {{ type: timestamptz, nullable: false }}\n"
        f"      device_id: {{ type: int, nullable: false }}\n"
        f"      value:     {{ type: double precision }}\n"
        f"      status:    {{ type: text }}\n"
        f"    indexes:\n"
        f"      {t}_ts_idx:         {{ columns: [ts DESC] }}\n"
        f"      idx_{t}_device_ts: {{ columns: [device_id, ts DESC] }}\n"
    )
    if real:
        out += (
            f"    hypertable:\n"
            f"      time_column: ts\n"
            f"      chunk_time_interval: 1 day\n"
        )
    return out


def emulated_chunks_sql(h: int, chunks: int, first_chunk_id: int) -> str:
    """TimescaleDB-like chunks as inheritance children, one row each."""
    t = ht_name(h)
    parts = []
    for n in range(chunks):
        cid = first_chunk_id + n
        c = f"_hyper_{h}_{cid}_chunk"
        lo, hi = EPOCH + dt.timedelta(days=n), EPOCH + dt.timedelta(days=n + 1)
        parts.append(
            f"CREATE TABLE _timescaledb_internal.{c} (\n"
            f"    CONSTRAINT constraint_{cid} CHECK (ts >= '{ts_literal(lo)}'::timestamptz"
            f" AND ts < '{ts_literal(hi)}'::timestamptz)\n"
            f") INHERITS (public.{t});\n"
            f"CREATE INDEX {c}_{t}_ts_idx ON _timescaledb_internal.{c} (ts DESC);\n"
            f"CREATE INDEX {c}_idx_{t}_device_ts ON _timescaledb_internal.{c} (device_id, ts DESC);\n"
            f"INSERT INTO _timescaledb_internal.{c} VALUES"
            f" ('{ts_literal(lo + dt.timedelta(hours=12))}', {h}, {n}.5, 'ok');\n"
        )
    return "".join(parts)


def real_hypertable_sql(h: int, chunks: int) -> str:
    """create_hypertable + one row per day: TimescaleDB creates `chunks` chunks."""
    t = ht_name(h)
    first = ts_literal(EPOCH + dt.timedelta(hours=12))
    return (
        f"SELECT create_hypertable('public.{t}', by_range('ts', INTERVAL '1 day'),"
        f" create_default_indexes => false);\n"
        f"INSERT INTO public.{t} (ts, device_id, value, status)\n"
        f"    SELECT '{first}'::timestamptz + d * INTERVAL '1 day', {h}, d + 0.5, 'ok'\n"
        f"    FROM generate_series(0, {chunks - 1}) AS d;\n"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=["pg15", "timescale"], required=True)
    ap.add_argument("--out", required=True, help="folder for schema.sql and contract.yaml")
    ap.add_argument("--tables", type=int, default=5000)
    ap.add_argument("--hypertables", type=int, default=100)
    ap.add_argument("--chunks", type=int, default=100, help="chunks per hypertable")
    args = ap.parse_args()
    if args.tables < 0 or args.hypertables < 0 or args.chunks < 0:
        ap.error("counts must be >= 0")
    real = args.target == "timescale"
    os.makedirs(args.out, exist_ok=True)

    header = (
        f"-- generated by bench/generate.py --target {args.target} --tables {args.tables}"
        f" --hypertables {args.hypertables} --chunks {args.chunks}\n"
        "SET client_min_messages = warning;\n"
    )
    with open(os.path.join(args.out, "tables.sql"), "w", encoding="utf-8") as sql:
        sql.write(header)
        for i in range(1, args.tables + 1):
            sql.write(plain_table_sql(i))
    with open(os.path.join(args.out, "hypertables.sql"), "w", encoding="utf-8") as sql:
        sql.write(header)
        if not real:
            sql.write("CREATE SCHEMA IF NOT EXISTS _timescaledb_internal;\n")
        chunk_id = 1
        for h in range(1, args.hypertables + 1):
            sql.write(hypertable_parent_sql(h))
            if real:
                sql.write(real_hypertable_sql(h, args.chunks))
            else:
                sql.write(emulated_chunks_sql(h, args.chunks, chunk_id))
            chunk_id += args.chunks

    stamp = (
        f"# generated by bench/generate.py --target {args.target} --tables {args.tables}"
        f" --hypertables {args.hypertables} --chunks {args.chunks}\n"
    )
    head = "contract: zerogap_bench\nversion: 1.0.0\nschema: public\n"
    if real:
        head += "requires:\n  timescaledb: \">=2.13\"\n"
    head += (
        "policy:\n"
        "  undeclared_tables: error\n"
        "  undeclared_columns: error\n"
        "  undeclared_indexes: error\n"
    )
    tables = [plain_table_yaml(i) for i in range(1, args.tables + 1)]
    tables += [hypertable_yaml(h, real) for h in range(1, args.hypertables + 1)]
    # The whole database in one file, and the same split into files of 250 tables (the
    # layout `zerogap init` writes for a large database: one file per table group).
    with open(os.path.join(args.out, "contract.yaml"), "w", encoding="utf-8") as y:
        y.write(stamp + head + "tables:\n" + "".join(tables))
    folder = os.path.join(args.out, "contracts")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "000_database.yaml"), "w", encoding="utf-8") as y:
        y.write(stamp + head)
    per_file = 250
    for k in range(0, len(tables), per_file):
        name = f"tables_{k // per_file + 1:03d}.yaml"
        with open(os.path.join(folder, name), "w", encoding="utf-8") as y:
            y.write(stamp + "schema: public\ntables:\n" + "".join(tables[k : k + per_file]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
