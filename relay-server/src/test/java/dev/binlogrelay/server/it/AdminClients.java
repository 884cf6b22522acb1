package dev.binlogrelay.server.it;

import dev.binlogrelay.testkit.Peers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The clients an operator uses, for the admin ITs: the stock {@code mariadb} command-line client, MySQL
 * Connector/J, and HTTP for /metrics, /health, /ready.
 */
final class AdminClients {
    static final String ADMIN = "op";
    static final String ADMIN_PASSWORD = "opsecret";
    private static final Pattern VERTICAL = Pattern.compile("^\\s*([A-Za-z_]+): ?(.*)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AdminClients() {
    }

    /** What the mariadb client printed (stdout and stderr) and its exit code. */
    record Cli(int exitCode, String output) {
        /** The rows of a {@code -E} (vertical) answer, each as column → value. */
        List<Map<String, String>> rows() {
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : output.split("\n")) {
                if (line.startsWith("***")) {
                    rows.add(new LinkedHashMap<>());
                    continue;
                }
                Matcher m = VERTICAL.matcher(line);
                if (m.matches() && !rows.isEmpty()) {
                    rows.get(rows.size() - 1).put(m.group(1), m.group(2));
                }
            }
            return rows;
        }
    }

    static Path mariadbClient() {
        var tool = Peers.tool("mariadb", "mysql");
        Peers.require(tool.isPresent(), "the mariadb command-line client", "apt-get install -y mariadb-client");
        return tool.get();
    }

    /** {@code mariadb -E -e sql} against the relay on {@code port}, bounded to 30 s. */
    static Cli mariadb(int port, String user, String password, String sql) throws IOException, InterruptedException {
        List<String> cmd = List.of(mariadbClient().toString(), "--no-defaults", "--protocol=TCP", "--host=127.0.0.1",
                "--port=" + port, "--user=" + user, "--password=" + password, "--skip-ssl", "--connect-timeout=10", "-E",
                "-e", sql);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("mariadb did not finish within 30 s: " + sql);
        }
        return new Cli(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** A MySQL Connector/J connection to the relay; the caller closes it. */
    static Connection connectorJ(int port, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/?user=" + user + "&password=" + password
                + "&sslMode=DISABLED&connectTimeout=5000&socketTimeout=30000");
    }

    /** Column labels and rows (values by label) of a query. */
    record Rows(List<String> columns, List<Map<String, String>> rows) {
        Map<String, String> only() {
            if (rows.size() != 1) {
                throw new AssertionError("expected one row, got " + rows);
            }
            return rows.get(0);
        }
    }

    static Rows query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            List<String> columns = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                columns.add(md.getColumnLabel(i));
            }
            List<Map<String, String>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 1; i <= columns.size(); i++) {
                    row.put(columns.get(i - 1), rs.getString(i));
                }
                rows.add(row);
            }
            return new Rows(columns, rows);
        }
    }

    /** The MySQL error code a statement fails with (fails the test if it succeeds). */
    static int errorCode(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            return e.getErrorCode();
        }
        throw new AssertionError("expected an error for " + sql);
    }

    /** GET http://127.0.0.1:port/path: "status body". */
    static String http(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    /** The value of one sample line of a /metrics answer ({@code name{labels}} as printed), or NaN if absent. */
    static double sample(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return Double.NaN;
    }
}
