package org.dpnas.common.search.gdas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Iterator;
import java.util.List;
import org.dpnas.common.nn.ops.MixedOp;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.nn.ops.OpWeights;
import org.junit.jupiter.api.Test;

/** GDAS's sampler: temperature schedule, Gumbel-max sampling, straight-through gradient, state. */
class GdasSamplerTest {

    /** 10 → 0.1 linearly over 5 epochs of 4 steps: −2.475 per epoch, held after the last. */
    @Test
    void temperatureFallsLinearlyPerEpoch() {
        GdasSampler s = new GdasSampler(0, 10, 0.1, 4, 5);
        assertEquals(10.0, s.temperature(0), 0);
        assertEquals(10.0, s.temperature(3), 0);
        assertEquals(7.525, s.temperature(4), 1e-12);
        assertEquals(5.05, s.temperature(8), 1e-12);
        assertEquals(2.575, s.temperature(15), 1e-12);
        assertEquals(0.1, s.temperature(16), 1e-12);
        assertEquals(0.1, s.temperature(1000), 1e-12);
        assertEquals(10.0, new GdasSampler(0, 10, 0.1, 4, 1).temperature(3), 0);
        assertThrows(IllegalArgumentException.class, () -> new GdasSampler(0, 1, 2, 4, 5));
        assertThrows(IllegalArgumentException.class, () -> new GdasSampler(0, 1, 0, 4, 5));
    }

    /**
     * Gumbel-max draws op j with probability softmax(α)_j: over N = 20,000 draws each frequency is
     * within 5 standard deviations √(p(1 − p)/N) of p.
     */
    @Test
    void gumbelMaxFollowsTheSoftmax() {
        double[] alpha = {0.5, -1.0, 1.2, 0.0};
        double z = 0;
        for (double a : alpha) {
            z += Math.exp(a);
        }
        int rows = 5_000;
        int n = 4 * rows;
        int[] counts = new int[alpha.length];
        double[] tiled = new double[rows * alpha.length];
        for (int i = 0; i < tiled.length; i++) {
            tiled[i] = alpha[i % alpha.length];
        }
        try (NDManager m = NDManager.newBaseManager()) {
            GdasSampler s = new GdasSampler(7, 10, 0.1, 1, 1);
            // 5,000 edges with the same α per pass, four passes
            NDArray a =
                    m.create(tiled, new Shape(rows, alpha.length)).toType(DataType.FLOAT32, false);
            for (int pass = 0; pass < 4; pass++) {
                try (NDManager sm = m.newSubManager()) {
                    for (int k : s.weights(a, true, sm).selected()) {
                        counts[k]++;
                    }
                }
            }
        }
        for (int j = 0; j < alpha.length; j++) {
            double p = Math.exp(alpha[j]) / z;
            double sd = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, counts[j] / (double) n, 5 * sd, "op " + j);
        }
    }

    /**
     * The straight-through gradient by hand, in float64. One edge over (max_pool, skip_connect,
     * avg_pool), α = (0.3, −0.2, 0.5), noise g = (0.1, 2.0, −0.3): α + g = (0.4, 1.8, 0.2), so op 1
     * (skip_connect, the identity) is sampled. The forward value is o_1(x) = x exactly; with loss L
     * = Σ x·c the gradient is ∂L/∂α_j = G · p_1 (δ_1j − p_j) / τ with G = Σ x·c and p = softmax((α
     * + g)/τ), τ = 2 — computed here by hand and compared to 1e-12.
     */
    @Test
    void straightThroughGradientMatchesTheHandValue() {
        double[] alpha = {0.3, -0.2, 0.5};
        double[] g = {0.1, 2.0, -0.3};
        double tau = 2.0;
        List<OpSpec> ops = List.of(OpSpec.MAX_POOL_3X3, OpSpec.SKIP_CONNECT, OpSpec.AVG_POOL_3X3);
        try (NDManager m = NDManager.newBaseManager()) {
            MixedOp edge = new MixedOp(2, 1, ops, false);
            edge.initialize(m, DataType.FLOAT64, new Shape(1, 2, 3, 3));
            Iterator<Double> noise = java.util.Arrays.stream(g).iterator();
            // 2 epochs of 1 step from 3 down to 1: τ = 2 is never on the schedule, so set it by
            // the schedule's own formula at a 3-epoch search's middle epoch
            GdasSampler s = new GdasSampler(0, 3.0, 1.0, 1, 3).withNoise(noise::next);
            s.atStep(1);
            assertEquals(tau, s.temperature(1), 0);
            double[] xs = new double[18];
            double[] cs = new double[18];
            double big = 0;
            for (int i = 0; i < xs.length; i++) {
                xs[i] = Math.sin(i + 1);
                cs[i] = Math.cos(2 * i);
                big += xs[i] * cs[i];
            }
            try (NDManager sm = m.newSubManager()) {
                NDArray a = sm.create(alpha, new Shape(1, 3));
                a.setRequiresGradient(true);
                NDArray x = sm.create(xs, new Shape(1, 2, 3, 3));
                NDArray c = sm.create(cs, new Shape(1, 2, 3, 3));
                NDArray y;
                OpWeights w;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    w = s.weights(a, true, sm);
                    y =
                            edge.forward(
                                    new ParameterStore(m, false), x, w.row(0), w.selected(0), true);
                    gc.backward(y.mul(c).sum());
                }
                assertEquals(1, w.selected(0));
                assertArrayEquals(xs, y.toDoubleArray(), 1e-15);
                double[] p = new double[3];
                double zsum = 0;
                for (int j = 0; j < 3; j++) {
                    p[j] = Math.exp((alpha[j] + g[j]) / tau);
                    zsum += p[j];
                }
                for (int j = 0; j < 3; j++) {
                    p[j] /= zsum;
                }
                double[] expected = new double[3];
                for (int j = 0; j < 3; j++) {
                    expected[j] = big * p[1] * ((j == 1 ? 1 : 0) - p[j]) / tau;
                }
                assertArrayEquals(expected, a.getGradient().toDoubleArray(), 1e-12);
                // the weights are one-hot in value
                assertArrayEquals(new double[] {0, 1, 0}, w.weights().toDoubleArray(), 1e-15);
            }
        }
    }

    /** Validation draws nothing: each edge runs argmax α, and the stream does not move. */
    @Test
    void validationRunsTheMostLikelyOpAndDrawsNothing() {
        try (NDManager m = NDManager.newBaseManager()) {
            GdasSampler s = new GdasSampler(3, 10, 0.1, 1, 1);
            String before = s.state().toString();
            NDArray a = m.create(new float[] {0.1f, 0.9f, -2f, 3f, 0f, 1f}, new Shape(2, 3));
            OpWeights w = s.weights(a, false, m);
            assertArrayEquals(new int[] {1, 0}, w.selected());
            assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0}, w.weights().toFloatArray(), 0f);
            assertEquals(before, s.state().toString());
        }
    }

    /** A restored state draws the same ops as the original stream from that point. */
    @Test
    void restoredStateDrawsTheSameOps() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.zeros(new Shape(14, 8));
            GdasSampler s = new GdasSampler(5, 10, 0.1, 1, 1);
            s.weights(a, true, m);
            var saved = s.state();
            int[] next = s.weights(a, true, m).selected();
            GdasSampler t = new GdasSampler(5, 10, 0.1, 1, 1);
            t.restore(saved);
            assertArrayEquals(next, t.weights(a, true, m).selected());
            GdasSampler fresh = new GdasSampler(5, 10, 0.1, 1, 1);
            assertTrue(
                    !java.util.Arrays.equals(next, fresh.weights(a, true, m).selected()),
                    "a fresh stream draws other ops than the restored one");
            assertThrows(IllegalArgumentException.class, () -> t.restore(null));
        }
    }
}
