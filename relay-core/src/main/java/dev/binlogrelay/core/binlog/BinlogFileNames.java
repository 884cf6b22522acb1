package dev.binlogrelay.core.binlog;

/**
 * Binlog file names: a base name, a dot and a sequence number of digits ({@code mariadb-bin.000007}). The number
 * may outgrow its zero padding ({@code binlog.1000000} follows {@code binlog.999999}); more than 18 digits are
 * not a sequence number (servers count files in 32 bits).
 */
public final class BinlogFileNames {
    private BinlogFileNames() {
    }

    /** True if {@code file} is a later file of {@code newest}'s series: {@code base.000008} after {@code base.000007}. */
    public static boolean laterInSeries(String file, String newest) {
        int a = file.lastIndexOf('.');
        int b = newest.lastIndexOf('.');
        if (a <= 0 || b <= 0 || !file.substring(0, a).equals(newest.substring(0, b))) {
            return false;
        }
        String n = file.substring(a + 1);
        String m = newest.substring(b + 1);
        if (!digits(n) || !digits(m)) {
            return false;
        }
        return Long.parseLong(n) > Long.parseLong(m);
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
