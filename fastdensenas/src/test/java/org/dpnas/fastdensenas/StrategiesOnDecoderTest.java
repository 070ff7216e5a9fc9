package org.dpnas.fastdensenas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.SearchSpace;
import org.dpnas.common.search.SearchStrategy;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.rl.SplitMix64;
import org.dpnas.common.search.strategies.MnasEvaluator;
import org.dpnas.common.search.strategies.Mutator;
import org.dpnas.common.search.strategies.RenasSearch;
import org.dpnas.common.search.strategies.Strategies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RENAS runs on the FastDenseNAS decoder space through its decision vector. */
class StrategiesOnDecoderTest {

    /**
     * With 150 children, RENAS gets closer to a fixed decoder (fraction of its 19 decisions
     * matched; measured 0.89 against 0.47) than 150 uniform samples do, and every evolved child is
     * a valid decoder.
     */
    @Test
    void renasClimbsTowardsAKnownDecoder() {
        DecoderSpace space = DecoderSpace.paper();
        int[] target = space.encode(space.sample(new Random(11)));
        RenasSearch<DecoderGenotype> s =
                new RenasSearch<>(
                        space,
                        new RenasSearch.Options(8, 3, 3e-3, 0.9, 2.0, RenasSearch.Removal.WORST),
                        2,
                        null);
        double renas = 0;
        double random = 0;
        Random r = new Random(2);
        for (int i = 0; i < 150; i++) {
            DecoderGenotype g = s.propose();
            double score = match(space.encode(g), target);
            s.observe(new Trial<>(i, g, "trials/" + i, Map.of(), score));
            renas = Math.max(renas, score);
            random = Math.max(random, match(space.encode(space.sample(r)), target));
        }
        assertTrue(renas > random + 0.15, "RENAS " + renas + " vs random " + random);
        // the generic mutation keeps decoders valid
        Mutator<DecoderGenotype> m = Mutator.of(space);
        DecoderGenotype g = space.sample(new Random(5));
        SplitMix64 rng = new SplitMix64(5);
        for (int i = 0; i < 100; i++) {
            g = m.random(g, rng);
        }
        space.encode(g);
    }

    private static double match(int[] x, int[] t) {
        int m = 0;
        for (int i = 0; i < t.length; i++) {
            m += x[i] == t[i] ? 1 : 0;
        }
        return (double) m / t.length;
    }

    /**
     * The space the method registers is a decision space, so {@code --strategy rl|renas} build on
     * it the way the command does; their children are decoders of the space. The method's own
     * evaluator takes the MnasNet reward when the configuration asks for it.
     */
    @Test
    void theRegisteredSpaceTakesTheDecisionStrategies(@TempDir Path dir) {
        FastDenseNasMethod method = new FastDenseNasMethod();
        Config config =
                ConfigLoader.load(
                        Strategies.withDefaults(method.searchDefaults()),
                        Path.of("../configs/fastdensenas/tiny.json"),
                        List.of());
        assertInstanceOf(ChildEvaluator.class, method.evaluator(config));
        assertInstanceOf(
                MnasEvaluator.class,
                method.evaluator(
                        config.withOverrides(
                                List.of("search.reward=\"mnas\"", "search.mnas.target_ms=5"))));
        SearchSpace<DecoderGenotype> space = method.space(config);
        for (String name : List.of("rl", "renas")) {
            SearchStrategy<DecoderGenotype> s = Strategies.create(name, space, config, dir);
            for (int i = 0; i < 3; i++) {
                DecoderGenotype g = s.propose();
                assertEquals(g, space.fromJson(g.toJson()), name);
                s.observe(new Trial<>(i, g, "trials/" + i, Map.of(), 0.1 * i));
            }
        }
    }
}
