package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Forces garbage collection and churns short-lived native scalars between forward and backward, so
 * that a buffer freed too early (DJL's wrapper of a Java number passed to an arithmetic op) is
 * reused and overwritten before the backward pass reads it.
 */
final class GcPressure {

    private GcPressure() {}

    static void apply(NDManager m) {
        for (int i = 0; i < 3; i++) {
            byte[][] junk = new byte[64][];
            for (int j = 0; j < junk.length; j++) {
                junk[j] = new byte[64 * 1024];
            }
            System.gc();
            System.runFinalization();
            try (NDManager churn = m.newSubManager()) {
                for (int k = 0; k < 64; k++) {
                    NDArray a = churn.create(-1000f - k);
                    a.add(a).close();
                }
            }
        }
    }
}
