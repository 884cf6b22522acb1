package dev.binlogrelay.server.downstream;

/**
 * The server side of one auth plugin for one login attempt. {@link LoginHandler} owns the connection and the
 * handshake; a method only sees the client's auth data, answers through {@link Reply} and decides. Methods
 * take credentials from a {@link UserAccount}; they never know where those came from.
 */
interface ServerAuthMethod {
    enum Outcome {
        /** Authenticated: the login handler sends OK. */
        ACCEPT,
        /** Wrong password (or a client that cannot finish the exchange): ERR 1045. */
        REJECT,
        /** The method sent something and waits for the client's next packet. */
        CONTINUE
    }

    /** Sends one auth packet (AuthMoreData) to the client. */
    interface Reply {
        void send(byte[] payload);
    }

    /** The client's first auth response: from the handshake response, or the auth switch response. */
    Outcome start(byte[] response, Reply reply);

    /** A further packet, after {@link Outcome#CONTINUE}. */
    Outcome next(byte[] packet, Reply reply);

    /**
     * After {@link Outcome#ACCEPT}: the password hash this plugin's clients can compute too, with which the final OK
     * proves the TLS certificate ({@link dev.binlogrelay.core.auth.TlsPasswordProof}); empty for plugins whose
     * clients do not take such a proof (their exchange hands the server the password) and for empty passwords.
     */
    default java.util.Optional<byte[]> certificateProofHash() {
        return java.util.Optional.empty();
    }
}
