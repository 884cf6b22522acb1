package dev.binlogrelay.core.flavor;

public class UnsupportedFlavorException extends RuntimeException {
    public UnsupportedFlavorException(String message) {
        super(message);
    }
}
