# Independent SQL-injection evaluation corpus -- FastAPI + asyncpg,
# SQLAlchemy (text(), exec_driver_sql(), legacy engine.execute(), ORM
# select()), pandas.read_sql and peewee raw()/execute_sql().
#
# Labels (one per function, encoded in the name):
#   vuln_*  -- SQL text is built from a run-time value (query/path/body
#              params of the handler) so injection is possible.
#   safe_*  -- values travel only as bind parameters ($1, :name, %s, ?),
#              through ORM expression APIs, or the SQL text is provably
#              constant (module constants, allow-list with constant default,
#              int() conversion, bindparam-only text()).
# Helpers/constants are above the first labelled function. Written
# independently of the detector; modelled on FastAPI/SQLAlchemy docs,
# Stack Overflow answers and public SQLi fix commits.

from typing import List, Optional

import asyncpg
import pandas as pd
from fastapi import Depends, FastAPI, Query
from peewee import CharField, IntegerField, Model, SqliteDatabase
from pydantic import BaseModel
from sqlalchemy import bindparam, create_engine, select, text
from sqlalchemy.orm import Session

api = FastAPI()
engine = create_engine("postgresql+psycopg2://app@localhost/app")
peewee_db = SqliteDatabase("legacy.db")

EVENTS_TABLE = "events"
EVENT_COLUMNS = "id, kind, payload, created_at"
GROUP_BY_FIELDS = {"day": "date_trunc('day', created_at)", "kind": "kind"}
MAX_ROWS = 500


class Event(Model):
    kind = CharField()
    severity = IntegerField()

    class Meta:
        database = peewee_db


class SearchBody(BaseModel):
    kind: str
    tags: List[str] = []
    sort: Optional[str] = None


async def get_pool():
    return await asyncpg.create_pool(dsn="postgresql://app@localhost/app")


def get_session():
    with Session(engine) as session:
        yield session


@api.get("/events/{kind}")
async def vuln_asyncpg_fetch_fstring(kind: str):
    pool = await get_pool()
    async with pool.acquire() as conn:
        rows = await conn.fetch(f"SELECT {EVENT_COLUMNS} FROM events WHERE kind = '{kind}'")
    return [dict(r) for r in rows]


@api.get("/events2/{kind}")
async def safe_asyncpg_dollar_params(kind: str, limit: int = 50):
    pool = await get_pool()
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"SELECT {EVENT_COLUMNS} FROM {EVENTS_TABLE} WHERE kind = $1 LIMIT $2",
            kind,
            limit,
        )
    return [dict(r) for r in rows]


@api.post("/events/search")
async def vuln_asyncpg_body_tags_in_list(body: SearchBody):
    tag_sql = ", ".join("'" + t + "'" for t in body.tags)
    query = "SELECT id FROM events WHERE kind = $1 AND tag IN (" + tag_sql + ")"
    pool = await get_pool()
    async with pool.acquire() as conn:
        return [r["id"] for r in await conn.fetch(query, body.kind)]


@api.post("/events/search2")
async def safe_asyncpg_any_array_param(body: SearchBody):
    pool = await get_pool()
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT id FROM events WHERE kind = $1 AND tag = ANY($2::text[])",
            body.kind,
            body.tags,
        )
    return [r["id"] for r in rows]


@api.delete("/events/older-than")
async def vuln_asyncpg_execute_interval(days: str = Query(...)):
    pool = await get_pool()
    async with pool.acquire() as conn:
        await conn.execute(
            "DELETE FROM events WHERE created_at < now() - interval '%s days'" % days
        )
    return {"ok": True}


@api.get("/events/grouped")
async def safe_asyncpg_group_by_allow_list(by: str = "day"):
    expr = GROUP_BY_FIELDS.get(by, "kind")
    pool = await get_pool()
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT " + expr + " AS bucket, count(*) FROM events GROUP BY 1 LIMIT " + str(MAX_ROWS)
        )
    return [dict(r) for r in rows]


@api.get("/sa/users")
def vuln_sqlalchemy_text_fstring(name: str, session: Session = Depends(get_session)):
    result = session.execute(text(f"SELECT id, email FROM users WHERE name = '{name}'"))
    return [dict(r._mapping) for r in result]


@api.get("/sa/users2")
def safe_sqlalchemy_text_named_bind(name: str, session: Session = Depends(get_session)):
    stmt = text("SELECT id, email FROM users WHERE name = :name")
    result = session.execute(stmt, {"name": name})
    return [dict(r._mapping) for r in result]


@api.get("/sa/users/sorted")
def vuln_sqlalchemy_order_by_text(sort: str = "id", session: Session = Depends(get_session)):
    from myapp.models import User

    stmt = select(User).order_by(text(sort))
    return [u.id for u in session.scalars(stmt)]


@api.get("/sa/users/in")
def safe_sqlalchemy_expanding_bindparam(ids: List[int] = Query([]), session: Session = Depends(get_session)):
    stmt = text("SELECT id, email FROM users WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    return [dict(r._mapping) for r in session.execute(stmt, {"ids": ids})]


@api.get("/sa/driver")
def vuln_exec_driver_sql_percent(status: str):
    with engine.connect() as conn:
        stmt = "SELECT id FROM invoices WHERE status = '%s'" % status
        rows = conn.exec_driver_sql(stmt).fetchall()
    return [r[0] for r in rows]


@api.get("/sa/driver2")
def safe_exec_driver_sql_params(status: str):
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id FROM invoices WHERE status = %s", (status,)
        ).fetchall()
    return [r[0] for r in rows]


@api.get("/sa/legacy/{table}")
def vuln_legacy_engine_execute_table(table: str, limit: int = 10):
    # SQLAlchemy 1.x style; limit is an int but the table name is not.
    rows = engine.execute("SELECT * FROM " + table + " LIMIT " + str(limit))
    return [dict(r) for r in rows]


@api.get("/sa/orm")
def safe_sqlalchemy_orm_where(email: str, session: Session = Depends(get_session)):
    from myapp.models import User

    stmt = select(User).where(User.email == email).where(User.name.ilike(f"%{email}%"))
    return [u.id for u in session.scalars(stmt)]


@api.get("/report.csv")
def vuln_pandas_read_sql_format(region: str, year: str):
    query = "SELECT * FROM sales WHERE region = '{r}' AND year = {y}".format(r=region, y=year)
    df = pd.read_sql(query, engine)
    return df.to_csv()


@api.get("/report2.csv")
def safe_pandas_read_sql_params(region: str, year: int):
    df = pd.read_sql(
        text("SELECT * FROM sales WHERE region = :region AND year = :year"),
        engine,
        params={"region": region, "year": year},
    )
    return df.to_csv()


@api.get("/report3.csv")
def safe_pandas_read_sql_query_int_limit(limit: str = "100"):
    n = int(limit)
    df = pd.read_sql_query("SELECT * FROM sales ORDER BY year DESC LIMIT %d" % n, engine)
    return df.to_csv()


@api.get("/legacy/events")
def vuln_peewee_raw_concat(kind: str):
    events = Event.raw("SELECT * FROM event WHERE kind = '" + kind + "'")
    return [e.id for e in events]


@api.get("/legacy/events2")
def safe_peewee_raw_params(kind: str, min_severity: int = 0):
    events = Event.raw(
        "SELECT * FROM event WHERE kind = ? AND severity >= ?", kind, min_severity
    )
    return [e.id for e in events]


@api.get("/legacy/purge")
def vuln_peewee_execute_sql_loop(kinds: List[str] = Query([])):
    sql_text = "DELETE FROM event WHERE 0"
    for k in kinds:
        sql_text += " OR kind = '%s'" % k
    peewee_db.execute_sql(sql_text)
    return {"ok": True}


@api.get("/legacy/purge2")
def safe_peewee_orm_delete(kinds: List[str] = Query([])):
    Event.delete().where(Event.kind.in_(kinds)).execute()
    stmt = "DELETE FROM event_log WHERE kind IN (%s)" % ",".join("?" * len(kinds))
    peewee_db.execute_sql(stmt, kinds)
    return {"ok": True}
