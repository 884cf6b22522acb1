package dev.binlogrelay.server.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Checks the {@code canal:} section key by key (docs/canal.md). */
final class CanalSection {
    private CanalSection() {
    }

    static void check(RelayConfig.Canal c, Path file) {
        if (c.listen == null || c.listen.isBlank()) {
            throw missing(file, "canal.listen");
        }
        try {
            ConfigLoader.ListenAddress.parse(c.listen);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": bad value for 'canal.listen': " + e.getMessage());
        }
        if (c.destinations == null || c.destinations.isEmpty()) {
            throw missing(file, "canal.destinations");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.destinations.size(); i++) {
            RelayConfig.CanalDestination d = c.destinations.get(i);
            String key = "canal.destinations[" + i + "]";
            if (d == null || d.name == null || d.name.isBlank()) {
                throw missing(file, key + ".name");
            }
            if (d.name.indexOf('\0') >= 0 || d.name.length() > 255) {
                throw new ConfigException(file + ": bad value for '" + key + ".name': at most 255 characters, no NUL");
            }
            if (!names.add(d.name)) {
                throw new ConfigException(file + ": " + key + ".name repeats the destination '" + d.name + "'");
            }
            // the filter's syntax is Canal's (commas inside {} [] () belong to an expression): the wiring checks it
            if (d.start == null) {
                d.start = "current";
            }
            if (!d.start.equals("current") && !d.start.equals("earliest")) {
                throw new ConfigException(file + ": bad value for '" + key + ".start': 'current' or 'earliest', not '"
                        + d.start + "'");
            }
        }
        if (c.users != null) {
            Set<String> users = new HashSet<>();
            for (int i = 0; i < c.users.size(); i++) {
                RelayConfig.CanalUser u = c.users.get(i);
                String key = "canal.users[" + i + "]";
                if (u == null || u.user == null || u.user.isBlank()) {
                    throw missing(file, key + ".user");
                }
                if (u.password == null) {
                    throw missing(file, key + ".password");
                }
                if (!users.add(u.user)) {
                    throw new ConfigException(file + ": " + key + ".user repeats the user '" + u.user + "'");
                }
            }
        }
        if (c.holdFilesFor == null) {
            c.holdFilesFor = "7d";
        }
        try {
            Quantities.duration(c.holdFilesFor);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": bad value for 'canal.hold_files_for': " + e.getMessage());
        }
        if (c.maxBatchBytes == null) {
            c.maxBatchBytes = "16M";
        }
        long batch;
        try {
            batch = Quantities.bytes(c.maxBatchBytes);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": bad value for 'canal.max_batch_bytes': " + e.getMessage());
        }
        if (batch < 1024 || batch > 1L << 30) {
            throw new ConfigException(file + ": canal.max_batch_bytes must be between 1K and 1G, not " + c.maxBatchBytes);
        }
        if (c.maxPendingBytes == null) {
            c.maxPendingBytes = "256M";
        }
        long pending;
        try {
            pending = Quantities.bytes(c.maxPendingBytes);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": bad value for 'canal.max_pending_bytes': " + e.getMessage());
        }
        if (pending < 1L << 20 || pending > 1L << 40) {
            throw new ConfigException(file + ": canal.max_pending_bytes must be between 1M and 1T, not " + c.maxPendingBytes);
        }
        if (c.writeTimeout == null) {
            c.writeTimeout = "60s";
        }
        try {
            Quantities.duration(c.writeTimeout);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": bad value for 'canal.write_timeout': " + e.getMessage());
        }
        if (c.maxConnections == null) {
            c.maxConnections = 1024;
        }
        if (c.maxConnections < 1 || c.maxConnections > 1_000_000) {
            throw new ConfigException(file + ": canal.max_connections must be between 1 and 1000000, not " + c.maxConnections);
        }
    }

    private static ConfigException missing(Path file, String key) {
        return new ConfigException(file + ": missing key '" + key + "'");
    }
}
