package dev.binlogrelay.server.wiring;

import dev.binlogrelay.server.config.ConfigException;
import dev.binlogrelay.server.config.Quantities;
import dev.binlogrelay.server.config.RelayConfig;
import dev.binlogrelay.server.downstream.SendLimits;

/** {@code downstream.write_buffer_high}/{@code low}, {@code max_pending_bytes} and {@code write_timeout}, checked. */
public final class SendSettings {
    private SendSettings() {
    }

    /**
     * The limits on readers' pending writes.
     *
     * @throws ConfigException naming the key of a bad value
     */
    public static SendLimits limits(RelayConfig.Downstream d) {
        if (d.writeBufferHigh == null || d.writeBufferHigh < 1) {
            throw new ConfigException("downstream.write_buffer_high must be more than 0 bytes");
        }
        if (d.writeBufferLow == null || d.writeBufferLow < 0 || d.writeBufferLow > d.writeBufferHigh) {
            throw new ConfigException("downstream.write_buffer_low must be between 0 and downstream.write_buffer_high ("
                    + d.writeBufferHigh + ")");
        }
        long maxPending = SendLimits.defaultMaxPendingBytes();
        if (d.maxPendingBytes != null) {
            maxPending = parse("downstream.max_pending_bytes", () -> Quantities.bytes(d.maxPendingBytes));
            if (maxPending < d.writeBufferHigh) {
                throw new ConfigException("downstream.max_pending_bytes (" + maxPending + ") must be at least "
                        + "downstream.write_buffer_high (" + d.writeBufferHigh + "): one reader's share");
            }
        }
        long timeout = d.writeTimeout == null ? SendLimits.DEFAULT_WRITE_TIMEOUT_NANOS
                : parse("downstream.write_timeout", () -> Quantities.duration(d.writeTimeout)).toNanos();
        return new SendLimits(maxPending, timeout);
    }

    private static <T> T parse(String key, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad value for '" + key + "': " + e.getMessage());
        }
    }
}
