package dev.binlogrelay.core.auth;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsPasswordProofTest {
    private static final byte[] SCRAMBLE = new byte[20];

    static {
        for (int i = 0; i < SCRAMBLE.length; i++) {
            SCRAMBLE[i] = (byte) (i + 1);
        }
    }

    private static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void theInfoIsTheSha256OfHashScrambleAndFingerprintInUpperCaseHex() throws Exception {
        // expected value computed independently: python3 hashlib, sha256(sha1(sha1(b'secret')) + bytes(1..20) + sha256(b'certificate'))
        String info = TlsPasswordProof.okInfo(NativePassword.storedHash("secret"), SCRAMBLE, sha256("certificate"));
        assertEquals("\u000188E2770F7B3AF4AEE2DB92972983F2BA41DE13F5AAA7A1BB1B25D43CA774B193", info);
    }

    @Test
    void theClientSideAcceptsOnlyTheProofForItsFingerprintAndPassword() throws Exception {
        byte[] hash = NativePassword.storedHash("secret");
        byte[] fp = sha256("certificate");
        byte[] info = TlsPasswordProof.okInfo(hash, SCRAMBLE, fp).getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(TlsPasswordProof.verifies(info, hash, SCRAMBLE, fp));
        assertFalse(TlsPasswordProof.verifies(info, hash, SCRAMBLE, sha256("another certificate")), "a MitM's certificate");
        assertFalse(TlsPasswordProof.verifies(info, NativePassword.storedHash("guess"), SCRAMBLE, fp), "another password");
        assertFalse(TlsPasswordProof.verifies(new byte[0], hash, SCRAMBLE, fp), "no proof");
        byte[] otherDigest = info.clone();
        otherDigest[0] = 0x02;
        assertFalse(TlsPasswordProof.verifies(otherDigest, hash, SCRAMBLE, fp), "an unknown digest type");
    }
}
