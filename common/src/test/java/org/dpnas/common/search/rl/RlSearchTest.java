package org.dpnas.common.search.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.Trial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RL controller: gradients, the bandit found by PPO and REINFORCE, exact resume. */
class RlSearchTest {

    record Arch(int[] d) implements Genotype {
        @Override
        public String method() {
            return "toy";
        }

        @Override
        public int schema() {
            return 1;
        }

        @Override
        public String toJson() {
            return "{\"schema\":1,\"method\":\"toy\",\"d\":" + Arrays.toString(d) + "}";
        }
    }

    /** Six decisions of six choices (46,656 architectures); two share a head. */
    static final class Toy implements DecisionSpace<Arch> {
        @Override
        public List<Decision> decisions() {
            List<Decision> out = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                out.add(new Decision("d" + i, 6, i < 2 ? "shared" : "d" + i));
            }
            return out;
        }

        @Override
        public int[] encode(Arch g) {
            return g.d().clone();
        }

        @Override
        public Arch decode(int[] d) {
            return new Arch(d.clone());
        }
    }

    static final int[] TARGET = {4, 1, 5, 0, 2, 3};

    /** Fraction of decisions equal to the target's: 1 only for the target. */
    static double reward(Arch a) {
        int hit = 0;
        for (int i = 0; i < TARGET.length; i++) {
            hit += a.d()[i] == TARGET[i] ? 1 : 0;
        }
        return hit / (double) TARGET.length;
    }

    static RlSearch.Options small(RlSearch.Algorithm alg, double lr) {
        return new RlSearch.Options(alg, 32, 2, lr, 0.1, 0.95, 2.0, 20, 1);
    }

    /** Samples until the target is proposed; returns how many samples that took (or -1). */
    static int samplesToFind(RlSearch<Arch> s, int budget) {
        for (int i = 0; i < budget; i++) {
            Arch a = s.propose();
            double r = reward(a);
            s.observe(new Trial<>(i, a, "t" + i, Map.of(), r));
            if (r == 1.0) {
                return i + 1;
            }
        }
        return -1;
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        List<Decision> ds =
                List.of(
                        Decision.of("a", 3),
                        new Decision("b", 4, "op"),
                        Decision.of("c", 2),
                        new Decision("d", 4, "op"));
        LstmPolicy p = new LstmPolicy(ds, 4, 2, new SplitMix64(7));
        // larger weights than the initial ±0.1 so every gate is far from linear
        double[] w = p.theta();
        SplitMix64 r = new SplitMix64(3);
        for (int i = 0; i < w.length; i++) {
            w[i] = 2 * r.nextDouble() - 1;
        }
        int[] acts = {2, 1, 0, 3};
        p.zeroGrad();
        p.backward(p.run(acts, null), 1.0);
        double[] g = p.grad().clone();
        double h = 1e-6;
        double worst = 0;
        for (int i = 0; i < w.length; i++) {
            double keep = w[i];
            w[i] = keep + h;
            double up = -p.run(acts, null).logProb();
            w[i] = keep - h;
            double down = -p.run(acts, null).logProb();
            w[i] = keep;
            double fd = (up - down) / (2 * h);
            // central difference error ~h²·f''' ≈ 1e-12, rounding ~1e-16/h ≈ 1e-10
            worst = Math.max(worst, Math.abs(fd - g[i]));
        }
        assertTrue(worst < 1e-8, "worst gradient error " + worst);
        // every weight but the unused embedding rows is reached
        long nonZero = Arrays.stream(g).filter(x -> x != 0).count();
        assertTrue(nonZero > w.length / 2, "gradient reaches the weights: " + nonZero);
    }

    @Test
    void samplingFollowsTheProbabilities() {
        List<Decision> ds = List.of(Decision.of("a", 3));
        LstmPolicy p = new LstmPolicy(ds, 3, 1, new SplitMix64(1));
        double[] w = p.theta();
        SplitMix64 r = new SplitMix64(5);
        for (int i = 0; i < w.length; i++) {
            w[i] = 2 * r.nextDouble() - 1;
        }
        double[] prob = new double[3];
        for (int a = 0; a < 3; a++) {
            prob[a] = Math.exp(p.run(new int[] {a}, null).logProb());
        }
        int n = 20000;
        int[] counts = new int[3];
        SplitMix64 rng = new SplitMix64(11);
        for (int i = 0; i < n; i++) {
            counts[p.run(null, rng).actions()[0]]++;
        }
        for (int a = 0; a < 3; a++) {
            double sd = Math.sqrt(prob[a] * (1 - prob[a]) / n);
            assertEquals(prob[a], counts[a] / (double) n, 5 * sd, "choice " + a);
        }
    }

    /**
     * Each algorithm, at three seeds, proposes the target within 250 samples (random search would
     * need about 46,656/2; measured here: PPO after 105, 130 and 84 samples, REINFORCE after 172,
     * 165 and 149).
     */
    void findsTheBestArchitecture(RlSearch.Algorithm alg) {
        for (long seed = 1; seed <= 3; seed++) {
            RlSearch<Arch> s = new RlSearch<>(new Toy(), small(alg, 1e-3), seed, null);
            int n = samplesToFind(s, 250);
            assertTrue(n > 0, alg + " did not propose the target within 250 samples, seed " + seed);
        }
    }

    @Test
    void ppoFindsTheBestArchitecture() {
        findsTheBestArchitecture(RlSearch.Algorithm.PPO);
    }

    @Test
    void reinforceFindsTheBestArchitecture() {
        findsTheBestArchitecture(RlSearch.Algorithm.REINFORCE);
    }

    @Test
    void withoutLearningTheTargetIsNotFound() {
        // the same budget with a learning rate too small to move: uniform-like sampling misses
        // the 1-in-46,656 target (the tests above are not passing by luck of the sampler)
        RlSearch<Arch> s =
                new RlSearch<>(new Toy(), small(RlSearch.Algorithm.REINFORCE, 1e-12), 42, null);
        assertEquals(-1, samplesToFind(s, 250));
    }

    @Test
    void baselineIsTheMovingAverage() {
        RlSearch<Arch> s =
                new RlSearch<>(new Toy(), small(RlSearch.Algorithm.REINFORCE, 1e-3), 1, null);
        double[] rewards = {0.5, 1.0, 0.0};
        for (int i = 0; i < 3; i++) {
            Arch a = s.propose();
            s.observe(new Trial<>(i, a, "t", Map.of(), rewards[i]));
        }
        // 0.5, then 0.95·0.5 + 0.05·1 = 0.525, then 0.95·0.525 = 0.49875
        assertEquals(0.49875, s.baseline(), 1e-15);
    }

    List<String> run(RlSearch<Arch> s, int from, int to) {
        List<String> seq = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Arch a = s.propose();
            seq.add(Arrays.toString(a.d()));
            s.observe(new Trial<>(i, a, "t", Map.of(), reward(a)));
        }
        return seq;
    }

    void resumeContinuesTheSequence(RlSearch.Algorithm alg, Path dir) {
        RlSearch<Arch> whole = new RlSearch<>(new Toy(), small(alg, 3e-3), 9, dir.resolve("a"));
        List<String> expected = run(whole, 0, 24);

        RlSearch<Arch> first = new RlSearch<>(new Toy(), small(alg, 3e-3), 9, dir.resolve("b"));
        List<String> got = new ArrayList<>(run(first, 0, 12));
        String saved = first.state().toString();
        RlSearch<Arch> second = new RlSearch<>(new Toy(), small(alg, 3e-3), 9, dir.resolve("b"));
        // a replayed history is observed before restore; it must not change anything
        second.observe(new Trial<>(0, new Arch(TARGET), "t", Map.of(), 1.0));
        second.restore(JsonParser.parseString(saved).getAsJsonObject());
        got.addAll(run(second, 12, 24));
        assertEquals(expected, got);
        assertArrayEquals(whole.policy().theta(), second.policy().theta());
    }

    @Test
    void ppoResumeContinuesTheSameSequence(@TempDir Path dir) {
        resumeContinuesTheSequence(RlSearch.Algorithm.PPO, dir);
    }

    @Test
    void reinforceResumeContinuesTheSameSequence(@TempDir Path dir) {
        resumeContinuesTheSequence(RlSearch.Algorithm.REINFORCE, dir);
    }

    @Test
    void stateWithoutADirectoryCarriesTheWeights() {
        RlSearch<Arch> a = new RlSearch<>(new Toy(), small(RlSearch.Algorithm.PPO, 3e-3), 3, null);
        run(a, 0, 5);
        JsonObject st = a.state();
        assertTrue(st.has("weights_base64"));
        RlSearch<Arch> b = new RlSearch<>(new Toy(), small(RlSearch.Algorithm.PPO, 3e-3), 3, null);
        b.restore(st);
        assertEquals(run(a, 5, 10), run(b, 5, 10));
    }

    @Test
    void badStatesAreRefusedNamingTheField(@TempDir Path dir) throws Exception {
        RlSearch<Arch> a = new RlSearch<>(new Toy(), small(RlSearch.Algorithm.PPO, 3e-3), 3, dir);
        run(a, 0, 3);
        JsonObject st = a.state();
        Path file = dir.resolve(st.get("weights_file").getAsString());
        assertTrue(Files.exists(file));
        byte[] bytes = Files.readAllBytes(file);
        bytes[17] ^= 1;
        Files.write(file, bytes);
        RlSearch<Arch> b = new RlSearch<>(new Toy(), small(RlSearch.Algorithm.PPO, 3e-3), 3, dir);
        var e = assertThrows(IllegalArgumentException.class, () -> b.restore(st));
        assertTrue(e.getMessage().contains("weights_sha256"), e.getMessage());

        RlSearch<Arch> c =
                new RlSearch<>(new Toy(), small(RlSearch.Algorithm.REINFORCE, 3e-3), 3, dir);
        var e2 = assertThrows(IllegalArgumentException.class, () -> c.restore(st));
        assertTrue(e2.getMessage().contains("'algorithm'"), e2.getMessage());

        JsonObject noRng = st.deepCopy();
        noRng.remove("rng");
        var e3 = assertThrows(IllegalArgumentException.class, () -> b.restore(noRng));
        assertTrue(e3.getMessage().contains("'rng'"), e3.getMessage());
    }

    @Test
    void headsSharingNeedTheSameChoiceCount() {
        var e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new LstmPolicy(
                                        List.of(
                                                new Decision("x", 3, "op"),
                                                new Decision("y", 4, "op")),
                                        4,
                                        1,
                                        new SplitMix64(1)));
        assertTrue(e.getMessage().contains("'y'"), e.getMessage());
    }
}
