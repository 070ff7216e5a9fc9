package org.dpnas.cas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dpnas.common.nn.ops.OpSpec;
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

    /** Forward in training mode and backward of an uneven loss; returns the logits. */
    private static NDArray pass(CasNet net, NDArray x) {
        NDManager sm = x.getManager();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits =
                    net.forward(new ParameterStore(base, false), new NDList(x), true).head();
            NDArray w = sm.arange(1f, 6f).reshape(1, 5, 1, 1).toType(x.getDataType(), false);
            NDArray two = sm.create(2f).toType(x.getDataType(), false);
            gc.backward(logits.mul(w).pow(two).mean());
            return logits;
        }
    }

    /** max |a − b| / max(max |a|, floor). */
    private static double diff(NDArray a, NDArray b, double floor) {
        double scale = Math.max(max(a), floor);
        return a.sub(b).abs().max().toType(DataType.FLOAT64, false).getDouble() / scale;
    }

    private static double max(NDArray a) {
        return a.abs().max().toType(DataType.FLOAT64, false).getDouble();
    }

    private static boolean isStat(Parameter p) {
        return p.getType() == Parameter.Type.RUNNING_MEAN
                || p.getType() == Parameter.Type.RUNNING_VAR;
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
            double d = diff(yPlain, yFused, 1e-300);
            assertTrue(d < TOLERANCE, "logits differ by " + d);

            // running statistics after one pass: map the plain state again and compare
            CasNet mapped = build(true, DataType.FLOAT64);
            mapped.copyFrom(plain);
            PairList<String, Parameter> a = mapped.getParameters();
            PairList<String, Parameter> b = fused.getParameters();
            int stats = 0;
            for (int i = 0; i < a.size(); i++) {
                if (isStat(a.valueAt(i))) {
                    // relative to at least 1: a mean of zero-mean activations is round-off
                    double ds = diff(a.valueAt(i).getArray(), b.valueAt(i).getArray(), 1.0);
                    assertTrue(ds < TOLERANCE, a.keyAt(i) + " differs by " + ds);
                    stats++;
                }
            }
            assertTrue(stats > 40, "too few running statistics compared: " + stats);

            // gradients: write the plain gradients into the plain parameters, map them into the
            // fused layout, and compare with the fused gradients one by one
            PairList<String, Parameter> pp = plain.getParameters();
            for (int i = 0; i < pp.size(); i++) {
                Parameter p = pp.valueAt(i);
                if (p.requiresGradient() && !isStat(p)) {
                    NDArray g = p.getArray().getGradient();
                    g.attach(sm);
                    g.duplicate().copyTo(p.getArray());
                }
            }
            mapped.copyFrom(plain);
            // round-off in a gradient scales with the gradients flowing back, not with the entry
            double scale = 0;
            for (int i = 0; i < a.size(); i++) {
                if (b.valueAt(i).requiresGradient() && !isStat(b.valueAt(i))) {
                    scale = Math.max(scale, max(a.valueAt(i).getArray()));
                }
            }
            int grads = 0;
            for (int i = 0; i < a.size(); i++) {
                Parameter p = b.valueAt(i);
                if (!p.requiresGradient() || isStat(p)) {
                    continue;
                }
                NDArray actual = p.getArray().getGradient();
                actual.attach(sm);
                double dg = diff(a.valueAt(i).getArray(), actual, scale);
                assertTrue(dg < TOLERANCE, b.keyAt(i) + " gradients differ by " + dg);
                grads++;
            }
            for (Parameter p : fused.archParameters()) {
                NDArray g = p.getArray().getGradient();
                g.attach(sm);
                assertTrue(max(g) > 1e-6 * scale, p.getName() + " has no gradient");
            }
            assertEquals(fused.weightParameters().size() + 3, grads);
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
