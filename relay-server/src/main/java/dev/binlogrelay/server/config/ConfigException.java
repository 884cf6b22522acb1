package dev.binlogrelay.server.config;

/** A configuration problem, with a one-line message naming the offending key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
