package org.dpnas.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpnas.common.search.StepBench;

/** Checks a method's step benchmark shares: both steps timed, images/s derived from them. */
public final class BenchChecks {

    private BenchChecks() {}

    /** Both medians positive and images/s = batch / (weight step + architecture step). */
    public static void assertTimed(StepBench.Timing t, int batch) {
        assertTrue(t.weightStepMs() > 0, "weight step " + t);
        assertTrue(t.archStepMs() > 0, "architecture step " + t);
        assertEquals(
                batch / ((t.weightStepMs() + t.archStepMs()) / 1000),
                t.imagesPerSecond(),
                1e-9 * t.imagesPerSecond());
    }
}
