package org.dpnas.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.search.StepBench;
import org.dpnas.common.testing.BenchChecks;
import org.junit.jupiter.api.Test;

/** {@code dpnas bench cas}: the presets' sizes, one timed step of each kind, bad input refused. */
class CasBenchTest {

    @Test
    void tinyPresetTimesOneWeightAndOneArchitectureStep() throws Exception {
        StepBench.Result r = CasBench.run("tiny", true, OneShotStrategy.BILEVEL, 0, 1, 0);
        assertEquals("C 8, 4 cells, B 3, M 16, 32x32, batch 4", r.description());
        BenchChecks.assertTimed(r.timing(), 4);
    }

    @Test
    void presetsHaveTheDocumentedSizesAndUnknownOnesAreNamed() {
        assertEquals(321, CasBench.preset("paper").height());
        assertEquals(240, CasBench.preset("camvid").width());
        assertEquals(2, CasBench.preset("small").batch());
        var e = assertThrows(IllegalArgumentException.class, () -> CasBench.preset("huge"));
        assertTrue(e.getMessage().contains("'huge'"), e.getMessage());
        var g =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> CasBench.run("tiny", true, OneShotStrategy.GDAS, 0, 1, 0));
        assertTrue(g.getMessage().contains("no fused form"), g.getMessage());
    }
}
