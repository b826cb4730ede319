// Labelled corpus (ours): functions named vuln_* build SQL text from a run-time value, so an
// injection is possible; safe_* do not (? / $n placeholders with bound values, mysql escapeId /
// escape and ?? identifier placeholders, pg-format %I, generated placeholder lists, Map
// whitelists of constant text, integer-checked numbers, SQL only mentioned in logs or errors).
// Shapes taken from Express handlers on mysql, mysql2, pg, sqlite3, better-sqlite3 and mssql.
// Scored per function by bench/scan_eval; the module does not need its packages installed.
'use strict';

const mysql = require('mysql');
const mysql2 = require('mysql2/promise');
const { Pool } = require('pg');
const format = require('pg-format');
const sqlite3 = require('sqlite3');
const Database = require('better-sqlite3');
const mssql = require('mssql');
const util = require('util');

const connection = mysql.createConnection({ host: 'localhost', user: 'app', database: 'shop' });
const mysqlPool = mysql2.createPool({ host: 'localhost', user: 'app', database: 'shop' });
const pool = new Pool();
const db = new sqlite3.Database('app.db');
const bdb = new Database('app.db');
const log = console;

const USERS_TABLE = 'users';
const SORTABLE = new Map([
  ['name', 'name'],
  ['price', 'price'],
  ['created', 'created_at'],
]);
const REPORTS = new Map([
  ['daily', 'SELECT day, SUM(amount) AS total FROM sales GROUP BY day'],
  ['top', 'SELECT product_id, COUNT(*) AS n FROM sales GROUP BY product_id ORDER BY n DESC LIMIT 10'],
]);

function vuln_mysql_concat(req, res) {
  connection.query("SELECT * FROM users WHERE id = '" + req.params.id + "'", (err, rows) => {
    if (err) return res.status(500).end();
    res.json(rows);
  });
}

function safe_mysql_placeholder(req, res) {
  connection.query('SELECT * FROM users WHERE id = ?', [req.params.id], (err, rows) => {
    if (err) return res.status(500).end();
    res.json(rows);
  });
}

function vuln_mysql_template_login(req, res) {
  const { email, password } = req.body;
  connection.query(`SELECT id FROM users WHERE email = '${email}' AND password = '${password}'`, (err, rows) => {
    if (err || rows.length === 0) return res.status(401).end();
    res.json({ id: rows[0].id });
  });
}

function safe_mysql_escape_value(req, res) {
  const sql = 'SELECT id FROM users WHERE email = ' + connection.escape(req.body.email);
  connection.query(sql, (err, rows) => res.json(rows));
}

async function vuln_mysql2_execute_template(req, res) {
  const [rows] = await mysqlPool.execute(`SELECT * FROM orders WHERE status = '${req.query.status}'`);
  res.json(rows);
}

async function safe_mysql2_execute_params(req, res) {
  const [rows] = await mysqlPool.execute('SELECT * FROM orders WHERE status = ? AND user_id = ?', [
    req.query.status,
    req.user.id,
  ]);
  res.json(rows);
}

async function vuln_pg_pool_query(name) {
  const result = await pool.query("SELECT * FROM accounts WHERE name = '" + name + "'");
  return result.rows;
}

async function safe_pg_params(name) {
  const result = await pool.query('SELECT * FROM accounts WHERE name = $1', [name]);
  return result.rows;
}

async function vuln_pg_order_by(req, res) {
  const { sort = 'id', dir = 'asc' } = req.query;
  const { rows } = await pool.query(`SELECT id, name, price FROM products ORDER BY ${sort} ${dir}`);
  res.json(rows);
}

async function safe_order_by_whitelist(req, res) {
  const column = SORTABLE.get(req.query.sort) ?? 'id';
  const direction = req.query.dir === 'desc' ? 'DESC' : 'ASC';
  const { rows } = await pool.query(`SELECT id, name, price FROM products ORDER BY ${column} ${direction}`);
  res.json(rows);
}

function vuln_mysql_order_by_concat(req, res) {
  const sql = 'SELECT id, name FROM products ORDER BY ' + req.query.orderBy;
  connection.query(sql, (err, rows) => res.json(rows));
}

function safe_mysql_escape_id(req, res) {
  const sql = 'SELECT id, name FROM products ORDER BY ' + mysql.escapeId(req.query.orderBy);
  connection.query(sql, (err, rows) => res.json(rows));
}

async function vuln_pg_table_name(req, res) {
  const { rows } = await pool.query(`SELECT COUNT(*) AS n FROM ${req.params.table}`);
  res.json(rows[0]);
}

async function safe_pg_format_identifier(req, res) {
  const sql = format('SELECT COUNT(*) AS n FROM %I WHERE owner_id = $1', req.params.table);
  const { rows } = await pool.query(sql, [req.user.id]);
  res.json(rows[0]);
}

function vuln_mysql_table_placeholder_misuse(req, res) {
  connection.query('SELECT * FROM ' + req.params.table + ' WHERE id = ?', [req.params.id], (err, rows) => res.json(rows));
}

function safe_mysql_identifier_placeholder(req, res) {
  connection.query('SELECT * FROM ?? WHERE id = ?', [req.params.table, req.params.id], (err, rows) => res.json(rows));
}

async function vuln_builder_loop(req, res) {
  let sql = 'SELECT * FROM products WHERE 1=1';
  for (const [key, value] of Object.entries(req.query)) {
    sql += ` AND ${key} = '${value}'`;
  }
  const { rows } = await pool.query(sql);
  res.json(rows);
}

async function safe_builder_loop_placeholders(req, res) {
  let sql = 'SELECT * FROM products WHERE 1=1';
  const values = [];
  if (req.query.category) {
    values.push(req.query.category);
    sql += ` AND category = $${values.length}`;
  }
  if (req.query.brand) {
    values.push(req.query.brand);
    sql += ` AND brand = $${values.length}`;
  }
  const { rows } = await pool.query(sql, values);
  res.json(rows);
}

async function vuln_in_list_join(req, res) {
  const ids = String(req.query.ids).split(',');
  const { rows } = await pool.query(`SELECT * FROM users WHERE id IN (${ids.join(',')})`);
  res.json(rows);
}

function safe_mysql_in_list_fill(req, res) {
  const ids = String(req.query.ids).split(',');
  const placeholders = Array(ids.length).fill('?').join(',');
  connection.query(`SELECT * FROM users WHERE id IN (${placeholders})`, ids, (err, rows) => res.json(rows));
}

async function vuln_in_list_quoted_map(names) {
  const list = names.map((n) => `'${n}'`).join(', ');
  const { rows } = await pool.query('SELECT * FROM users WHERE name IN (' + list + ')');
  return rows;
}

async function safe_pg_in_list_placeholders(names) {
  const placeholders = names.map((_, i) => `$${i + 1}`).join(', ');
  const { rows } = await pool.query(`SELECT * FROM users WHERE name IN (${placeholders})`, names);
  return rows;
}

async function vuln_like_template(term) {
  const { rows } = await pool.query(`SELECT id, title FROM posts WHERE title ILIKE '%${term}%'`);
  return rows;
}

async function safe_like_bound(term) {
  const { rows } = await pool.query('SELECT id, title FROM posts WHERE title ILIKE $1', [`%${term}%`]);
  return rows;
}

function vuln_sqlite3_run(req, res) {
  db.run("INSERT INTO comments (post_id, body) VALUES (" + req.body.postId + ", '" + req.body.body + "')", (err) => {
    res.status(err ? 500 : 201).end();
  });
}

function safe_sqlite3_run_params(req, res) {
  db.run('INSERT INTO comments (post_id, body) VALUES (?, ?)', [req.body.postId, req.body.body], (err) => {
    res.status(err ? 500 : 201).end();
  });
}

function vuln_better_sqlite3_prepare(name) {
  return bdb.prepare(`SELECT * FROM users WHERE name = '${name}'`).get();
}

function safe_better_sqlite3_named(name) {
  return bdb.prepare('SELECT * FROM users WHERE name = @name').get({ name });
}

function vuln_build_user_query(name) {
  return "SELECT id, email FROM users WHERE name = '" + name + "'";
}

function safe_build_user_query() {
  return 'SELECT id, email FROM ' + USERS_TABLE + ' WHERE name = $1';
}

async function vuln_array_join_lines(role) {
  const sql = [
    'SELECT u.id, u.name',
    'FROM users u',
    'JOIN roles r ON r.id = u.role_id',
    `WHERE r.name = '${role}'`,
  ].join('\n');
  const { rows } = await pool.query(sql);
  return rows;
}

async function safe_constant_concat() {
  const sql = 'SELECT u.id, u.name ' + 'FROM ' + USERS_TABLE + ' u ' + 'WHERE u.active = true';
  const { rows } = await pool.query(sql);
  return rows;
}

function vuln_util_format(req, res) {
  const sql = util.format("SELECT * FROM invoices WHERE number = '%s'", req.query.number);
  connection.query(sql, (err, rows) => res.json(rows));
}

async function safe_query_from_constant_map(req, res) {
  const sql = REPORTS.get(req.query.report);
  if (!sql) return res.status(404).end();
  const { rows } = await pool.query(sql);
  res.json(rows);
}

async function vuln_mssql_request(req, res) {
  const result = await new mssql.Request().query(`SELECT * FROM Customers WHERE CustomerId = '${req.params.id}'`);
  res.json(result.recordset);
}

async function safe_mssql_input(req, res) {
  const result = await new mssql.Request()
    .input('id', mssql.NVarChar, req.params.id)
    .query('SELECT * FROM Customers WHERE CustomerId = @id');
  res.json(result.recordset);
}

async function vuln_limit_from_query(req, res) {
  const { rows } = await pool.query(`SELECT id, name FROM products ORDER BY id LIMIT ${req.query.limit}`);
  res.json(rows);
}

async function safe_parse_int_limit(req, res) {
  const parsed = Number.parseInt(req.query.limit, 10);
  const pageSize = Number.isInteger(parsed) && parsed > 0 ? Math.min(parsed, 100) : 20;
  const { rows } = await pool.query(`SELECT id, name FROM products ORDER BY id LIMIT ${pageSize}`);
  res.json(rows);
}

function vuln_json_body_update(req, res) {
  const { username, bio } = req.body;
  const sql = "UPDATE profiles SET bio = '" + bio + "' WHERE username = '" + username + "'";
  connection.query(sql, (err) => res.status(err ? 500 : 204).end());
}

async function safe_pg_array_any(ids) {
  const { rows } = await pool.query('SELECT * FROM users WHERE id = ANY($1::int[])', [ids]);
  return rows;
}

function safe_logging_mentions_select(table, started) {
  log.info(`SELECT * FROM ${table} took ${Date.now() - started} ms`);
}

async function safe_error_message(id) {
  const { rows } = await pool.query('SELECT * FROM users WHERE id = $1', [id]);
  if (rows.length === 0) {
    throw new Error(`query SELECT * FROM users WHERE id = '${id}' returned no rows`);
  }
  return rows[0];
}

async function safe_parameter_passthrough(client, text, values) {
  const { rows } = await client.query(text, values);
  return rows;
}
