package dev.pier.watcher.translate;

import dev.pier.tls.InvalidCredentialException;
import dev.pier.tls.PemCredentials;
import dev.pier.tls.TlsCredential;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Parsed Secrets, keyed by their {@code tls.crt} and {@code tls.key} text: parsing and checking a key costs about a
 * millisecond, and a rebuild should not pay it again for every unchanged Secret. A memo, so translation stays a
 * function of its input: the same text always gives the same credential or the same error.
 *
 * <p>Entries not used by the last translation are dropped. Confined to one thread (the rebuild loop's).
 */
final class CredentialCache {
    private Map<Key, Parsed> entries = new HashMap<>();
    private Map<Key, Parsed> used = new HashMap<>();

    record Key(String certificate, boolean certificateBase64, String key, boolean keyBase64) {}

    /** A credential, or why there is none. */
    record Parsed(TlsCredential credential, String error) {}

    /** The credential for a Secret's entries as stored: base64 ({@code data}) or plain text ({@code stringData}). */
    Parsed parse(String certificate, boolean certificateBase64, String key, boolean keyBase64) {
        Key k = new Key(certificate, certificateBase64, key, keyBase64);
        Parsed p = used.get(k);
        if (p == null) {
            p = entries.get(k);
            if (p == null) {
                p = parseNow(k);
            }
            used.put(k, p);
        }
        return p;
    }

    /** Called at the end of a translation: keeps what it used, forgets the rest. */
    void endOfTranslation() {
        entries = used;
        used = new HashMap<>();
    }

    int size() {
        return entries.size();
    }

    private static Parsed parseNow(Key k) {
        byte[] certificate = decode(k.certificate(), k.certificateBase64());
        byte[] key = decode(k.key(), k.keyBase64());
        if (certificate == null) {
            return new Parsed(null, "tls.crt is not valid base64");
        }
        if (key == null) {
            return new Parsed(null, "tls.key is not valid base64");
        }
        try {
            return new Parsed(PemCredentials.parse(certificate, key), null);
        } catch (InvalidCredentialException e) {
            return new Parsed(null, e.getMessage());
        }
    }

    static byte[] decode(String s, boolean base64) {
        if (!base64) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getMimeDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
