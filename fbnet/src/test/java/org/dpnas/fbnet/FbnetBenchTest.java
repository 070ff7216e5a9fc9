package org.dpnas.fbnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpnas.common.search.StepBench;
import org.dpnas.common.testing.BenchChecks;
import org.junit.jupiter.api.Test;

/**
 * {@code dpnas bench fbnet}: the presets' sizes, one timed step of each kind, bad input refused.
 */
class FbnetBenchTest {

    @Test
    void tinyPresetTimesOneWeightAndOneArchitectureStep() throws Exception {
        StepBench.Result r = FbnetBench.run("tiny", 0, 1, 0);
        assertTrue(
                r.description().endsWith("7 layers x 9 candidates, 32x32, batch 4"),
                r.description());
        BenchChecks.assertTimed(r.timing(), 4);
    }

    @Test
    void unknownPresetsAreNamed() {
        assertEquals(64, FbnetBench.preset("small").height());
        var e = assertThrows(IllegalArgumentException.class, () -> FbnetBench.preset("paper"));
        assertTrue(e.getMessage().contains("'paper'"), e.getMessage());
        assertTrue(e.getMessage().contains("tiny or small"), e.getMessage());
    }
}
