package org.dpnas.common.config;

/**
 * A configuration error attributable to user input: a bad config file, a bad {@code base} chain or
 * a bad {@code --set} override; the message is one line and names its source.
 */
public class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a one-line message.
     *
     * @param message the message, starting with the source (a file path or {@code --set ...})
     */
    public ConfigException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a one-line message and the underlying cause.
     *
     * @param message the message, starting with the source (a file path or {@code --set ...})
     * @param cause the underlying parse or I/O failure
     */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
