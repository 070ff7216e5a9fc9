package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import org.dpnas.common.testing.FusedEquivalence;
import org.dpnas.common.train.OpProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused supernet computes the same function as the plain one: on the same weights (copied), in
 * training mode, the logits, the gradient of every parameter the fused supernet owns (mapped from
 * the plain layout), and the BN running statistics after a pass agree.
 *
 * <p>The comparison runs in float64, so it checks the mathematics, not the summation order of a
 * CPU's float32 kernels (in float32 the α gradients differed by 5.4e-4 relative on an AVX-512
 * machine and by less than 1e-4 on AVX2). Tolerance: double rounding is 1.1e-16 per operation; a
 * pass here chains a few hundred operations, each reduction over at most 64·64·2 terms, so the
 * accumulated relative error is bounded by roughly 300 · 8192 · 1.1e-16 ≈ 3e-10. We allow 1e-9,
 * five orders of magnitude below the smallest difference a wrong op weight or a missing edge
 * produces (≥ 1e-4 relative, the float32 noise level this test used to hide behind).
 */
class FusedSupernetTest {

    /** See the class comment. */
    private static final double TOLERANCE = 1e-9;

    /**
     * Running statistics of the H^{l−2} BNs, updated once with momentum 0.9^k instead of k times
     * with 0.9: DJL takes the momentum as a float, so 0.9^k is rounded to float32 (relative error ≤
     * 2^−24). With k = 3 the batch term's weight 1 − 0.729 then carries a relative error of at most
     * 2^−24 · 0.729 / 0.271 and the old statistic's 2^−24: together ≤ 2^−24 · (1 + 0.729 / 0.271) ≈
     * 2.2e-7.
     */
    private static final double STATS_TOLERANCE = Math.scalb(1.0, -24) * (1 + 0.729 / 0.271);

    /** B = 5 and L = 3: cells with and without H^{l−2}, with one, two and three neighbours. */
    private static final SupernetConfig CONFIG = new SupernetConfig(5, 3, 4, 5);

    /** Crop 64: the coarsest level is 2×2. */
    private static final Shape INPUT = new Shape(2, 3, 64, 64);

    private static NDManager base;

    @BeforeAll
    static void open() {
        Engine.getInstance().setRandomSeed(11);
        base = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        base.close();
    }

    private static AutoDeepLabSupernet build(SupernetImpl impl, DataType type) {
        AutoDeepLabSupernet net = new AutoDeepLabSupernet(CONFIG, impl);
        net.initialize(base, type, INPUT);
        return net;
    }

    private static AutoDeepLabSupernet build(SupernetImpl impl) {
        return build(impl, DataType.FLOAT32);
    }

    private static NDArray pass(AutoDeepLabSupernet net, NDArray x) {
        return FusedEquivalence.trainPass(net, base, x);
    }

    @Test
    void fusedEqualsPlainOnTheSameWeightsInFloat64() {
        AutoDeepLabSupernet plain = build(SupernetImpl.PLAIN, DataType.FLOAT64);
        AutoDeepLabSupernet fused = build(SupernetImpl.FUSED, DataType.FLOAT64);
        assertEquals(DataType.FLOAT64, fused.alphas().getArray().getDataType());
        // α, β larger than their 1e-3 initialisation, so that the op weights differ
        try (NDManager sm = base.newSubManager()) {
            for (Parameter p : plain.archParameters()) {
                sm.randomNormal(p.getArray().getShape())
                        .toType(DataType.FLOAT64, false)
                        .copyTo(p.getArray());
            }
        }
        fused.copyFrom(plain);
        assertEquals(plain.countWeights(), fused.countWeights());
        try (NDManager sm = base.newSubManager()) {
            NDArray x = sm.randomNormal(INPUT).toType(DataType.FLOAT64, false);
            NDArray yPlain = pass(plain, x);
            NDArray yFused = pass(fused, x);
            assertEquals(yPlain.getShape(), yFused.getShape());
            double d = FusedEquivalence.diff(yPlain, yFused, 1e-300);
            assertTrue(d < TOLERANCE, "logits differ by " + d);

            // running statistics, then every gradient, against the plain ones mapped into the
            // fused layout
            FusedEquivalence.Result r =
                    FusedEquivalence.assertStatsAndGradientsMatch(
                            plain,
                            fused,
                            () -> {
                                AutoDeepLabSupernet mapped =
                                        build(SupernetImpl.FUSED, DataType.FLOAT64);
                                mapped.copyFrom(plain);
                                return mapped;
                            },
                            sm,
                            STATS_TOLERANCE,
                            TOLERANCE);
            assertTrue(r.stats() > 50, "too few running statistics compared: " + r.stats());
            FusedEquivalence.assertHaveGradients(fused.archParameters(), r.gradScale(), sm);
            assertEquals(fused.weightParameters().size() + 2, r.grads());
        }
    }

    /**
     * The point of the fused path: far fewer engine ops per forward+backward pass than the plain
     * per-edge evaluation of the same supernet (top-level ops counted by libtorch's profiler; the
     * number of arrays left in a step's manager no longer tells, since intermediates are closed
     * early).
     */
    @Test
    void fusedPassRunsFarFewerOps(@TempDir Path dir) throws IOException {
        AutoDeepLabSupernet[] nets = {build(SupernetImpl.PLAIN), build(SupernetImpl.FUSED)};
        long[] ops = new long[2];
        for (int i = 0; i < 2; i++) {
            AutoDeepLabSupernet net = nets[i];
            try (NDManager sm = base.newSubManager()) {
                NDArray x = sm.randomNormal(INPUT);
                ops[i] =
                        OpProfile.profile(() -> pass(net, x), dir.resolve("trace" + i + ".json"))
                                .topLevelOps();
            }
        }
        assertTrue(ops[1] * 3 < ops[0], "fused " + ops[1] + " ops vs plain " + ops[0]);
    }

    @Test
    void defaultIsFusedAndFallsBackToPlainForOtherOpTables() {
        assertEquals(SupernetImpl.FUSED, new AutoDeepLabSupernet(CONFIG).impl());
        assertEquals(
                SupernetImpl.PLAIN,
                new AutoDeepLabSupernet(
                                CONFIG,
                                java.util.List.of(
                                        org.dpnas.common.nn.ops.OpSpec.NONE,
                                        org.dpnas.common.nn.ops.OpSpec.SKIP_CONNECT))
                        .impl());
    }

    private static Parameter param(AutoDeepLabSupernet net, String name) {
        Parameter p = null;
        PairList<String, Parameter> all = net.getParameters();
        for (int i = 0; i < all.size(); i++) {
            if (all.keyAt(i).replaceAll("(^|_)\\d{2}", "$1").equals(name)) {
                p = all.valueAt(i);
            }
        }
        if (p == null) {
            throw new AssertionError("no parameter " + name);
        }
        return p;
    }
}
