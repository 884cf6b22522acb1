package dev.binlogrelay.bench.canal;

import dev.binlogrelay.testkit.MariaDbServer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * The canal scenario's row workload on the primary, written with {@code binlog_row_metadata=FULL} (set globally
 * before it): table {@code canalbench.t} with integer (signed and unsigned), DECIMAL, DOUBLE, VARCHAR (utf8mb4),
 * DATETIME(3), ENUM, BLOB and nullable columns; {@code inserts} rows (a multiple of 100) in multi-row INSERTs of
 * 100 (one transaction each), then one UPDATE of every fourth row (each row changes) and one DELETE of every tenth.
 * The table is created before the start position, so a reader from there knows it.
 *
 * @param start where the workload's first transaction begins
 * @param end   the primary's binlog end after it
 * @param rows  row changes written: inserted + updated + deleted rows
 */
public record CanalWorkload(MariaDbServer.BinlogFilePos start, MariaDbServer.BinlogFilePos end, long rows) {
    public static final String DATABASE = "canalbench";
    /** Canal's filter syntax: the workload's table only. */
    public static final String FILTER = DATABASE + "\\..*";
    private static final int ROWS_PER_INSERT = 100;

    public static CanalWorkload write(MariaDbServer primary, int inserts, long seed) throws SQLException {
        primary.execute("SET GLOBAL binlog_row_metadata = 'FULL'", "SET GLOBAL binlog_row_image = 'FULL'",
                "DROP DATABASE IF EXISTS " + DATABASE, "CREATE DATABASE " + DATABASE,
                "CREATE TABLE " + DATABASE + ".t (id INT PRIMARY KEY, k BIGINT UNSIGNED NOT NULL, n SMALLINT, "
                        + "price DECIMAL(12,2), ratio DOUBLE, name VARCHAR(64) CHARACTER SET utf8mb4, at DATETIME(3), "
                        + "state ENUM('new','paid','shipped'), body BLOB, note VARCHAR(16) NULL) ENGINE=InnoDB");
        MariaDbServer.BinlogFilePos start = primary.binlogFilePos();
        Random random = new Random(seed);
        long rows = 0;
        try (Connection c = primary.connect()) {
            StringBuilder sql = new StringBuilder("INSERT INTO " + DATABASE + ".t VALUES ");
            for (int i = 0; i < ROWS_PER_INSERT; i++) {
                sql.append(i == 0 ? "" : ",").append("(?,?,?,?,?,?,?,?,?,?)");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int id = 1; id <= inserts; ) {
                    int p = 1;
                    for (int i = 0; i < ROWS_PER_INSERT; i++, id++) {
                        ps.setInt(p++, id);
                        ps.setLong(p++, random.nextLong() & Long.MAX_VALUE);
                        ps.setShort(p++, (short) (random.nextInt(65536) - 32768));
                        ps.setBigDecimal(p++, java.math.BigDecimal.valueOf(random.nextInt(100_000_000), 2));
                        ps.setDouble(p++, random.nextDouble());
                        ps.setString(p++, "name-" + id + "-ü€" + Integer.toHexString(random.nextInt()));
                        ps.setTimestamp(p++, new java.sql.Timestamp(1_700_000_000_000L + random.nextInt(1 << 30)));
                        ps.setString(p++, new String[] {"new", "paid", "shipped"}[random.nextInt(3)]);
                        byte[] body = new byte[16 + random.nextInt(48)];
                        random.nextBytes(body);
                        ps.setBytes(p++, body);
                        if (random.nextBoolean()) {
                            ps.setNull(p++, java.sql.Types.VARCHAR);
                        } else {
                            ps.setString(p++, "n" + random.nextInt(1000));
                        }
                    }
                    rows += ps.executeUpdate();
                }
            }
            try (Statement s = c.createStatement()) {
                rows += s.executeUpdate("UPDATE " + DATABASE + ".t SET k = k DIV 2 + 1, note = CONCAT('u', id) WHERE id % 4 = 0");
                rows += s.executeUpdate("DELETE FROM " + DATABASE + ".t WHERE id % 10 = 1");
            }
        }
        return new CanalWorkload(start, primary.binlogFilePos(), rows);
    }
}
