package dev.binlogrelay.server.downstream;

import dev.binlogrelay.core.auth.NativePassword;

/** mysql_native_password: one scrambled response, checked against SHA1(SHA1(password)). */
final class NativePasswordLogin implements ServerAuthMethod {
    private final UserAccount account;
    private final byte[] nonce;

    NativePasswordLogin(UserAccount account, byte[] nonce) {
        this.account = account;
        this.nonce = nonce;
    }

    @Override
    public Outcome start(byte[] response, Reply reply) {
        return account.credentials().nativeHash()
                .filter(stored -> NativePassword.verify(stored, nonce, response))
                .map(stored -> Outcome.ACCEPT).orElse(Outcome.REJECT);
    }

    @Override
    public Outcome next(byte[] packet, Reply reply) {
        return Outcome.REJECT;
    }

    @Override
    public java.util.Optional<byte[]> certificateProofHash() {
        return account.credentials().emptyPassword() ? java.util.Optional.empty() : account.credentials().nativeHash();
    }
}
