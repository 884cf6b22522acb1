package dev.binlogrelay.server.admin;

import java.util.List;

/**
 * The few character sets and collations the relay names (SHOW CHARACTER SET, SHOW COLLATION, SET NAMES). The relay
 * sends only ASCII text and raw binlog bytes, so this is what clients need to see, not a catalogue.
 */
final class CharacterSets {
    record Charset(String name, String description, String defaultCollation, int maxLength) {
    }

    record Collation(String name, String charset, int id, boolean isDefault) {
    }

    static final List<Charset> CHARSETS = List.of(
            new Charset("binary", "Binary pseudo charset", "binary", 1),
            new Charset("latin1", "cp1252 West European", "latin1_swedish_ci", 1),
            new Charset("utf8mb4", "UTF-8 Unicode", "utf8mb4_general_ci", 4));

    static final List<Collation> COLLATIONS = List.of(
            new Collation("binary", "binary", 63, true),
            new Collation("latin1_bin", "latin1", 47, false),
            new Collation("latin1_swedish_ci", "latin1", 8, true),
            new Collation("utf8mb4_bin", "utf8mb4", 46, false),
            new Collation("utf8mb4_general_ci", "utf8mb4", 45, true));

    /**
     * The collations a client's handshake names by id (one byte), as MariaDB and MySQL number them: the ones drivers
     * send (Connector/J: 45, 224, 255; libmariadb: 8, 33, 45) and their neighbours. An id not listed leaves the
     * session's character set variables at the global values, as a server does for an id it does not know.
     */
    static final java.util.Map<Integer, Collation> HANDSHAKE = java.util.Map.ofEntries(
            handshake(1, "big5", "big5_chinese_ci"), handshake(8, "latin1", "latin1_swedish_ci"),
            handshake(11, "ascii", "ascii_general_ci"), handshake(13, "sjis", "sjis_japanese_ci"),
            handshake(28, "gbk", "gbk_chinese_ci"), handshake(33, "utf8mb3", "utf8mb3_general_ci"),
            handshake(45, "utf8mb4", "utf8mb4_general_ci"), handshake(46, "utf8mb4", "utf8mb4_bin"),
            handshake(47, "latin1", "latin1_bin"), handshake(48, "latin1", "latin1_general_ci"),
            handshake(63, "binary", "binary"), handshake(65, "ascii", "ascii_bin"),
            handshake(83, "utf8mb3", "utf8mb3_bin"), handshake(192, "utf8mb3", "utf8mb3_unicode_ci"),
            handshake(224, "utf8mb4", "utf8mb4_unicode_ci"), handshake(246, "utf8mb4", "utf8mb4_unicode_520_ci"),
            handshake(255, "utf8mb4", "utf8mb4_0900_ai_ci"));

    private static java.util.Map.Entry<Integer, Collation> handshake(int id, String charset, String name) {
        return java.util.Map.entry(id, new Collation(name, charset, id, false));
    }

    private CharacterSets() {
    }

    /**
     * Every character set name MariaDB and MySQL know (lower case), and the aliases clients send: SET NAMES
     * accepts these and refuses others with ERR 1115, as the server does. The relay sends only ASCII text and raw
     * binlog bytes, so it need not convert between them.
     */
    private static final java.util.Set<String> KNOWN = java.util.Set.of("armscii8", "ascii", "big5", "binary", "cp1250",
            "cp1251", "cp1256", "cp1257", "cp850", "cp852", "cp866", "cp932", "dec8", "eucjpms", "euckr", "gb18030",
            "gb2312", "gbk", "geostd8", "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin1", "latin2",
            "latin5", "latin7", "macce", "macroman", "sjis", "swe7", "tis620", "ucs2", "ujis", "utf16", "utf16le", "utf32",
            "utf8", "utf8mb3", "utf8mb4");
    /** Known, but not allowed as a client character set (SET NAMES refuses them with ER_WRONG_VALUE_FOR_VAR). */
    private static final java.util.Set<String> NOT_FOR_CLIENTS = java.util.Set.of("ucs2", "utf16", "utf16le", "utf32");

    /**
     * Checks a character set a client names in SET NAMES / SET CHARACTER SET (lower case).
     *
     * @throws SqlException ER_UNKNOWN_CHARACTER_SET (1115) for a name no server knows, ER_WRONG_VALUE_FOR_VAR for
     *                      one that cannot be a client's
     */
    static void checkClientCharset(String charset) {
        if (!KNOWN.contains(charset)) {
            throw SqlException.unknownCharacterSet(charset);
        }
        if (NOT_FOR_CLIENTS.contains(charset)) {
            throw SqlException.wrongValue("character_set_client", charset);
        }
    }

    /** The default collation of a character set; for one the relay does not list, {@code <charset>_general_ci}. */
    static String defaultCollation(String charset) {
        return CHARSETS.stream().filter(c -> c.name().equalsIgnoreCase(charset)).map(Charset::defaultCollation)
                .findFirst().orElse(charset + "_general_ci");
    }
}
