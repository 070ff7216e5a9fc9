package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrScheduleTest {

    @Test
    void polyMatchesTheDeepLabFormula() {
        LrSchedule s = LrSchedule.poly(0.1f, 100, 0.9f, 0f);
        assertEquals(0.1f, s.at(0), 1e-7f);
        // 0.1 · (1 − 50/100)^0.9 = 0.1 · 0.5^0.9 = 0.0535887
        assertEquals(0.0535887f, s.at(50), 1e-6f);
        // last step 99: 0.1 · 0.01^0.9 = 0.1 · 0.0158489 > 0
        assertEquals(0.00158489f, s.at(99), 1e-7f);
    }

    @Test
    void cosineGoesFromBaseToMin() {
        LrSchedule s = LrSchedule.cosine(0.025f, 40, 0.001f);
        assertEquals(0.025f, s.at(0), 1e-7f);
        // half way: min + (base − min)/2 = 0.013
        assertEquals(0.013f, s.at(20), 1e-7f);
        // step 30: 0.001 + 0.024 · (1 + cos(3π/4))/2 = 0.001 + 0.024 · 0.1464466 = 0.0045147
        assertEquals(0.0045147f, s.at(30), 1e-6f);
    }

    @Test
    void warmupRampsLinearly() {
        LrSchedule s = LrSchedule.constant(0.4f).withWarmup(4);
        assertEquals(0.1f, s.at(0), 1e-7f);
        assertEquals(0.3f, s.at(2), 1e-7f);
        assertEquals(0.4f, s.at(4), 1e-7f);
    }

    @Test
    void rejectsUnknownNames() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> LrSchedule.create("step", 0.1f, 10, 0.9f, 0f));
        assertEquals("unknown schedule 'step': expected constant, poly or cosine", e.getMessage());
    }
}
