# Independent SQL-injection evaluation corpus -- Flask + DB-API drivers
# (sqlite3, psycopg2, psycopg 3, pymysql, MySQLdb).
#
# Labels (one per function, encoded in the name):
#   vuln_*  -- SQL text reaching execute()/executescript()/sql.SQL() is built
#              from a run-time, attacker-influenced value (request args/form/
#              json, path params), so injection is possible.
#   safe_*  -- no injection possible: user data only travels as bound
#              parameters, or the SQL text is provably made of constants
#              (module/class constants, constant allow-list values, int()
#              conversions, generated placeholder lists, psycopg.sql
#              Identifier/Literal composition).
# Helpers and constants live above the first labelled function; labelled
# functions follow one another so a finding's line maps to one label.
# Written independently of the detector and of ../flask_app.py; modelled on
# common Flask tutorials, Stack Overflow questions and CVE fix diffs.

import logging
import sqlite3

import MySQLdb
import psycopg
import psycopg2
import psycopg2.extras
import pymysql
from flask import Flask, abort, g, jsonify, request
from psycopg import sql

app = Flask(__name__)
log = logging.getLogger(__name__)

DATABASE = "app.db"
USERS_TABLE = "users"
BASE_USER_QUERY = "SELECT id, username, email FROM users"
ACTIVE_FILTER = " WHERE active = 1"

SORT_COLUMNS = {
    "name": "username",
    "email": "email",
    "created": "created_at",
}
ALLOWED_DIRECTIONS = frozenset({"ASC", "DESC"})
FILTERABLE = {"status": "status", "role": "role", "team": "team_id"}


def get_sqlite():
    db = getattr(g, "_database", None)
    if db is None:
        db = g._database = sqlite3.connect(DATABASE)
    return db


def get_pg():
    return psycopg2.connect(dbname="app", user="app")


def get_mysql():
    return pymysql.connect(host="localhost", user="app", database="app")


class ReportQueries:
    TABLE = "reports"
    COLUMNS = "id, title, owner_id, created_at"


@app.route("/user/<username>")
def vuln_sqlite_user_by_name_fstring(username):
    cur = get_sqlite().cursor()
    cur.execute(f"SELECT id, email FROM users WHERE username = '{username}'")
    return jsonify(cur.fetchone())


@app.route("/user/by-id")
def safe_sqlite_user_qmark():
    user_id = request.args.get("id")
    cur = get_sqlite().cursor()
    cur.execute("SELECT id, email FROM users WHERE id = ?", (user_id,))
    return jsonify(cur.fetchone())


@app.route("/login", methods=["POST"])
def vuln_sqlite_login_concat():
    username = request.form["username"]
    password = request.form["password"]
    query = "SELECT id FROM users WHERE username = '" + username + "' AND password = '" + password + "'"
    row = get_sqlite().execute(query).fetchone()
    return jsonify(ok=row is not None)


@app.route("/login2", methods=["POST"])
def safe_sqlite_login_named():
    creds = {"u": request.form["username"], "p": request.form["password"]}
    row = get_sqlite().execute(
        "SELECT id FROM users WHERE username = :u AND password = :p", creds
    ).fetchone()
    return jsonify(ok=row is not None)


@app.route("/items")
def vuln_pg_percent_operator_instead_of_params():
    category = request.args.get("category", "")
    conn = get_pg()
    with conn.cursor() as cur:
        # Classic mistake: % applied to the string instead of passing params.
        cur.execute("SELECT * FROM items WHERE category = '%s'" % category)
        return jsonify(cur.fetchall())


@app.route("/items2")
def safe_pg_percent_s_params():
    category = request.args.get("category", "")
    conn = get_pg()
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM items WHERE category = %s", (category,))
        return jsonify(cur.fetchall())


@app.route("/items/search")
def vuln_pg_like_format():
    term = request.args.get("q", "")
    conn = get_pg()
    cur = conn.cursor()
    cur.execute("SELECT id, title FROM items WHERE title ILIKE '%{}%'".format(term))
    return jsonify(cur.fetchall())


@app.route("/items/search2")
def safe_pg_like_bound_pattern():
    term = request.args.get("q", "")
    pattern = "%" + term.replace("%", r"\%").replace("_", r"\_") + "%"
    conn = get_pg()
    cur = conn.cursor()
    cur.execute("SELECT id, title FROM items WHERE title ILIKE %s", (pattern,))
    return jsonify(cur.fetchall())


@app.route("/users/sorted")
def vuln_pg_order_by_from_request():
    sort = request.args.get("sort", "id")
    direction = request.args.get("dir", "ASC")
    sql_text = BASE_USER_QUERY + " ORDER BY " + sort + " " + direction
    cur = get_pg().cursor()
    cur.execute(sql_text)
    return jsonify(cur.fetchall())


@app.route("/users/sorted2")
def safe_pg_order_by_allow_list_dict():
    column = SORT_COLUMNS.get(request.args.get("sort"), "id")
    direction = "DESC" if request.args.get("desc") == "1" else "ASC"
    sql_text = BASE_USER_QUERY + " ORDER BY " + column + " " + direction
    cur = get_pg().cursor()
    cur.execute(sql_text)
    return jsonify(cur.fetchall())


@app.route("/users/sorted3")
def vuln_pg_order_by_allow_list_with_user_default():
    key = request.args.get("sort", "id")
    # Looks like an allow-list, but the default falls back to the raw input.
    column = SORT_COLUMNS.get(key, key)
    cur = get_pg().cursor()
    cur.execute("SELECT id, username FROM users ORDER BY %s" % column)
    return jsonify(cur.fetchall())


@app.route("/users/sorted4")
def safe_pg_order_by_membership_check():
    direction = request.args.get("dir", "ASC").upper()
    if direction not in ALLOWED_DIRECTIONS:
        direction = "ASC"
    cur = get_pg().cursor()
    cur.execute("SELECT id, username FROM users ORDER BY created_at " + direction)
    return jsonify(cur.fetchall())


@app.route("/users/page")
def vuln_pg_limit_offset_strings():
    limit = request.args.get("limit", "20")
    offset = request.args.get("offset", "0")
    cur = get_pg().cursor()
    cur.execute(BASE_USER_QUERY + " LIMIT " + limit + " OFFSET " + offset)
    return jsonify(cur.fetchall())


@app.route("/users/page2")
def safe_pg_limit_offset_int_converted():
    limit = int(request.args.get("limit", 20))
    offset = int(request.args.get("offset", 0))
    cur = get_pg().cursor()
    cur.execute(BASE_USER_QUERY + " LIMIT %d OFFSET %d" % (limit, offset))
    return jsonify(cur.fetchall())


@app.route("/users/filter")
def vuln_pg_where_loop_user_keys():
    where = " WHERE 1=1"
    params = []
    for key, value in request.args.items():
        # Values are bound, but column names come straight from the query string.
        where += f" AND {key} = %s"
        params.append(value)
    cur = get_pg().cursor()
    cur.execute(BASE_USER_QUERY + where, params)
    return jsonify(cur.fetchall())


@app.route("/users/filter2")
def safe_pg_where_loop_constant_keys():
    clauses = []
    params = []
    for arg_name, column in FILTERABLE.items():
        value = request.args.get(arg_name)
        if value is not None:
            clauses.append(column + " = %s")
            params.append(value)
    query = BASE_USER_QUERY
    if clauses:
        query += " WHERE " + " AND ".join(clauses)
    cur = get_pg().cursor()
    cur.execute(query, params)
    return jsonify(cur.fetchall())


@app.route("/users/filter3")
def vuln_pg_where_loop_values_inlined():
    conditions = []
    for arg_name, column in FILTERABLE.items():
        value = request.args.get(arg_name)
        if value:
            conditions.append("%s = '%s'" % (column, value))
    query = BASE_USER_QUERY
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    cur = get_pg().cursor()
    cur.execute(query)
    return jsonify(cur.fetchall())


@app.route("/users/bulk")
def vuln_pg_in_list_joined_values():
    ids = request.args.getlist("id")
    id_list = ",".join(ids)
    cur = get_pg().cursor()
    cur.execute("SELECT id, username FROM users WHERE id IN (" + id_list + ")")
    return jsonify(cur.fetchall())


@app.route("/users/bulk2")
def safe_pg_in_list_placeholders():
    ids = request.args.getlist("id")
    placeholders = ", ".join(["%s"] * len(ids))
    cur = get_pg().cursor()
    cur.execute(f"SELECT id, username FROM users WHERE id IN ({placeholders})", ids)
    return jsonify(cur.fetchall())


@app.route("/users/bulk3")
def safe_sqlite_in_list_qmarks_generator():
    ids = [int(i) for i in request.args.getlist("id")]
    marks = ",".join("?" for _ in ids)
    rows = get_sqlite().execute(
        "SELECT id, username FROM users WHERE id IN (%s)" % marks, ids
    ).fetchall()
    return jsonify(rows)


@app.route("/admin/table/<name>/count")
def vuln_pg_table_name_from_path(name):
    cur = get_pg().cursor()
    cur.execute("SELECT count(*) FROM {}".format(name))
    return jsonify(count=cur.fetchone()[0])


@app.route("/admin/table/<name>/count2")
def safe_psycopg3_identifier_composition(name):
    with psycopg.connect("dbname=app") as conn:
        query = sql.SQL("SELECT count(*) FROM {} WHERE owner = {}").format(
            sql.Identifier(name), sql.Placeholder()
        )
        row = conn.execute(query, (request.args.get("owner"),)).fetchone()
    return jsonify(count=row[0])


@app.route("/admin/export")
def vuln_psycopg3_sql_wrapping_user_input():
    order = request.args.get("order", "id")
    with psycopg.connect("dbname=app") as conn:
        # sql.SQL() marks its argument as trusted SQL -- wrapping input defeats it.
        query = sql.SQL("SELECT * FROM orders ORDER BY ") + sql.SQL(order)
        rows = conn.execute(query).fetchall()
    return jsonify(rows)


@app.route("/admin/export2")
def safe_psycopg3_literal_composition():
    status = request.args.get("status", "open")
    with psycopg.connect("dbname=app") as conn:
        query = sql.SQL("SELECT * FROM {tbl} WHERE status = {val}").format(
            tbl=sql.Identifier("orders"), val=sql.Literal(status)
        )
        rows = conn.execute(query).fetchall()
    return jsonify(rows)


@app.route("/orders/<order_id>")
def vuln_psycopg3_conn_execute_fstring(order_id):
    with psycopg.connect("dbname=app") as conn:
        row = conn.execute(f"SELECT * FROM orders WHERE id = {order_id}").fetchone()
    return jsonify(row)


@app.route("/orders/by-customer")
def safe_psycopg3_named_params():
    customer = request.args.get("customer")
    with psycopg.connect("dbname=app") as conn:
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        cur.execute(
            "SELECT * FROM orders WHERE customer = %(customer)s AND deleted = false",
            {"customer": customer},
        )
        rows = cur.fetchall()
    return jsonify(rows)


@app.route("/products")
def vuln_pymysql_escaped_quotes_only():
    name = request.args.get("name", "")
    # Hand-rolled escaping: doubling quotes does not stop backslash tricks in MySQL.
    safe_name = name.replace("'", "''")
    conn = get_mysql()
    with conn.cursor() as cur:
        cur.execute("SELECT * FROM products WHERE name = '%s'" % safe_name)
        return jsonify(cur.fetchall())


@app.route("/products2")
def safe_pymysql_dict_params():
    conn = get_mysql()
    with conn.cursor(pymysql.cursors.DictCursor) as cur:
        cur.execute(
            "SELECT * FROM products WHERE name = %(name)s AND price < %(max)s",
            {"name": request.args.get("name"), "max": request.args.get("max", 100)},
        )
        return jsonify(cur.fetchall())


@app.route("/products/by-vendor", methods=["POST"])
def vuln_mysqldb_json_dict_lookup():
    payload = request.get_json()
    filters = {"vendor": payload.get("vendor"), "sku": payload.get("sku")}
    db = MySQLdb.connect(db="shop")
    cur = db.cursor()
    stmt = "SELECT * FROM products WHERE vendor = '%s' AND sku = '%s'" % (
        filters["vendor"],
        filters["sku"],
    )
    cur.execute(stmt)
    return jsonify(cur.fetchall())


@app.route("/products/by-vendor2", methods=["POST"])
def safe_mysqldb_constant_fstring_with_params():
    payload = request.get_json()
    db = MySQLdb.connect(db="shop")
    cur = db.cursor()
    cur.execute(
        f"SELECT * FROM {ReportQueries.TABLE} WHERE owner_id = %s",
        (payload.get("owner"),),
    )
    return jsonify(cur.fetchall())


@app.route("/reports")
def safe_class_constant_format():
    log.info("SELECT reports for %s", request.args.get("user"))
    query = "SELECT {} FROM {}{}".format(
        ReportQueries.COLUMNS, ReportQueries.TABLE, ACTIVE_FILTER
    )
    cur = get_pg().cursor()
    cur.execute(query)
    return jsonify(cur.fetchall())


@app.route("/notes", methods=["POST"])
def vuln_sqlite_executescript_body():
    title = request.form.get("title", "")
    script = "BEGIN; INSERT INTO notes(title) VALUES ('%s'); COMMIT;" % title
    get_sqlite().executescript(script)
    return "", 201


@app.route("/notes/<int:note_id>")
def safe_sqlite_int_route_converter_and_params(note_id):
    db = get_sqlite()
    db.row_factory = sqlite3.Row
    row = db.execute("SELECT * FROM notes WHERE id = ?", [note_id]).fetchone()
    if row is None:
        abort(404)
    return jsonify(dict(row))


@app.route("/audit")
def safe_logging_mentions_select():
    username = request.args.get("user", "")
    log.warning("SELECT * FROM audit WHERE user = '%s' requested" % username)
    message = f"DELETE requested by {username}"
    log.info(message)
    return jsonify(status="logged")


@app.route("/stats")
def vuln_pg_helper_builds_clause():
    def date_clause(start, end):
        return "created_at BETWEEN '" + start + "' AND '" + end + "'"

    clause = date_clause(request.args["from"], request.args["to"])
    cur = get_pg().cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    cur.execute("SELECT count(*) AS n FROM orders WHERE " + clause)
    return jsonify(cur.fetchone())
