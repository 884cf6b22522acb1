package dev.binlogrelay.server.admin;

/** Which value of a system variable a statement means: as written ({@code @@x}, {@code x}), session or global. */
enum VarScope {
    /** No scope written: the session value for reads and writes (SHOW VARIABLES defaults to it too). */
    DEFAULT,
    /** {@code @@session.x}, {@code @@local.x}, {@code SESSION x}, {@code LOCAL x}. */
    SESSION,
    /** {@code @@global.x}, {@code GLOBAL x} (and {@code PERSIST x}, which the relay treats the same). */
    GLOBAL
}
