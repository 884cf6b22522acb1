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

    private CharacterSets() {
    }

    /** The default collation of a character set; for one the relay does not list, {@code <charset>_general_ci}. */
    static String defaultCollation(String charset) {
        return CHARSETS.stream().filter(c -> c.name().equalsIgnoreCase(charset)).map(Charset::defaultCollation)
                .findFirst().orElse(charset + "_general_ci");
    }
}
