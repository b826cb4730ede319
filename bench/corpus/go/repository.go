// Labelled corpus (ours): vuln_* functions build SQL text from a run-time value (injection
// possible); safe_* do not (bound values, query-builder conditions with placeholders, sqlx.In /
// NamedExec, pgx.Identifier{}.Sanitize(), constant text). Shapes taken from gorm, sqlx and pgx
// code in public Go projects and their injection fixes. Scored per function by bench/scan_eval.
package corpus

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jmoiron/sqlx"
	"gorm.io/gorm"
)

type Product struct {
	ID       uint
	Name     string
	Category string
	Price    int
}

type Store struct {
	gorm *gorm.DB
	sqlx *sqlx.DB
	pool *pgxpool.Pool
}

func vuln_gorm_raw_sprintf(db *gorm.DB, name string) ([]Product, error) {
	var products []Product
	err := db.Raw(fmt.Sprintf("SELECT * FROM products WHERE name = '%s'", name)).Scan(&products).Error
	return products, err
}

func safe_gorm_raw_params(db *gorm.DB, name string) ([]Product, error) {
	var products []Product
	err := db.Raw("SELECT * FROM products WHERE name = ?", name).Scan(&products).Error
	return products, err
}

func vuln_gorm_where_sprintf(db *gorm.DB, category string) ([]Product, error) {
	var products []Product
	err := db.Where(fmt.Sprintf("category = '%s'", category)).Find(&products).Error
	return products, err
}

func safe_gorm_where_params(db *gorm.DB, category string, maxPrice int) ([]Product, error) {
	var products []Product
	err := db.Where("category = ? AND price <= ?", category, maxPrice).Find(&products).Error
	return products, err
}

func vuln_gorm_where_like(db *gorm.DB, q string) ([]Product, error) {
	var products []Product
	err := db.Where("name LIKE '%" + q + "%'").Find(&products).Error
	return products, err
}

func safe_gorm_struct_conditions(db *gorm.DB, name string) (*Product, error) {
	var p Product
	err := db.Where(&Product{Name: name}).First(&p).Error
	return &p, err
}

func vuln_gorm_order_concat(db *gorm.DB, sortField, dir string) ([]Product, error) {
	var products []Product
	err := db.Order(sortField + " " + dir).Find(&products).Error
	return products, err
}

func safe_gorm_order_constant(db *gorm.DB, category string) ([]Product, error) {
	var products []Product
	err := db.Where("category = ?", category).Order("created_at desc").Limit(50).Find(&products).Error
	return products, err
}

func vuln_gorm_exec_concat(db *gorm.DB, id uint, role string) error {
	return db.Exec("UPDATE users SET role = '"+role+"' WHERE id = ?", id).Error
}

func safe_gorm_in_slice(db *gorm.DB, ids []uint) ([]Product, error) {
	var products []Product
	err := db.Where("id IN ?", ids).Find(&products).Error
	return products, err
}

func vuln_sqlx_select_concat(db *sqlx.DB, country string) ([]Product, error) {
	var products []Product
	err := db.Select(&products, "SELECT * FROM products WHERE origin = '"+country+"' ORDER BY name")
	return products, err
}

func safe_sqlx_named_exec(db *sqlx.DB, p Product) error {
	_, err := db.NamedExec(`INSERT INTO products (name, category, price) VALUES (:name, :category, :price)`, p)
	return err
}

func (s *Store) vuln_sqlx_get_sprintf(ctx context.Context, sku string) (*Product, error) {
	var p Product
	query := fmt.Sprintf("SELECT * FROM products WHERE sku = '%s'", sku)
	err := s.sqlx.GetContext(ctx, &p, query)
	return &p, err
}

func (s *Store) safe_sqlx_in(ctx context.Context, ids []int) ([]Product, error) {
	var products []Product
	query, args, err := sqlx.In("SELECT * FROM products WHERE id IN (?)", ids)
	if err != nil {
		return nil, err
	}
	query = s.sqlx.Rebind(query)
	err = s.sqlx.SelectContext(ctx, &products, query, args...)
	return products, err
}

func (s *Store) vuln_pgx_query_concat(ctx context.Context, email string) (pgx.Rows, error) {
	return s.pool.Query(ctx, "SELECT id, name FROM users WHERE email = '"+email+"'")
}

func (s *Store) safe_pgx_params(ctx context.Context, email string) (pgx.Rows, error) {
	return s.pool.Query(ctx, "SELECT id, name FROM users WHERE email = $1", email)
}

func vuln_pgx_exec_sprintf(ctx context.Context, conn *pgx.Conn, schema string) error {
	_, err := conn.Exec(ctx, fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s", schema))
	return err
}

func safe_pgx_identifier_sanitize(ctx context.Context, conn *pgx.Conn, schema string) error {
	_, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
	return err
}

func vuln_pgx_copy_table(ctx context.Context, conn *pgx.Conn, table string, since string) (pgx.Rows, error) {
	sql := "SELECT * FROM " + pgx.Identifier{table}.Sanitize() + " WHERE updated_at > '" + since + "'"
	return conn.Query(ctx, sql)
}

func safe_pgx_identifier_with_params(ctx context.Context, conn *pgx.Conn, table string, since string) (pgx.Rows, error) {
	sql := "SELECT * FROM " + pgx.Identifier{table}.Sanitize() + " WHERE updated_at > $1"
	return conn.Query(ctx, sql, since)
}
