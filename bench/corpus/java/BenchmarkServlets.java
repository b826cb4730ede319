// Labelled corpus (ours): methods named vuln_* build SQL text from a run-time value (injection
// possible); safe_* do not (bind parameters, constants only, integer-typed values,
// Statement.enquoteIdentifier, whitelists of constants, and OWASP-Benchmark-style data flows
// whose value provably ends up constant: ternary / switch / list / map selecting a literal).
// Shapes modelled on OWASP Benchmark SQLi test cases (param -> bar -> sql) on plain JDBC.
// Unlabelled helpers come first; scored per method by bench/scan_eval (no need to compile).
package org.example.corpus;

import java.io.IOException;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import javax.servlet.ServletException;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

class DatabaseHelper {
    static Connection getSqlConnection() throws SQLException {
        return javax.sql.DataSource.class.cast(null).getConnection();
    }

    static void printResults(ResultSet rs, HttpServletResponse response) throws IOException {
        response.getWriter().println("Your results are: " + rs);
    }
}

class ThingImpl {
    // Identity transform, as in the OWASP Benchmark "Thing" helpers: the taint survives.
    String doSomething(String i) {
        return i;
    }
}

enum SortDirection { ASC, DESC }

public class BenchmarkServlets {
    private static final Logger LOG = Logger.getLogger("corpus");
    private static final String USERS_TABLE = "USERS";
    private static final Map<String, String> SORT_COLUMNS =
            Map.of("name", "USERNAME", "created", "CREATED_AT", "email", "EMAIL");
    private static final Map<String, String> REPORTS =
            Map.of("active", "SELECT COUNT(*) FROM USERS WHERE ACTIVE = 1",
                   "locked", "SELECT COUNT(*) FROM USERS WHERE LOCKED = 1");

    public void vuln_statement_execute(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00008");
        if (param == null) param = "";
        String bar = param;
        String sql = "SELECT * from USERS where USERNAME='foo' and PASSWORD='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            Statement statement = conn.createStatement();
            statement.execute(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_prepared_statement(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00009");
        if (param == null) param = "";
        String bar = param;
        String sql = "SELECT * from USERS where USERNAME=? and PASSWORD=?";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            PreparedStatement statement = conn.prepareStatement(sql);
            statement.setString(1, "foo");
            statement.setString(2, bar);
            DatabaseHelper.printResults(statement.executeQuery(), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_header_urldecode(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = "";
        if (request.getHeader("BenchmarkTest00052") != null) {
            param = request.getHeader("BenchmarkTest00052");
        }
        param = java.net.URLDecoder.decode(param, "UTF-8");
        String bar = new ThingImpl().doSomething(param);
        String sql = "SELECT * from USERS where USERNAME='foo' and PASSWORD='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            ResultSet rs = conn.createStatement().executeQuery(sql);
            DatabaseHelper.printResults(rs, response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_ternary_constant(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00105");
        if (param == null) param = "";
        int num = 106;
        String bar = (7 * 18) + num > 200 ? "This_should_always_happen" : param;
        String sql = "SELECT * from USERS where USERNAME='foo' and PASSWORD='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_ternary_param(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00106");
        if (param == null) param = "";
        int num = 196;
        String bar = (7 * 42) - num > 200 ? "This should never happen" : param;
        String sql = "SELECT * from USERS where USERNAME='foo' and PASSWORD='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_switch_constant(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00140");
        if (param == null) param = "";
        String bar;
        String guess = "ABC";
        char switchTarget = guess.charAt(1); // 'B'
        switch (switchTarget) {
            case 'A':
                bar = param;
                break;
            case 'B':
                bar = "bobs_your_uncle";
                break;
            case 'C':
            case 'D':
                bar = param;
                break;
            default:
                bar = "bobs_your_uncle";
                break;
        }
        String sql = "SELECT * from USERS where USERNAME='foo' and PASSWORD='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeQuery(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_switch_param(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00141");
        if (param == null) param = "";
        String bar;
        String guess = "ABC";
        char switchTarget = guess.charAt(2); // 'C'
        switch (switchTarget) {
            case 'A':
                bar = param;
                break;
            case 'B':
                bar = "bobs_your_uncle";
                break;
            case 'C':
            case 'D':
                bar = param;
                break;
            default:
                bar = "bobs_your_uncle";
                break;
        }
        String sql = "SELECT * from USERS where USERNAME='foo' and PASSWORD='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeQuery(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_list_get_constant(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00200");
        if (param == null) param = "";
        List<String> valuesList = new ArrayList<>();
        valuesList.add("safe");
        valuesList.add(param);
        valuesList.add("moresafe");
        valuesList.remove(0); // remove the 1st safe value
        String bar = valuesList.get(1); // get the last 'safe' value
        String sql = "UPDATE USERS SET PASSWORD='" + bar + "' WHERE USERNAME='foo'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeUpdate(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_list_remove_get(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00201");
        if (param == null) param = "";
        List<String> valuesList = new ArrayList<>();
        valuesList.add("safe");
        valuesList.add(param);
        valuesList.add("moresafe");
        valuesList.remove(0); // remove the 1st safe value
        String bar = valuesList.get(0); // get the param value
        String sql = "UPDATE USERS SET PASSWORD='" + bar + "' WHERE USERNAME='foo'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeUpdate(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_hashmap_constant_key(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00250");
        if (param == null) param = "";
        HashMap<String, Object> map = new HashMap<>();
        map.put("keyA", "a-Value");
        map.put("keyB", param);
        map.put("keyC", "another-Value");
        String bar = (String) map.get("keyA");
        String sql = "SELECT * from USERS where USERNAME='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeQuery(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_hashmap_get(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00251");
        if (param == null) param = "";
        HashMap<String, Object> map = new HashMap<>();
        map.put("keyA", "a-Value");
        map.put("keyB", param);
        map.put("keyC", "another-Value");
        String bar = (String) map.get("keyB");
        String sql = "SELECT * from USERS where USERNAME='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeQuery(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_stringbuilder_append(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00300");
        if (param == null) param = "";
        StringBuilder sbxyz = new StringBuilder(param);
        String bar = sbxyz.append("_SafeStuff").toString();
        StringBuilder sql = new StringBuilder("SELECT * from USERS where USERNAME='");
        sql.append(bar).append("'");
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeQuery(sql.toString());
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_integer_parse(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        int id = Integer.parseInt(request.getParameter("id"));
        String sql = "SELECT * FROM USERS WHERE ID = " + id;
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_string_format(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String bar = request.getParameter("BenchmarkTest00350");
        String sql = String.format("SELECT * from USERS where USERNAME='%s' and PASSWORD='foo'", bar);
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_string_format_int(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        int page = Integer.parseInt(request.getParameter("page"));
        int size = 25;
        String sql = String.format("SELECT * FROM USERS ORDER BY ID LIMIT %d OFFSET %d", size, page * size);
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().executeQuery(sql);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_prepare_mixed(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String bar = request.getParameter("BenchmarkTest00400");
        String sql = "SELECT * from USERS where USERNAME=? and PASSWORD='" + bar + "'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            PreparedStatement statement = conn.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            statement.setString(1, "foo");
            statement.execute();
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_in_list_placeholders(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String[] ids = request.getParameterValues("id");
        String placeholders = String.join(",", Collections.nCopies(ids.length, "?"));
        String sql = "SELECT * FROM USERS WHERE ID IN (" + placeholders + ")";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            PreparedStatement ps = conn.prepareStatement(sql);
            for (int i = 0; i < ids.length; i++) {
                ps.setString(i + 1, ids[i]);
            }
            DatabaseHelper.printResults(ps.executeQuery(), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_prepare_call(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String bar = request.getParameter("BenchmarkTest00450");
        String sql = "{call " + bar + "}";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            CallableStatement statement = conn.prepareCall(sql);
            statement.execute();
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_callable_params(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String bar = request.getParameter("BenchmarkTest00451");
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            CallableStatement statement = conn.prepareCall("{call verifyUserPassword(?, ?)}");
            statement.setString(1, "foo");
            statement.setString(2, bar);
            statement.execute();
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_add_batch(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String bar = request.getParameter("BenchmarkTest00500");
        String sql = "INSERT INTO users (username, password) VALUES ('foo','" + bar + "')";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            Statement statement = conn.createStatement();
            statement.addBatch(sql);
            statement.executeBatch();
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_batch_prepared(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String[] names = request.getParameterValues("name");
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            PreparedStatement ps = conn.prepareStatement("INSERT INTO users (username, password) VALUES (?, 'changeme')");
            for (String name : names) {
                ps.setString(1, name);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_execute_update_cookie(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Cookie[] theCookies = request.getCookies();
        String param = "noCookieValueSupplied";
        if (theCookies != null) {
            for (Cookie theCookie : theCookies) {
                if (theCookie.getName().equals("BenchmarkTest00550")) {
                    param = java.net.URLDecoder.decode(theCookie.getValue(), "UTF-8");
                    break;
                }
            }
        }
        String sql = "UPDATE USERS SET PASSWORD='" + param + "' WHERE USERNAME='foo'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            int count = conn.createStatement().executeUpdate(sql);
            response.getWriter().println("Updated " + count);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_like_bound(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String term = request.getParameter("q");
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            PreparedStatement ps = conn.prepareStatement("SELECT * FROM PRODUCTS WHERE NAME LIKE ?");
            ps.setString(1, "%" + term + "%");
            DatabaseHelper.printResults(ps.executeQuery(), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_parameter_map_like(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Map<String, String[]> map = request.getParameterMap();
        String param = "";
        if (!map.isEmpty()) {
            String[] values = map.get("BenchmarkTest00600");
            if (values != null) param = values[0];
        }
        String sql = "SELECT * FROM PRODUCTS WHERE NAME LIKE '%" + param + "%'";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_order_by_whitelist(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String column = SORT_COLUMNS.getOrDefault(request.getParameter("sort"), "ID");
        String sql = "SELECT * FROM " + USERS_TABLE + " ORDER BY " + column;
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_order_by_param(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String column = request.getParameter("sort");
        String sql = "SELECT * FROM " + USERS_TABLE + " ORDER BY " + column;
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_enquote_identifier(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String table = request.getParameter("table");
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            Statement statement = conn.createStatement();
            String sql = "SELECT COUNT(*) FROM " + statement.enquoteIdentifier(table, true);
            DatabaseHelper.printResults(statement.executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_base64_roundtrip(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String param = request.getParameter("BenchmarkTest00650");
        if (param == null) param = "";
        String bar = new String(Base64.getDecoder().decode(Base64.getEncoder().encode(param.getBytes())));
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            conn.createStatement().execute("DELETE FROM SESSIONS WHERE TOKEN = '" + bar + "'");
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_constant_concat(HttpServletResponse response) throws ServletException, IOException {
        String sql = "SELECT ID, USERNAME FROM " + USERS_TABLE + " WHERE ACTIVE = 1" + " ORDER BY USERNAME";
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_concat_loop(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String[] tags = request.getParameterValues("tag");
        String sql = "SELECT DISTINCT p.ID FROM POSTS p JOIN POST_TAGS t ON t.POST_ID = p.ID WHERE 1=0";
        for (String tag : tags) {
            sql += "\n   OR t.NAME = '" + tag + "'";
        }
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_query_from_constant_map(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String sql = REPORTS.get(request.getParameter("report"));
        if (sql == null) {
            response.sendError(404);
            return;
        }
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void vuln_text_block_formatted(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String region = request.getParameter("region");
        String sql = """
                SELECT c.ID, c.NAME, SUM(o.TOTAL)
                FROM CUSTOMERS c
                JOIN ORDERS o ON o.CUSTOMER_ID = c.ID
                WHERE c.REGION = '%s'
                GROUP BY c.ID, c.NAME
                """.formatted(region);
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    public void safe_text_block_params(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String region = request.getParameter("region");
        String sql = """
                SELECT c.ID, c.NAME, SUM(o.TOTAL)
                FROM CUSTOMERS c
                JOIN ORDERS o ON o.CUSTOMER_ID = c.ID
                WHERE c.REGION = ?
                GROUP BY c.ID, c.NAME
                """;
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            PreparedStatement ps = conn.prepareStatement(sql);
            ps.setString(1, region);
            DatabaseHelper.printResults(ps.executeQuery(), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }

    private static String vuln_build_user_query(String name) {
        return "SELECT * FROM USERS WHERE USERNAME = '" + name + "'";
    }

    private static String safe_build_user_query() {
        return "SELECT * FROM USERS WHERE USERNAME = ?";
    }

    public void safe_logging_mentions_select(HttpServletRequest request) {
        String table = request.getParameter("table");
        LOG.info("SELECT * FROM " + table + " requested by " + request.getRemoteUser());
    }

    public void safe_exception_message(Connection conn, String name) throws SQLException {
        PreparedStatement ps = conn.prepareStatement("SELECT ID FROM USERS WHERE USERNAME = ?");
        ps.setString(1, name);
        if (!ps.executeQuery().next()) {
            throw new IllegalStateException("query SELECT ID FROM USERS WHERE USERNAME = '" + name + "' returned nothing");
        }
    }

    public ResultSet safe_parameter_passthrough(Connection conn, String sql, Object... args) throws SQLException {
        PreparedStatement ps = conn.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps.executeQuery();
    }

    public void safe_enum_sort_direction(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        SortDirection dir = SortDirection.valueOf(request.getParameter("dir").toUpperCase());
        String sql = "SELECT * FROM USERS ORDER BY CREATED_AT " + dir.name();
        try (Connection conn = DatabaseHelper.getSqlConnection()) {
            DatabaseHelper.printResults(conn.createStatement().executeQuery(sql), response);
        } catch (SQLException e) {
            throw new ServletException(e);
        }
    }
}
