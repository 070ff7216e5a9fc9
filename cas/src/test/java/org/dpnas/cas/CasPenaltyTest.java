package org.dpnas.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Random;
import org.dpnas.cas.search.CasSearchJob;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Sgd;
import org.junit.jupiter.api.Test;

/**
 * The resource penalty λ·Σ softmax(α)·cost: its value and gradient against hand values, and a
 * search whose large λ drives the expected cost down while λ = 0 does not.
 */
class CasPenaltyTest {

    private static final CasSizes SIZES =
            new CasSizes(3, 4, 2, 2, 8, List.of(0, 1, 2), CasSpace.OPS);

    /**
     * d/dα_i of λ Σ_j p_j c_j with p = softmax(α) is λ p_i (c_i − Σ_j p_j c_j). Every α row and
     * cost entry is set to known values; float32 softmax and sums over ≤ 7 terms of size ≤ 10 err
     * by far less than 1e-5, while a missing or wrong term (a forgotten softmax, a cost on the
     * wrong row, λ left out) changes the value by more than 1e-2.
     */
    @Test
    void penaltyValueAndGradientMatchTheHandFormula() {
        try (NDManager m = NDManager.newBaseManager();
                Constants constants = new Constants(m)) {
            CasNet net = CasNet.supernet(SIZES);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            int e = SIZES.edges();
            int k = SIZES.ops().size();
            Random r = new Random(7);
            float[][] an = new float[e][k];
            float[][] ar = new float[e][k];
            float[][] cn = new float[e][k];
            float[][] cr = new float[e][k];
            for (int i = 0; i < e; i++) {
                for (int j = 0; j < k; j++) {
                    an[i][j] = (float) r.nextGaussian();
                    ar[i][j] = (float) r.nextGaussian();
                    cn[i][j] = (float) (10 * r.nextDouble());
                    cr[i][j] = (float) (10 * r.nextDouble() - 5);
                }
            }
            float[] am = {0.3f, -1.2f, 0.8f};
            float[] cm = {0f, 2.5f, 7f};
            set(net.alphaNormal().getArray(), an);
            set(net.alphaReduce().getArray(), ar);
            net.alphaMs().getArray().set(am);
            float lambda = 0.37f;
            OpCosts costs = new OpCosts(CostKind.MACS, cn, cr, cm);
            CasPenalty penalty = new CasPenalty(net, costs, lambda);
            ParameterStore ps = new ParameterStore(m, false);
            for (var p : net.archParameters()) {
                p.getArray().setRequiresGradient(true);
            }
            double value;
            try (NDManager sm = m.newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray v = penalty.penalty(ps, net.archParameters(), sm, constants);
                value = v.getFloat();
                gc.backward(v);
            }
            double expected = 0;
            float[] gn = net.alphaNormal().getArray().getGradient().toFloatArray();
            float[] gm = net.alphaMs().getArray().getGradient().toFloatArray();
            for (int i = 0; i < e; i++) {
                expected += lambda * dot(softmax(an[i]), cn[i]);
                expected += lambda * dot(softmax(ar[i]), cr[i]);
                double[] g = grad(an[i], cn[i], lambda);
                for (int j = 0; j < k; j++) {
                    assertEquals(g[j], gn[i * k + j], 1e-5, "dP/dα_normal[" + i + "][" + j + "]");
                }
            }
            expected += lambda * dot(softmax(am), cm);
            double[] g = grad(am, cm, lambda);
            for (int j = 0; j < 3; j++) {
                assertEquals(g[j], gm[j], 1e-5, "dP/dα_ms[" + j + "]");
            }
            assertEquals(expected, value, 1e-4 * Math.abs(expected));
            assertEquals(
                    expected / lambda,
                    costs.expected(an, ar, am),
                    1e-9 * Math.abs(expected / lambda));
        }
    }

    /**
     * A short search on random images with the multiply-add cost: after 6 architecture steps at λ
     * large enough to dominate the task loss the expected cost has dropped by more than 1 %, and it
     * is lower than after the same steps at λ = 0 (Adam moves each α by about lr per step, so 6
     * steps at lr 0.05 move the softmax weights by several percent).
     */
    @Test
    void aLargeLambdaDrivesTheExpectedCostDown() {
        double[] zero = search(0f);
        double[] large = search(50f);
        assertTrue(large[1] < 0.99 * large[0], "λ 50: " + large[0] + " -> " + large[1]);
        assertTrue(large[1] < zero[1], "λ 50 ends at " + large[1] + ", λ 0 at " + zero[1]);
    }

    /** Returns {initial expected MACs, final expected MACs}. */
    private static double[] search(float lambda) {
        Engine.getInstance().setRandomSeed(1);
        Shape xs = new Shape(2, 3, 16, 16);
        Shape ys = new Shape(2, 16, 16);
        Random r = new Random(1);
        float[] x = new float[(int) xs.size()];
        int[] y = new int[(int) ys.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(3);
        }
        try (NDManager m = NDManager.newBaseManager();
                Constants constants = new Constants(m)) {
            CasNet net = CasNet.supernet(SIZES);
            net.initialize(m, DataType.FLOAT32, xs);
            OpCosts costs =
                    OpCosts.of(
                            net,
                            CostKind.MACS,
                            16,
                            16,
                            LatencyTable.forDevice(m.getDevice()),
                            m,
                            new LatencyMeter(0, 1));
            double before = CasSearchJob.expected(net, costs);
            ParamGroup weights = new ParamGroup("w", net.weightParameters(), new Sgd(0.9f, 0f));
            ParamGroup arch =
                    new ParamGroup(
                            "a", net.archParameters(), new Adam(0.5f, 0.999f, 1e-8f, 0f, false));
            ParameterStore ps = new ParameterStore(m, false);
            try (OneShotSearch s =
                    new OneShotSearch(
                                    net,
                                    weights,
                                    arch,
                                    null,
                                    null,
                                    LrSchedule.constant(0.01f),
                                    LrSchedule.constant(0.05f),
                                    0,
                                    5f,
                                    constants,
                                    ps)
                            .withPenalty(new CasPenalty(net, costs, lambda))) {
                for (int t = 0; t < 6; t++) {
                    try (NDManager sm = m.newSubManager()) {
                        s.archStep(sm, t, new NDList(sm.create(x, xs), sm.create(y, ys)));
                    }
                }
            }
            weights.optimizer().close();
            arch.optimizer().close();
            return new double[] {before, CasSearchJob.expected(net, costs)};
        }
    }

    private static void set(NDArray a, float[][] v) {
        float[] flat = new float[v.length * v[0].length];
        for (int i = 0; i < v.length; i++) {
            System.arraycopy(v[i], 0, flat, i * v[0].length, v[0].length);
        }
        a.set(flat);
    }

    private static double[] grad(float[] a, float[] c, float lambda) {
        double[] p = softmax(a);
        double mean = dot(p, c);
        double[] g = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            g[i] = lambda * p[i] * (c[i] - mean);
        }
        return g;
    }

    private static double[] softmax(float[] a) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : a) {
            max = Math.max(max, v);
        }
        double z = 0;
        double[] p = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            p[i] = Math.exp(a[i] - max);
            z += p[i];
        }
        for (int i = 0; i < a.length; i++) {
            p[i] /= z;
        }
        return p;
    }

    private static double dot(double[] p, float[] c) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += p[i] * c[i];
        }
        return s;
    }
}
