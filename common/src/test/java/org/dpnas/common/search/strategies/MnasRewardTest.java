package org.dpnas.common.search.strategies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.dpnas.common.search.Evaluator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MnasNet reward with hand values (Python: {@code 0.5 * 2 ** -0.07} etc.). */
class MnasRewardTest {

    @Test
    void softConstraintBothSidesOfTheTarget() {
        MnasReward r = MnasReward.soft(10);
        assertEquals(0.47631899902196867, r.reward(0.5, 20), 1e-15); // slower: penalised
        assertEquals(0.5248583418115337, r.reward(0.5, 5), 1e-15); // faster: rewarded
        assertEquals(0.5, r.reward(0.5, 10), 0);
    }

    @Test
    void hardConstraintIgnoresSpeedBelowTheTargetAndDividesAbove() {
        MnasReward r = MnasReward.hard(10);
        assertEquals(0.5, r.reward(0.5, 5), 0);
        assertEquals(0.5, r.reward(0.5, 10), 0);
        assertEquals(0.25, r.reward(0.5, 20), 1e-15);
    }

    @Test
    void customExponentsPickTheSideByTheTarget() {
        MnasReward r = MnasReward.of("custom", 10, 0.2, -0.3);
        assertEquals(0.7574179847992593, r.reward(0.8, 12), 1e-15);
        assertEquals(0.7223043611579474, r.reward(0.8, 6), 1e-15);
    }

    @Test
    void badSettingsAreRefusedNamingTheKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> MnasReward.soft(0));
        assertTrue(e.getMessage().contains("search.mnas.target_ms"), e.getMessage());
        var e2 =
                assertThrows(IllegalArgumentException.class, () -> MnasReward.of("firm", 10, 0, 0));
        assertTrue(e2.getMessage().contains("search.mnas.constraint"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MnasReward.soft(10).reward(0.5, 0));
    }

    @Test
    void evaluatorScoresTheRewardAndKeepsBothFactors(@TempDir Path dir) throws Exception {
        Evaluator<Toy.Vec> inner =
                (g, d) -> new Evaluator.Result(java.util.Map.of("mIoU", 0.5), 0.5);
        LatencyProbe<Toy.Vec> probe = (g, d) -> 20.0;
        var r = new MnasEvaluator<>(inner, probe, MnasReward.hard(10)).evaluate(Toy.Vec.of(1), dir);
        assertEquals(0.25, r.score(), 1e-15);
        assertEquals(0.5, r.metrics().get("metric"), 0);
        assertEquals(0.5, r.metrics().get("mIoU"), 0);
        assertEquals(20.0, r.metrics().get("latency_ms"), 0);
        assertEquals(10.0, r.metrics().get("target_ms"), 0);
    }

    /** The built network is timed once; a resumed child reads its latency.json. */
    @Test
    void builtLatencyMeasuresOnceAndKeepsTheResult(@TempDir Path dir) throws Exception {
        AtomicInteger builds = new AtomicInteger();
        Toy space =
                new Toy(1, 2) {
                    @Override
                    public Block build(Vec genotype, int numClasses) {
                        builds.incrementAndGet();
                        return Conv2d.builder()
                                .setKernelShape(new Shape(3, 3))
                                .setFilters(numClasses)
                                .build();
                    }
                };
        BuiltLatency<Toy.Vec> probe =
                new BuiltLatency<>(space, 4, new Shape(1, 3, 16, 16), Device.cpu(), 1, 3);
        double first = probe.latencyMs(Toy.Vec.of(0), dir);
        assertTrue(first > 0);
        assertTrue(Files.readString(dir.resolve(BuiltLatency.FILE)).contains("\"runs\":3"));
        assertEquals(first, probe.latencyMs(Toy.Vec.of(0), dir), 0);
        assertEquals(1, builds.get());
    }
}
