package org.dpnas.cli;

/**
 * A user error (bad argument, missing file the user named, ...) reported as one line {@code dpnas
 * VERB: MESSAGE} without a stack trace, with a chosen exit code.
 *
 * <p>It is unchecked so that it can be thrown from lambdas and from {@link Args} getters.
 */
public class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Exit code for usage errors, the default. */
    public static final int USAGE = 2;

    private final int exitCode;

    /**
     * Creates a usage error with exit code {@value #USAGE}.
     *
     * @param message the message, without the {@code dpnas VERB: } prefix
     */
    public CliException(String message) {
        this(message, USAGE);
    }

    /**
     * Creates a user error with the given exit code.
     *
     * @param message the message, without the {@code dpnas VERB: } prefix
     * @param exitCode the process exit code, 1 to 255
     * @throws IllegalArgumentException if the exit code is outside 1..255
     */
    public CliException(String message, int exitCode) {
        super(message);
        if (exitCode < 1 || exitCode > 255) {
            throw new IllegalArgumentException("exit code must be in 1..255, got " + exitCode);
        }
        this.exitCode = exitCode;
    }

    /**
     * Returns the process exit code.
     *
     * @return a code in 1..255
     */
    public int exitCode() {
        return exitCode;
    }
}
