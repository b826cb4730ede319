// Labelled corpus (ours): functions named vuln_* build SQL text from a run-time value, so an
// injection is possible; safe_* do not (bind parameters, constants only, integer-typed values,
// identifier quoting through pq.QuoteIdentifier, whitelists that yield only constant text,
// SQL that merely appears in log or error messages). Shapes taken from net/http handlers on
// database/sql with lib/pq and go-sql-driver/mysql, as in public Go CVE fixes.
// bench/scan_eval scores per function; it does not need to compile.
package corpus

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

const usersTable = "users"
const userColumns = "id, name, email, created_at"

type User struct {
	ID    int64
	Name  string
	Email string
}

type UserRepo struct {
	db *sql.DB
}

type searchRequest struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// normalize only trims the value: the result is still attacker-controlled.
func normalize(s string) string {
	return strings.TrimSpace(strings.ToLower(s))
}

func vuln_login_concat(w http.ResponseWriter, r *http.Request, db *sql.DB) {
	username := r.FormValue("username")
	password := r.FormValue("password")
	row := db.QueryRow("SELECT id FROM users WHERE username = '" + username + "' AND password = '" + password + "'")
	var id int
	if err := row.Scan(&id); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	fmt.Fprintf(w, "welcome %d", id)
}

func safe_login_params(w http.ResponseWriter, r *http.Request, db *sql.DB) {
	username := r.FormValue("username")
	password := r.FormValue("password")
	row := db.QueryRow("SELECT id FROM users WHERE username = $1 AND password = $2", username, password)
	var id int
	if err := row.Scan(&id); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	fmt.Fprintf(w, "welcome %d", id)
}

func vuln_sprintf_id(db *sql.DB, id string) (*sql.Rows, error) {
	query := fmt.Sprintf("SELECT * FROM users WHERE id = %s", id)
	return db.Query(query)
}

func safe_sprintf_int(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil {
		limit = 20
	}
	offset, err := strconv.Atoi(r.URL.Query().Get("offset"))
	if err != nil {
		offset = 0
	}
	query := fmt.Sprintf("SELECT id, name FROM users ORDER BY id LIMIT %d OFFSET %d", limit, offset)
	return db.Query(query)
}

func vuln_sprintf_quoted_name(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	name := r.URL.Query().Get("name")
	return db.Query(fmt.Sprintf("SELECT id, email FROM users WHERE name = '%s'", name))
}

func safe_sprintf_constants(db *sql.DB, id int64) *sql.Row {
	query := fmt.Sprintf("SELECT %s FROM %s WHERE id = $1", userColumns, usersTable)
	return db.QueryRow(query, id)
}

func vuln_order_by_param(w http.ResponseWriter, r *http.Request, db *sql.DB) {
	sortBy := r.URL.Query().Get("sort")
	rows, err := db.Query("SELECT id, name, price FROM products ORDER BY " + sortBy)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer rows.Close()
}

func safe_order_by_whitelist_map(w http.ResponseWriter, r *http.Request, db *sql.DB) {
	allowed := map[string]string{
		"name":    "name",
		"price":   "price",
		"created": "created_at",
	}
	column, ok := allowed[r.URL.Query().Get("sort")]
	if !ok {
		column = "id"
	}
	rows, err := db.Query("SELECT id, name, price FROM products ORDER BY " + column)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer rows.Close()
}

func vuln_order_direction(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	dir := r.URL.Query().Get("dir")
	query := "SELECT id, title FROM posts ORDER BY created_at " + dir
	return db.Query(query)
}

func safe_order_by_switch(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	var column string
	switch r.URL.Query().Get("sort") {
	case "title":
		column = "title"
	case "author":
		column = "author_id"
	default:
		column = "created_at"
	}
	dir := "ASC"
	if r.URL.Query().Get("desc") == "1" {
		dir = "DESC"
	}
	return db.Query("SELECT id, title FROM posts ORDER BY " + column + " " + dir)
}

func vuln_exec_delete(db *sql.DB, token string) error {
	_, err := db.Exec("DELETE FROM sessions WHERE token = '" + token + "'")
	return err
}

func safe_exec_delete(db *sql.DB, token string) error {
	_, err := db.Exec("DELETE FROM sessions WHERE token = $1", token)
	return err
}

func vuln_filters_loop(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	query := "SELECT * FROM items WHERE 1=1"
	for key, values := range r.URL.Query() {
		query += " AND " + key + " = '" + values[0] + "'"
	}
	return db.Query(query)
}

func safe_filters_loop(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	query := "SELECT * FROM items WHERE 1=1"
	args := []interface{}{}
	if status := r.URL.Query().Get("status"); status != "" {
		args = append(args, status)
		query += " AND status = $" + strconv.Itoa(len(args))
	}
	if owner := r.URL.Query().Get("owner"); owner != "" {
		args = append(args, owner)
		query += " AND owner = $" + strconv.Itoa(len(args))
	}
	return db.Query(query, args...)
}

func vuln_strings_builder(db *sql.DB, category string) (*sql.Rows, error) {
	var sb strings.Builder
	sb.WriteString("SELECT id, name FROM products WHERE category = '")
	sb.WriteString(category)
	sb.WriteString("' AND deleted = false")
	return db.Query(sb.String())
}

func safe_strings_builder_constants(db *sql.DB, category string) (*sql.Rows, error) {
	var sb strings.Builder
	sb.WriteString("SELECT id, name FROM products")
	sb.WriteString(" WHERE category = $1")
	sb.WriteString(" AND deleted = false")
	return db.Query(sb.String(), category)
}

func vuln_in_list_join(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	names := strings.Split(r.URL.Query().Get("names"), ",")
	query := "SELECT id FROM users WHERE name IN ('" + strings.Join(names, "','") + "')"
	return db.Query(query)
}

func safe_in_list_placeholders(db *sql.DB, ids []string) (*sql.Rows, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]interface{}, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return db.Query("SELECT id, name FROM users WHERE id IN ("+placeholders+")", args...)
}

func vuln_like_concat(db *sql.DB, term string) (*sql.Rows, error) {
	return db.Query("SELECT id, title FROM posts WHERE title LIKE '%" + term + "%'")
}

func safe_like_bound(db *sql.DB, term string) (*sql.Rows, error) {
	pattern := "%" + strings.ReplaceAll(term, "%", `\%`) + "%"
	return db.Query("SELECT id, title FROM posts WHERE title LIKE $1", pattern)
}

func vuln_helper_returns_sql(name string) string {
	return "SELECT id, email FROM users WHERE name = '" + name + "'"
}

func safe_helper_returns_sql() string {
	return "SELECT id, email FROM users WHERE name = $1"
}

func (r *UserRepo) vuln_find_by_email(ctx context.Context, email string) (*User, error) {
	u := &User{}
	q := fmt.Sprintf("SELECT id, name, email FROM users WHERE email = '%s' LIMIT 1", email)
	err := r.db.QueryRowContext(ctx, q).Scan(&u.ID, &u.Name, &u.Email)
	return u, err
}

func (r *UserRepo) safe_find_by_email(ctx context.Context, email string) (*User, error) {
	u := &User{}
	err := r.db.QueryRowContext(ctx, "SELECT id, name, email FROM users WHERE email = $1 LIMIT 1", email).Scan(&u.ID, &u.Name, &u.Email)
	return u, err
}

func vuln_prepare_concat(db *sql.DB, id string) (*sql.Rows, error) {
	stmt, err := db.Prepare("SELECT * FROM orders WHERE customer_id = " + id)
	if err != nil {
		return nil, err
	}
	return stmt.Query()
}

func safe_prepare_params(db *sql.DB, id string, status string) error {
	stmt, err := db.Prepare("UPDATE orders SET status = ? WHERE id = ?")
	if err != nil {
		return err
	}
	defer stmt.Close()
	_, err = stmt.Exec(status, id)
	return err
}

func vuln_table_name(db *sql.DB, r *http.Request) (int, error) {
	table := r.URL.Query().Get("table")
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n)
	return n, err
}

func safe_quote_identifier(db *sql.DB, r *http.Request) (int, error) {
	table := r.URL.Query().Get("table")
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM " + pq.QuoteIdentifier(table)).Scan(&n)
	return n, err
}

func vuln_multiline_sprintf(db *sql.DB, slug string) (*sql.Rows, error) {
	query := fmt.Sprintf(`
		SELECT u.id, u.name
		FROM users u
		JOIN orgs o ON o.id = u.org_id
		WHERE o.slug = '%s'
		ORDER BY u.name`, slug)
	return db.Query(query)
}

func safe_multiline_raw_string(db *sql.DB, slug string) (*sql.Rows, error) {
	const query = `
		SELECT u.id, u.name
		FROM users u
		JOIN orgs o ON o.id = u.org_id
		WHERE o.slug = $1
		ORDER BY u.name`
	return db.Query(query, slug)
}

func vuln_tx_update(db *sql.DB, id int, note string) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE accounts SET note = '" + note + "' WHERE id = " + strconv.Itoa(id)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func safe_itoa_integer(db *sql.DB, id int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE accounts SET last_seen = now() WHERE id = " + strconv.Itoa(id)); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func vuln_header_tenant(w http.ResponseWriter, r *http.Request, db *sql.DB) {
	tenant := r.Header.Get("X-Tenant")
	rows, err := db.Query(fmt.Sprintf("SELECT * FROM invoices WHERE tenant = '%v'", tenant))
	if err != nil {
		http.Error(w, "error", 500)
		return
	}
	defer rows.Close()
}

func safe_query_from_constant_map(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	reports := map[string]string{
		"daily":   "SELECT day, SUM(amount) FROM sales GROUP BY day",
		"monthly": "SELECT date_trunc('month', day), SUM(amount) FROM sales GROUP BY 1",
	}
	query, ok := reports[r.URL.Query().Get("report")]
	if !ok {
		return nil, fmt.Errorf("unknown report")
	}
	return db.Query(query)
}

func vuln_json_body(w http.ResponseWriter, r *http.Request, db *sql.DB) {
	var req searchRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", 400)
		return
	}
	q := "SELECT id FROM tickets WHERE status = '" + req.Status + "'"
	if req.Name != "" {
		q += " AND name = '" + req.Name + "'"
	}
	rows, _ := db.Query(q)
	defer rows.Close()
}

func safe_parameter_passthrough(db *sql.DB, query string, args ...interface{}) (*sql.Rows, error) {
	return db.Query(query, args...)
}

func vuln_through_helper(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	city := normalize(r.FormValue("city"))
	return db.Query("SELECT id, name FROM stores WHERE city = '" + city + "'")
}

func safe_log_mentions_select(table string, started time.Time) {
	log.Printf("SELECT * FROM %s took %v", table, time.Since(started))
}

func vuln_cookie_value(r *http.Request, db *sql.DB) (*sql.Rows, error) {
	c, err := r.Cookie("cart")
	if err != nil {
		return nil, err
	}
	return db.Query("SELECT sku, qty FROM carts WHERE cart_id = '" + c.Value + "'")
}

func safe_error_message(db *sql.DB, id string) error {
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM users WHERE id = $1", id).Scan(&n); err != nil {
		return fmt.Errorf("query SELECT * FROM users WHERE id = '%s' failed: %w", id, err)
	}
	return nil
}

func vuln_mysql_limit_string(db *sql.DB, r *http.Request) (*sql.Rows, error) {
	limit := r.URL.Query().Get("limit")
	return db.Query("SELECT id, name FROM users LIMIT " + limit)
}

func safe_int64_sprintf(db *sql.DB, userID int64) (*sql.Rows, error) {
	return db.Query(fmt.Sprintf("SELECT id, total FROM orders WHERE user_id = %d", userID))
}
