package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.junit.jupiter.api.Test;

class AutoDeepLabSpaceTest {

    /**
     * L = 2: layer 0 at level 0 or 1; from 0 the next is 0 or 1, from 1 it is 0, 1 or 2: five
     * paths, each drawn with probability 1/5.
     */
    @Test
    void pathsAreDrawnUniformly() {
        AutoDeepLabSpace space = new AutoDeepLabSpace(4, 2, 2);
        assertEquals(5, space.pathCount());
        Map<List<Integer>, Integer> counts = new HashMap<>();
        Random r = new Random(3);
        int n = 5000;
        for (int i = 0; i < n; i++) {
            counts.merge(space.sample(r).networkPath(), 1, Integer::sum);
        }
        assertEquals(5, counts.size(), counts.toString());
        // expected 1000 each, σ = √(5000·0.2·0.8) ≈ 28: 150 is more than 5σ
        for (int c : counts.values()) {
            assertTrue(Math.abs(c - 1000) < 150, counts.toString());
        }
    }

    @Test
    void samplesAreValidAndRoundTrip() {
        AutoDeepLabSpace space = new AutoDeepLabSpace(8, 5, 12);
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            AutoDeepLabGenotype g = space.sample(r); // the record validates itself
            assertEquals(g, space.fromJson(g.toJson()));
            assertEquals(12, g.networkPath().size());
        }
    }

    @Test
    void autoDeepLabIsRegistered() {
        SearchMethod m = Registry.method("autodeeplab").orElseThrow();
        assertEquals(AutoDeepLabGenotype.METHOD, m.name());
    }
}
