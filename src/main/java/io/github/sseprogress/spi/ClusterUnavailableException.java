package io.github.sseprogress.spi;

/** The cluster could not be reached in time; the library answers 503. */
public class ClusterUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
