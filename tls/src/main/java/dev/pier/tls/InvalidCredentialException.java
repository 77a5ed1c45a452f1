package dev.pier.tls;

/**
 * A certificate or key that cannot be served. The message says what is wrong in words a user can act on and never
 * contains key material.
 */
public final class InvalidCredentialException extends Exception {
    public InvalidCredentialException(String message) {
        super(message, null, false, false);
    }
}
