package dev.binlogrelay.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A caching_sha2_password hash as MySQL stores it in {@code mysql.user.authentication_string}:
 *
 * <pre>
 * "$A$" | rounds / 1000 as 3 hex digits | "$" | salt (20 bytes) | sha256-crypt digest (43 characters)
 * e.g. $A$005$&lt;20-byte salt&gt;&lt;43 chars&gt;  = 5000 rounds of {@link Sha256Crypt} over the password and salt
 * </pre>
 * MySQL's salts are 7-bit bytes that may be unprintable; {@code SHOW CREATE USER} can print the whole string
 * as hex ({@code AS 0x2441243030352...}), and {@link #parse} takes either form. {@link #create(String)} makes
 * salts from printable characters only, so the text form is safe in a YAML file.
 *
 * <p>Verifying a password costs {@code rounds} SHA-256 computations (about a millisecond for 5000), which is
 * why the server keeps SHA256(SHA256(password)) in its fast-auth cache after one full authentication.
 */
public final class CachingSha2Hash {
    public static final String PREFIX = "$A$";
    public static final int SALT_LENGTH = 20;
    public static final int DEFAULT_ROUNDS = 5000;
    private static final int ROUNDS_UNIT = 1000;
    private static final byte[] SALT_CHARS = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int rounds;
    private final byte[] salt;
    private final String digest;

    private CachingSha2Hash(int rounds, byte[] salt, String digest) {
        this.rounds = rounds;
        this.salt = salt;
        this.digest = digest;
    }

    /** A new hash of a password (UTF-8) with a random printable salt and 5000 rounds, as MySQL's default. */
    public static CachingSha2Hash create(String password) {
        byte[] salt = new byte[SALT_LENGTH];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = SALT_CHARS[RANDOM.nextInt(SALT_CHARS.length)];
        }
        return create(CachingSha2Password.bytes(password), salt, DEFAULT_ROUNDS);
    }

    public static CachingSha2Hash create(byte[] password, byte[] salt, int rounds) {
        if (salt.length != SALT_LENGTH) {
            throw new IllegalArgumentException("a caching_sha2_password salt is " + SALT_LENGTH + " bytes, not " + salt.length);
        }
        if (rounds < ROUNDS_UNIT || rounds % ROUNDS_UNIT != 0 || rounds / ROUNDS_UNIT > 0xFFF) {
            throw new IllegalArgumentException("rounds must be a multiple of 1000 between 1000 and 4095000, not " + rounds);
        }
        return new CachingSha2Hash(rounds, salt.clone(), Sha256Crypt.hash(password, salt, rounds));
    }

    /** True if the text looks like a caching_sha2_password hash in either form {@link #parse} accepts. */
    public static boolean looksLike(String text) {
        return text.startsWith(PREFIX) || text.regionMatches(true, 0, "0x2441", 0, 6);
    }

    /**
     * Parses {@code $A$005$<salt><digest>} (the salt's characters taken as bytes 0-255) or the same string as
     * hex with a {@code 0x} prefix.
     */
    public static CachingSha2Hash parse(String text) {
        byte[] raw;
        if (text.regionMatches(true, 0, "0x", 0, 2)) {
            try {
                raw = HexFormat.of().parseHex(text.substring(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a hex caching_sha2_password hash must be 0x and hex digits");
            }
        } else {
            raw = new byte[text.length()];
            for (int i = 0; i < raw.length; i++) {
                char ch = text.charAt(i);
                if (ch > 0xFF) {
                    throw new IllegalArgumentException("a caching_sha2_password hash has only 8-bit characters");
                }
                raw[i] = (byte) ch;
            }
        }
        int expected = PREFIX.length() + 4 + SALT_LENGTH + Sha256Crypt.HASH_CHARS;
        String head = new String(raw, 0, Math.min(raw.length, 7), StandardCharsets.ISO_8859_1);
        if (raw.length != expected || !head.startsWith(PREFIX) || head.charAt(6) != '$') {
            throw new IllegalArgumentException("a caching_sha2_password hash is $A$, 3 hex digits of rounds/1000, $, "
                    + "a 20-byte salt and 43 characters (" + expected + " bytes)");
        }
        int units;
        try {
            units = Integer.parseInt(head.substring(3, 6), 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the rounds of a caching_sha2_password hash are 3 hex digits, not '" + head.substring(3, 6) + "'");
        }
        if (units == 0) {
            throw new IllegalArgumentException("a caching_sha2_password hash with 0 rounds");
        }
        byte[] salt = new byte[SALT_LENGTH];
        System.arraycopy(raw, 7, salt, 0, SALT_LENGTH);
        String digest = new String(raw, 7 + SALT_LENGTH, Sha256Crypt.HASH_CHARS, StandardCharsets.ISO_8859_1);
        return new CachingSha2Hash(units * ROUNDS_UNIT, salt, digest);
    }

    /** Whether a password (as the client sent it, without the NUL) matches; compares in constant time. */
    public boolean verify(byte[] password) {
        String candidate = Sha256Crypt.hash(password, salt, rounds);
        return MessageDigest.isEqual(candidate.getBytes(StandardCharsets.ISO_8859_1), digest.getBytes(StandardCharsets.ISO_8859_1));
    }

    public int rounds() {
        return rounds;
    }

    public byte[] salt() {
        return salt.clone();
    }

    /** The text form, {@code $A$005$...} (as mysql.user holds it). */
    public String format() {
        return new String(raw(), StandardCharsets.ISO_8859_1);
    }

    /** The hex form, {@code 0x2441...} (as SHOW CREATE USER prints it with print_identified_with_as_hex). */
    public String formatHex() {
        return "0x" + HexFormat.of().withUpperCase().formatHex(raw());
    }

    private byte[] raw() {
        byte[] head = String.format("%s%03X$", PREFIX, rounds / ROUNDS_UNIT).getBytes(StandardCharsets.US_ASCII);
        byte[] d = digest.getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = new byte[head.length + salt.length + d.length];
        System.arraycopy(head, 0, r, 0, head.length);
        System.arraycopy(salt, 0, r, head.length, salt.length);
        System.arraycopy(d, 0, r, head.length + salt.length, d.length);
        return r;
    }

    /** Whether the salt is printable ASCII other than quotes and backslash, so {@link #format} is safe to paste. */
    public boolean printable() {
        for (byte b : salt) {
            if (b < 0x21 || b > 0x7E || b == '\'' || b == '"' || b == '\\') {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "caching_sha2_password hash (" + rounds + " rounds)";
    }
}
