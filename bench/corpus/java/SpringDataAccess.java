// Labelled corpus (ours): vuln_* methods build SQL/JPQL/HQL text from a run-time value
// (injection possible); safe_* do not (JdbcTemplate / NamedParameterJdbcTemplate bind values,
// JPA setParameter, Criteria API, Hibernate named parameters, constant text). Shapes modelled on
// Spring Boot services and JPA/Hibernate repositories. Scored per method by bench/scan_eval.
package org.example.corpus;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.persistence.EntityManager;
import javax.persistence.TypedQuery;
import javax.persistence.criteria.CriteriaBuilder;
import javax.persistence.criteria.CriteriaQuery;
import javax.persistence.criteria.Root;
import org.hibernate.Session;
import org.springframework.jdbc.core.BeanPropertyRowMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.web.bind.annotation.RequestParam;

class Customer {
    Long id;
    String name;
    String email;
    String status;
}

public class SpringDataAccess {
    private final JdbcTemplate jdbcTemplate;
    private final NamedParameterJdbcTemplate namedJdbc;
    private final EntityManager em;
    private final Session session;

    SpringDataAccess(JdbcTemplate jdbcTemplate, NamedParameterJdbcTemplate namedJdbc, EntityManager em, Session session) {
        this.jdbcTemplate = jdbcTemplate;
        this.namedJdbc = namedJdbc;
        this.em = em;
        this.session = session;
    }

    public List<Map<String, Object>> vuln_jdbc_template_query_for_list(@RequestParam String name) {
        return jdbcTemplate.queryForList("SELECT * FROM customers WHERE name = '" + name + "'");
    }

    public List<Map<String, Object>> safe_jdbc_template_params(@RequestParam String name) {
        return jdbcTemplate.queryForList("SELECT * FROM customers WHERE name = ?", name);
    }

    public int vuln_jdbc_template_update(long id, String status) {
        return jdbcTemplate.update("UPDATE customers SET status = '" + status + "' WHERE id = " + id);
    }

    public int safe_jdbc_template_update_params(long id, String status) {
        return jdbcTemplate.update("UPDATE customers SET status = ? WHERE id = ?", status, id);
    }

    public Integer vuln_query_for_object_format(String email) {
        String sql = String.format("SELECT COUNT(*) FROM customers WHERE email = '%s'", email);
        return jdbcTemplate.queryForObject(sql, Integer.class);
    }

    public Integer safe_query_for_object_params(String email) {
        return jdbcTemplate.queryForObject("SELECT COUNT(*) FROM customers WHERE email = ?", Integer.class, email);
    }

    public List<Customer> vuln_named_template_order_by(String status, String sort) {
        MapSqlParameterSource params = new MapSqlParameterSource().addValue("status", status);
        return namedJdbc.query("SELECT * FROM customers WHERE status = :status ORDER BY " + sort,
                params, new BeanPropertyRowMapper<>(Customer.class));
    }

    public List<Customer> safe_named_parameter_template(String status, String email) {
        MapSqlParameterSource params = new MapSqlParameterSource()
                .addValue("status", status)
                .addValue("email", email);
        return namedJdbc.query("SELECT * FROM customers WHERE status = :status AND email = :email",
                params, new BeanPropertyRowMapper<>(Customer.class));
    }

    public List<Customer> vuln_string_join_in_list(List<String> emails) {
        String in = emails.stream().map(e -> "'" + e + "'").collect(Collectors.joining(","));
        return jdbcTemplate.query("SELECT * FROM customers WHERE email IN (" + in + ")",
                new BeanPropertyRowMapper<>(Customer.class));
    }

    public List<Customer> safe_named_in_list(List<String> emails) {
        MapSqlParameterSource params = new MapSqlParameterSource("emails", emails);
        return namedJdbc.query("SELECT * FROM customers WHERE email IN (:emails)",
                params, new BeanPropertyRowMapper<>(Customer.class));
    }

    public List<Customer> vuln_jpa_create_query(String name) {
        TypedQuery<Customer> q = em.createQuery(
                "SELECT c FROM Customer c WHERE c.name = '" + name + "'", Customer.class);
        return q.getResultList();
    }

    public List<Customer> safe_jpa_named_parameter(String name) {
        TypedQuery<Customer> q = em.createQuery(
                "SELECT c FROM Customer c WHERE c.name = :name", Customer.class);
        q.setParameter("name", name);
        return q.getResultList();
    }

    @SuppressWarnings("unchecked")
    public List<Object[]> vuln_jpa_native_query(String email) {
        return em.createNativeQuery("SELECT id, name FROM customers WHERE email = '" + email + "'")
                .getResultList();
    }

    @SuppressWarnings("unchecked")
    public List<Object[]> safe_jpa_native_positional(String email) {
        return em.createNativeQuery("SELECT id, name FROM customers WHERE email = ?1")
                .setParameter(1, email)
                .getResultList();
    }

    public List<Customer> vuln_hibernate_hql(String status) {
        return session.createQuery("from Customer where status = '" + status + "' order by name", Customer.class)
                .list();
    }

    public List<Customer> safe_hibernate_named_param(String status) {
        return session.createQuery("from Customer where status = :status order by name", Customer.class)
                .setParameter("status", status)
                .list();
    }

    public int[] vuln_jdbc_batch_update(List<String> names) {
        String[] statements = names.stream()
                .map(n -> "INSERT INTO audit_log (customer_name) VALUES ('" + n + "')")
                .toArray(String[]::new);
        return jdbcTemplate.batchUpdate(statements);
    }

    public int[] safe_jdbc_batch_update_args(List<String> names) {
        List<Object[]> args = names.stream().map(n -> new Object[] {n}).collect(Collectors.toList());
        return jdbcTemplate.batchUpdate("INSERT INTO audit_log (customer_name) VALUES (?)", args);
    }

    public List<Customer> vuln_concat_method(String city) {
        String sql = "SELECT * FROM customers WHERE city = '".concat(city).concat("'");
        return jdbcTemplate.query(sql, new BeanPropertyRowMapper<>(Customer.class));
    }

    public List<Customer> safe_criteria_api(String name) {
        CriteriaBuilder cb = em.getCriteriaBuilder();
        CriteriaQuery<Customer> cq = cb.createQuery(Customer.class);
        Root<Customer> root = cq.from(Customer.class);
        cq.select(root).where(cb.equal(root.get("name"), name));
        return em.createQuery(cq).getResultList();
    }

    public List<Customer> vuln_search_filters(Map<String, String> filters) {
        StringBuilder sql = new StringBuilder("SELECT * FROM customers WHERE 1=1");
        for (Map.Entry<String, String> f : filters.entrySet()) {
            sql.append(" AND ").append(f.getKey()).append(" = '").append(f.getValue()).append("'");
        }
        return jdbcTemplate.query(sql.toString(), new BeanPropertyRowMapper<>(Customer.class));
    }

    public List<Customer> safe_search_filters(String status, String city) {
        StringBuilder sql = new StringBuilder("SELECT * FROM customers WHERE 1=1");
        MapSqlParameterSource params = new MapSqlParameterSource();
        if (status != null) {
            sql.append(" AND status = :status");
            params.addValue("status", status);
        }
        if (city != null) {
            sql.append(" AND city = :city");
            params.addValue("city", city);
        }
        return namedJdbc.query(sql.toString(), params, new BeanPropertyRowMapper<>(Customer.class));
    }

    public void vuln_jdbc_execute_ddl(String tenant) {
        jdbcTemplate.execute("CREATE SCHEMA IF NOT EXISTS tenant_" + tenant);
    }

    public void safe_jdbc_execute_constant() {
        jdbcTemplate.execute("CREATE TABLE IF NOT EXISTS audit_log (id SERIAL PRIMARY KEY, customer_name TEXT)");
    }
}
