package dev.binlogrelay.storage;

/** A storage failure, always naming the store and what was being done. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
