package dev.binlogrelay.server.downstream;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The "host" that per-host limits count (unauthenticated connections, failed logins): the IPv4 address, or the
 * /64 prefix of an IPv6 address (one machine commonly holds a whole /64, so counting single IPv6 addresses would
 * let it step around the limits).
 */
final class PeerHost {
    private PeerHost() {
    }

    static String of(SocketAddress address) {
        if (!(address instanceof InetSocketAddress a) || a.getAddress() == null) {
            return "local";
        }
        InetAddress ip = a.getAddress();
        if (ip instanceof Inet6Address) {
            byte[] b = ip.getAddress();
            StringBuilder sb = new StringBuilder(24);
            for (int i = 0; i < 8; i += 2) {
                sb.append(Integer.toHexString((b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF))).append(':');
            }
            return sb.append(":/64").toString();
        }
        return ip.getHostAddress();
    }
}
