package dev.binlogrelay.core.rows;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Collation id → Java charset, for the character sets a binlog's text columns come in. The ids are the servers'
 * ({@code SELECT id, character_set_name FROM information_schema.collations}); MariaDB 10.10+ numbers its UCA-14.0.0
 * collations from 2048 in blocks of 256 per character set. An id missing here leaves the value as bytes.
 */
final class Charsets {
    private static final Map<Integer, Charset> BY_ID = new HashMap<>();

    static {
        Charset latin1 = Charset.forName("windows-1252"); // MySQL's latin1 is cp1252
        ids(latin1, 5, 8, 15, 31, 47, 48, 49, 94, 1029, 1032, 1071, 1072, 1073, 1118);
        ids(StandardCharsets.US_ASCII, 11, 65, 1035, 1089);
        ids(StandardCharsets.UTF_8, 33, 83, 76, 223, 45, 46, 246, 255, 1057, 1069, 1101, 1107, 1133, 1261);
        range(StandardCharsets.UTF_8, 192, 215);   // utf8mb3 UCA
        range(StandardCharsets.UTF_8, 224, 247);   // utf8mb4 UCA
        range(StandardCharsets.UTF_8, 256, 323);   // MySQL 8.0 utf8mb4_0900_*
        range(StandardCharsets.UTF_8, 576, 578);   // MariaDB utf8mb3 *_nopad / unicode_520
        range(StandardCharsets.UTF_8, 608, 610);   // MariaDB utf8mb4 *_nopad
        range(StandardCharsets.UTF_8, 2048, 2303); // MariaDB utf8mb3_uca1400_*
        range(StandardCharsets.UTF_8, 2304, 2559); // MariaDB utf8mb4_uca1400_*
        ids(StandardCharsets.UTF_16, 35, 90, 358, 1059, 1114);
        range(StandardCharsets.UTF_16, 128, 151);  // ucs2 (UTF-16 without surrogates)
        range(StandardCharsets.UTF_16, 2560, 2815);
        ids(StandardCharsets.UTF_16, 54, 55, 1078, 1079);
        range(StandardCharsets.UTF_16, 101, 124);
        range(StandardCharsets.UTF_16, 2816, 3071);
        ids(StandardCharsets.UTF_16LE, 56, 62, 1080, 1086);
        Charset utf32 = Charset.forName("UTF-32");
        ids(utf32, 60, 61, 1084, 1085);
        range(utf32, 160, 183);
        range(utf32, 3072, 3327);
        optional("cp1251", 14, 23, 50, 51, 52);
        optional("cp1250", 26, 34, 44, 66, 99);
        optional("cp1256", 57, 67);
        optional("cp1257", 29, 58, 59);
        optional("ISO-8859-2", 9, 21, 27, 77);
        optional("ISO-8859-7", 25, 70);
        optional("ISO-8859-8", 16, 71);
        optional("ISO-8859-9", 30, 78);
        optional("KOI8-R", 7, 74);
        optional("KOI8-U", 22, 75);
        optional("Big5", 1, 84);
        optional("GBK", 28, 87);
        optional("GB2312", 24, 86);
        optional("GB18030", 248, 249, 250);
        optional("Shift_JIS", 13, 88);
        optional("windows-31j", 95, 96);
        optional("EUC-JP", 12, 91);
        optional("x-eucJP-Open", 97, 98);
        optional("EUC-KR", 19, 85);
        optional("TIS-620", 18, 89);
        optional("IBM850", 4, 80);
        optional("IBM852", 40, 81);
        optional("IBM866", 36, 68);
        optional("x-MacRoman", 39, 53);
        optional("x-MacCentralEurope", 38, 43);
    }

    private Charsets() {
    }

    /** The Java charset of a collation id, or null when unknown or binary (63). */
    static Charset of(int collation) {
        return BY_ID.get(collation);
    }

    private static void ids(Charset cs, int... ids) {
        for (int id : ids) {
            BY_ID.put(id, cs);
        }
    }

    private static void range(Charset cs, int from, int to) {
        for (int id = from; id <= to; id++) {
            BY_ID.put(id, cs);
        }
    }

    private static void optional(String name, int... ids) {
        if (Charset.isSupported(name)) {
            ids(Charset.forName(name), ids);
        }
    }
}
