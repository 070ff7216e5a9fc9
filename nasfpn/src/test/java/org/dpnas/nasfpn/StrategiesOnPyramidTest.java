package org.dpnas.nasfpn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.dpnas.common.search.RandomSearch;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.rl.RlSearch;
import org.dpnas.common.search.strategies.FeatureCount;
import org.dpnas.common.search.strategies.ImitationReward;
import org.dpnas.common.search.strategies.RenasSearch;
import org.dpnas.common.search.strategies.Strategies;
import org.junit.jupiter.api.Test;

/** RENAS and the IRLAS term run on the NAS-FPN space through its decision vector. */
class StrategiesOnPyramidTest {

    /** Fraction of decisions equal to the published NAS-FPN pyramid's. */
    static double likeNasFpn(PyramidSpace space, PyramidGenotype g) {
        int[] t = space.encode(PyramidGenotype.nasFpn());
        int[] x = space.encode(g);
        int m = 0;
        for (int i = 0; i < t.length; i++) {
            m += x[i] == t[i] ? 1 : 0;
        }
        return (double) m / t.length;
    }

    static double best(SearchStrategy<PyramidGenotype> s, PyramidSpace space, int n) {
        double best = 0;
        for (int i = 0; i < n; i++) {
            PyramidGenotype g = s.propose();
            double r = likeNasFpn(space, g);
            s.observe(new Trial<>(i, g, "trials/" + i, Map.of(), r));
            best = Math.max(best, r);
        }
        return best;
    }

    /**
     * With 150 children, RENAS on the 7-cell space gets closer to the published pyramid than random
     * search does (fraction of its 28 decisions matched; measured 0.75 against 0.46).
     */
    @Test
    void renasClimbsTowardsAKnownPyramid() {
        PyramidSpace space = new PyramidSpace(7, "resnet18", 16, 1, "tf");
        double renas =
                best(
                        new RenasSearch<>(
                                space,
                                new RenasSearch.Options(
                                        8, 3, 3e-3, 0.9, 2.0, RenasSearch.Removal.WORST),
                                1,
                                null),
                        space,
                        150);
        double random = best(new RandomSearch<>(space, 1), space, 150);
        assertTrue(renas > random + 0.15, "RENAS " + renas + " vs random " + random);
    }

    /** FPN is the expert of a 5-cell space: its term is 0, another pyramid's is negative. */
    @Test
    void fpnIsAnExpertOfTheFiveCellSpace() {
        PyramidSpace space = new PyramidSpace(5, "resnet18", 16, 1, "tf");
        ImitationReward<PyramidGenotype> irlas =
                new ImitationReward<>(
                        new RlSearch<>(
                                space,
                                RlSearch.Options.defaults(RlSearch.Algorithm.REINFORCE),
                                1,
                                null),
                        FeatureCount.ofDecisions(space, 1),
                        PyramidGenotype.fpn(),
                        1.0);
        PyramidGenotype other = space.sample(new java.util.Random(3));
        irlas.observe(new Trial<>(0, other, "t0", Map.of(), 0.1));
        assertEquals(0, irlas.term(PyramidGenotype.fpn()), 0);
        assertTrue(irlas.lastTerm() < 0);
        PyramidSpace seven = new PyramidSpace(7, "resnet18", 16, 1, "tf");
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> FeatureCount.ofDecisions(seven, 1).apply(PyramidGenotype.fpn()));
        assertTrue(e.getMessage().contains("5 cells"), e.getMessage());
        assertEquals(PyramidGenotype.fpn(), space.expert("fpn").orElseThrow());
        assertTrue(seven.expert("fpn").isEmpty()); // FPN has 5 cells
        assertEquals(PyramidGenotype.nasFpn(), seven.expert("nasfpn").orElseThrow());
        assertTrue(Strategies.NAMES.contains("renas"));
    }
}
