# Labelled corpus (ours): functions named vuln_* build SQL from run-time values (an injection
# is possible); safe_* do not. Shapes taken from common real-world code (Flask, Django,
# sqlite3, psycopg2, pymysql, SQLAlchemy). bench/scan_eval scores per function.
import sqlite3

import pymysql
from django.db import connection
from flask import request
from psycopg2 import sql
from sqlalchemy import text

TABLE = "users"
LIMIT = 50


def vuln_login(db):
    username = request.form["username"]
    password = request.form["password"]
    cur = db.cursor()
    cur.execute("SELECT * FROM users WHERE username = '" + username + "' AND password = '" + password + "'")
    return cur.fetchone()


def safe_login(db):
    cur = db.cursor()
    cur.execute("SELECT * FROM users WHERE username = ? AND password = ?", (request.form["u"], request.form["p"]))
    return cur.fetchone()


def vuln_search_fstring(conn, term):
    cur = conn.cursor()
    cur.execute(f"SELECT id, title FROM posts WHERE title LIKE '%{term}%'")
    return cur.fetchall()


def safe_search_like(conn, term):
    cur = conn.cursor()
    cur.execute("SELECT id, title FROM posts WHERE title LIKE %s", ("%" + term + "%",))
    return cur.fetchall()


def vuln_percent_format(conn, user_id):
    query = "SELECT * FROM orders WHERE user_id = %s" % user_id
    cursor = conn.cursor()
    cursor.execute(query)
    return cursor.fetchall()


def safe_percent_placeholder(conn, user_id):
    query = "SELECT * FROM orders WHERE user_id = %s"
    cursor = conn.cursor()
    cursor.execute(query, (user_id,))
    return cursor.fetchall()


def vuln_format_method(conn, name):
    sql_text = "DELETE FROM sessions WHERE name = '{}'".format(name)
    conn.execute(sql_text)


def safe_format_constants(conn, uid):
    sql_text = "SELECT {cols} FROM {table} WHERE id = %s".format(cols="id, name", table=TABLE)
    conn.execute(sql_text, (uid,))


def vuln_order_by(conn, sort_column):
    conn.execute("SELECT * FROM products ORDER BY " + sort_column)


def safe_order_by_identifier(conn, sort_column):
    conn.execute(sql.SQL("SELECT * FROM products ORDER BY {}").format(sql.Identifier(sort_column)))


def vuln_django_raw(request):
    q = request.GET.get("q")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM app_item WHERE name = '%s'" % q)
        return cursor.fetchall()


def safe_django_raw(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM app_item WHERE name = %s", [request.GET.get("q")])
        return cursor.fetchall()


def vuln_builder_loop(conn, filters):
    query = "SELECT * FROM items WHERE 1=1"
    for column, value in filters.items():
        query += " AND " + column + " = '" + value + "'"
    return conn.execute(query).fetchall()


def safe_builder_loop(conn, filters):
    query = "SELECT * FROM items WHERE 1=1"
    params = []
    for value in filters:
        query += " AND category = %s"
        params.append(value)
    return conn.execute(query, params).fetchall()


def vuln_sqlalchemy_text(session, email):
    return session.execute(text(f"SELECT id FROM accounts WHERE email = '{email}'")).fetchall()


def safe_sqlalchemy_text(session, email):
    return session.execute(text("SELECT id FROM accounts WHERE email = :email"), {"email": email}).fetchall()


def vuln_pymysql(user):
    conn = pymysql.connect(host="localhost")
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET last_login = NOW() WHERE login = '%s'" % (user,))
    conn.commit()


def safe_pymysql(user):
    conn = pymysql.connect(host="localhost")
    with conn.cursor() as cur:
        cur.execute("UPDATE users SET last_login = NOW() WHERE login = %s", (user,))
    conn.commit()


def vuln_sqlite_insert(path, name, score):
    con = sqlite3.connect(path)
    con.execute("INSERT INTO scores (name, score) VALUES ('%s', %s)" % (name, score))
    con.commit()


def safe_sqlite_insert(path, name, score):
    con = sqlite3.connect(path)
    con.execute("INSERT INTO scores (name, score) VALUES (?, ?)", (name, score))
    con.commit()


def safe_constant_concat(conn):
    q = "SELECT id, name " + "FROM " + TABLE + " ORDER BY id LIMIT " + str(LIMIT)
    return conn.execute(q).fetchall()


def safe_in_list(conn, ids):
    marks = ",".join("?" for _ in ids)
    return conn.execute(f"SELECT * FROM users WHERE id IN ({marks})", ids).fetchall()


def safe_limit_int(conn, page):
    return conn.execute("SELECT * FROM users LIMIT 20 OFFSET %d" % (int(page) * 20)).fetchall()


def vuln_helper_returns_sql(name):
    return "SELECT * FROM users WHERE name = '" + name + "'"


def safe_helper_returns_sql():
    return "SELECT * FROM users WHERE name = %s"


def vuln_multiline(conn, region):
    query = f"""
        SELECT region, sum(amount)
        FROM sales
        WHERE region = '{region}'
        GROUP BY region
    """
    return conn.execute(query).fetchall()


def safe_multiline(conn, region):
    query = """
        SELECT region, sum(amount)
        FROM sales
        WHERE region = %(region)s
        GROUP BY region
    """
    return conn.execute(query, {"region": region}).fetchall()


def safe_logging_mentions_select(log, table):
    log.info(f"select from {table} finished")
    print("Update your profile: select an option from the menu " + table)


def vuln_executescript(conn, table):
    conn.executescript("DROP TABLE IF EXISTS " + table + "; CREATE TABLE " + table + " (id int);")


def safe_executemany(conn, rows):
    conn.executemany("INSERT INTO t (a, b) VALUES (?, ?)", rows)


def vuln_join_values(conn, names):
    clause = " OR ".join("name = '%s'" % n for n in names)
    return conn.execute("SELECT * FROM users WHERE " + clause).fetchall()


def vuln_pandas(engine, country):
    import pandas as pd

    return pd.read_sql("SELECT * FROM customers WHERE country = '" + country + "'", engine)


def safe_pandas(engine, country):
    import pandas as pd

    return pd.read_sql("SELECT * FROM customers WHERE country = %(c)s", engine, params={"c": country})


def vuln_attribute_value(conn, form):
    conn.execute("SELECT * FROM users WHERE id = " + form.user_id)


def safe_parameter_passthrough(conn, query, params):
    # the SQL text comes from the caller: nothing visible to judge here
    return conn.execute(query, params)
