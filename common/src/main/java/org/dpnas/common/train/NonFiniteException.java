package org.dpnas.common.train;

/** Thrown when the loss or the parameters become NaN or infinite; the run stops there. */
public final class NonFiniteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long step;

    /**
     * Creates the exception.
     *
     * @param step the first step (counting from 1) whose loss was not finite
     * @param message the full message, naming the step and the last good checkpoint
     */
    public NonFiniteException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** The first step (counting from 1) whose loss was not finite. */
    public long step() {
        return step;
    }
}
