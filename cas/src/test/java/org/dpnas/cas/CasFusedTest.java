package org.dpnas.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.testing.FusedEquivalence;
import org.dpnas.common.train.OpProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fused CAS supernet computes the same function as the plain one (one MixedOp per edge): on the
 * same weights (copied), in training mode, the logits, the gradient of every parameter (α_normal,
 * α_reduce and α_ms included) and the BN running statistics after a pass agree.
 *
 * <p>The comparison runs in float64, so it checks the mathematics, not the summation order of
 * float32 kernels. Tolerance: double rounding is 1.1e-16 per operation; a pass here chains a few
 * hundred operations (4 cells of 3 blocks, the multi-scale cell, the decoder and their backward),
 * each reduction over at most 2·16·16·16 = 8192 terms, so the accumulated relative error is bounded
 * by roughly 300 · 8192 · 1.1e-16 ≈ 3e-10. We allow 1e-9; a wrong op weight, a missing edge or a
 * misplaced factorized-reduction half changes results by far more (≥ 1e-3 relative here).
 */
class CasFusedTest {

    private static final double TOLERANCE = 1e-9;

    /** Cells N R R N: normal, reduction, reduction after reduction, normal after reduction. */
    private static final CasSizes SIZES =
            new CasSizes(5, 4, 4, 3, 8, CasSpace.MS_RATES, CasSpace.OPS);

    private static final Shape INPUT = new Shape(2, 3, 32, 32);

    private static NDManager base;

    @BeforeAll
    static void open() {
        Engine.getInstance().setRandomSeed(5);
        base = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        base.close();
    }

    private static CasNet build(boolean fused, DataType type) {
        CasNet net = CasNet.supernet(SIZES, fused);
        net.initialize(base, type, INPUT);
        return net;
    }

    private static NDArray pass(CasNet net, NDArray x) {
        return FusedEquivalence.trainPass(net, base, x);
    }

    @Test
    void fusedEqualsPlainOnTheSameWeightsInFloat64() {
        CasNet plain = build(false, DataType.FLOAT64);
        CasNet fused = build(true, DataType.FLOAT64);
        assertTrue(fused.isFused());
        assertFalse(plain.isFused());
        assertEquals(DataType.FLOAT64, fused.alphaNormal().getArray().getDataType());
        // α larger than its 1e-3 initialisation, so that the op weights differ
        try (NDManager sm = base.newSubManager()) {
            for (Parameter p : plain.archParameters()) {
                sm.randomNormal(p.getArray().getShape())
                        .toType(DataType.FLOAT64, false)
                        .copyTo(p.getArray());
            }
        }
        fused.copyFrom(plain);
        assertEquals(count(plain.weightParameters()), count(fused.weightParameters()));
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
                                CasNet mapped = build(true, DataType.FLOAT64);
                                mapped.copyFrom(plain);
                                return mapped;
                            },
                            sm,
                            TOLERANCE,
                            TOLERANCE);
            assertTrue(r.stats() > 40, "too few running statistics compared: " + r.stats());
            FusedEquivalence.assertHaveGradients(fused.archParameters(), r.gradScale(), sm);
            assertEquals(fused.weightParameters().size() + 3, r.grads());
        }
    }

    private static long count(List<Parameter> params) {
        return params.stream().mapToLong(p -> p.getArray().size()).sum();
    }

    /**
     * The point of the fused cells: far fewer engine ops per forward+backward pass (top-level ops
     * counted by libtorch's profiler).
     */
    @Test
    void fusedPassRunsFarFewerOps(@TempDir Path dir) throws IOException {
        CasNet[] nets = {build(false, DataType.FLOAT32), build(true, DataType.FLOAT32)};
        long[] ops = new long[2];
        for (int i = 0; i < 2; i++) {
            CasNet net = nets[i];
            try (NDManager sm = base.newSubManager()) {
                NDArray x = sm.randomNormal(INPUT);
                ops[i] =
                        OpProfile.profile(() -> pass(net, x), dir.resolve("trace" + i + ".json"))
                                .topLevelOps();
            }
        }
        assertTrue(ops[1] * 2 < ops[0], "fused " + ops[1] + " ops vs plain " + ops[0]);
    }

    @Test
    void fusedIsTheDefaultForTheDartsOpsAndRefusedForOtherTables() {
        assertTrue(CasNet.supernet(SIZES).isFused());
        CasSizes other =
                new CasSizes(
                        5,
                        4,
                        4,
                        3,
                        8,
                        CasSpace.MS_RATES,
                        List.of(OpSpec.SKIP_CONNECT, OpSpec.SEP_CONV_3X3));
        assertFalse(CasNet.supernet(other).isFused());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CasNet.supernet(other, true));
        assertTrue(e.getMessage().contains("fused cell"), e.getMessage());
    }
}
