package org.dpnas.common.metric;

/**
 * A metric accumulated batch by batch, never from whole-dataset arrays: implementations add an
 * {@code update(...)} method for their own input type, {@link #compute()} reads the result at any
 * time and {@link #reset()} starts over.
 *
 * @param <R> the type of the computed result
 */
public interface StreamingMetric<R> {

    /** Returns the metric over everything seen since construction or the last reset. */
    R compute();

    /** Forgets everything seen so far. */
    void reset();
}
