package dev.binlogrelay.server.schema;

import java.util.Locale;
import java.util.Map;

/**
 * Collation and character set names of a definition to the collation id a TABLE_MAP would carry, which is what row
 * decoding reads a text column's bytes with ({@link dev.binlogrelay.core.rows.Column#collation()}). A character set
 * stands for its default collation; a collation not listed here for its character set's, which decodes the same.
 */
final class Collations {
    /** Each character set's default collation id (MariaDB's; MySQL 8's utf8mb4 default, 255, decodes the same). */
    private static final Map<String, Integer> CHARSETS = Map.ofEntries(
            Map.entry("big5", 1), Map.entry("cp850", 4), Map.entry("koi8r", 7), Map.entry("latin1", 8),
            Map.entry("latin2", 9), Map.entry("ascii", 11), Map.entry("ujis", 12), Map.entry("sjis", 13),
            Map.entry("hebrew", 16), Map.entry("tis620", 18), Map.entry("euckr", 19), Map.entry("koi8u", 22),
            Map.entry("gb2312", 24), Map.entry("greek", 25), Map.entry("cp1250", 26), Map.entry("gbk", 28),
            Map.entry("latin5", 30), Map.entry("utf8", 33), Map.entry("utf8mb3", 33), Map.entry("ucs2", 35),
            Map.entry("cp852", 40), Map.entry("utf8mb4", 45), Map.entry("cp1251", 51), Map.entry("utf16", 54),
            Map.entry("utf16le", 56), Map.entry("cp1256", 57), Map.entry("cp1257", 59), Map.entry("utf32", 60),
            Map.entry("binary", 63), Map.entry("cp932", 95), Map.entry("eucjpms", 97), Map.entry("gb18030", 248));
    private static final Map<String, Integer> NAMED = Map.ofEntries(
            Map.entry("latin1_bin", 47), Map.entry("latin1_general_ci", 48), Map.entry("utf8mb4_bin", 46),
            Map.entry("utf8_bin", 83), Map.entry("utf8mb3_bin", 83), Map.entry("utf8mb4_unicode_ci", 224),
            Map.entry("utf8mb4_unicode_520_ci", 246), Map.entry("utf8mb4_0900_ai_ci", 255),
            Map.entry("utf8mb4_0900_bin", 309), Map.entry("ascii_bin", 65), Map.entry("utf8_unicode_ci", 192),
            Map.entry("utf8mb3_unicode_ci", 192), Map.entry("utf8mb4_uca1400_ai_ci", 2304));

    private Collations() {
    }

    /** The id for a column's character set and collation (either may be null); -1 when neither is known. */
    static int id(String charset, String collation) {
        if (collation != null) {
            String c = collation.toLowerCase(Locale.ROOT);
            Integer named = NAMED.get(c);
            if (named != null) {
                return named;
            }
            int underscore = c.indexOf('_');
            Integer byCharset = CHARSETS.get(underscore > 0 ? c.substring(0, underscore) : c);
            if (byCharset != null) {
                return byCharset;
            }
        }
        if (charset != null) {
            return CHARSETS.getOrDefault(charset.toLowerCase(Locale.ROOT), -1);
        }
        return -1;
    }
}
