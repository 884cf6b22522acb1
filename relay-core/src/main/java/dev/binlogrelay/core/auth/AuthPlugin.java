package dev.binlogrelay.core.auth;

import java.util.Optional;

/** The authentication plugins the relay speaks, by their protocol names. */
public enum AuthPlugin {
    MYSQL_NATIVE_PASSWORD(NativePassword.PLUGIN),
    CACHING_SHA2_PASSWORD(CachingSha2Password.PLUGIN);

    private final String protocolName;

    AuthPlugin(String protocolName) {
        this.protocolName = protocolName;
    }

    /** The name on the wire and in config ("mysql_native_password", "caching_sha2_password"). */
    public String protocolName() {
        return protocolName;
    }

    /** The plugin with this protocol name, if the relay speaks it. */
    public static Optional<AuthPlugin> byName(String name) {
        for (AuthPlugin p : values()) {
            if (p.protocolName.equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return protocolName;
    }
}
