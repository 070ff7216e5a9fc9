package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The fused supernet computes the same function as the plain one: on the same weights (copied), in
 * training mode, the logits, the gradients of α, β and of shared weights, and the BN running
 * statistics after a pass agree to float precision.
 */
class FusedSupernetTest {

    /** B = 5 and L = 3: cells with and without H^{l−2}, with one, two and three neighbours. */
    private static final SupernetConfig CONFIG = new SupernetConfig(5, 3, 4, 5);

    /**
     * Crop 64: the coarsest level is 2×2. (At 1×1, a batch-statistics BN over two values turns
     * float rounding into 1e-4 relative differences of the logits.)
     */
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

    private static AutoDeepLabSupernet build(SupernetImpl impl) {
        AutoDeepLabSupernet net = new AutoDeepLabSupernet(CONFIG, impl);
        net.initialize(base, DataType.FLOAT32, INPUT);
        return net;
    }

    /** Forward in training mode and backward of an uneven loss; returns the logits. */
    private static NDArray pass(AutoDeepLabSupernet net, NDArray x) {
        NDManager sm = x.getManager();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits =
                    net.forward(new ParameterStore(base, false), new NDList(x), true).head();
            NDArray w = sm.arange(1f, 6f).reshape(1, 5, 1, 1);
            gc.backward(logits.mul(w).pow(sm.create(2f)).mean());
            return logits;
        }
    }

    private static float relDiff(NDArray a, NDArray b) {
        float scale = Math.max(a.abs().max().getFloat(), 1e-12f);
        return a.sub(b).abs().max().getFloat() / scale;
    }

    private static NDArray grad(Parameter p, NDManager sm) {
        NDArray g = p.getArray().getGradient();
        g.attach(sm);
        return g;
    }

    @Test
    void fusedEqualsPlainOnTheSameWeights() {
        AutoDeepLabSupernet plain = build(SupernetImpl.PLAIN);
        AutoDeepLabSupernet fused = build(SupernetImpl.FUSED);
        // α, β larger than their 1e-3 initialisation, so that the op weights differ
        try (NDManager sm = base.newSubManager()) {
            plain.alphas()
                    .getArray()
                    .set(sm.randomNormal(plain.alphas().getArray().getShape()).toFloatArray());
            plain.betas()
                    .getArray()
                    .set(sm.randomNormal(plain.betas().getArray().getShape()).toFloatArray());
        }
        fused.copyFrom(plain);
        assertEquals(plain.countWeights(), fused.countWeights());
        try (NDManager sm = base.newSubManager()) {
            NDArray x = sm.randomNormal(INPUT);
            NDArray yPlain = pass(plain, x);
            NDArray yFused = pass(fused, x);
            assertEquals(yPlain.getShape(), yFused.getShape());
            float d = relDiff(yPlain, yFused);
            assertTrue(d < 1e-4f, "logits differ by " + d);

            Parameter[][] pairs = {
                {plain.alphas(), fused.alphas()},
                {plain.betas(), fused.betas()},
                {param(plain, "stem_conv0_weight"), param(fused, "stem_conv0_weight")},
                {
                    param(plain, "aspp_0_classifier_weight"),
                    param(fused, "aspp_0_classifier_weight")
                },
                {
                    param(plain, "cell_2_1_pre1_conv2d0_weight"),
                    param(fused, "cell_2_1_pre1_conv2d0_weight")
                },
            };
            for (Parameter[] p : pairs) {
                NDArray gp = grad(p[0], sm);
                NDArray gf = grad(p[1], sm);
                assertTrue(gp.abs().max().getFloat() > 0f, p[0].getName() + " has no gradient");
                float dg = relDiff(gp, gf);
                assertTrue(dg < 1e-4f, p[0].getName() + " gradients differ by " + dg);
            }

            // running statistics after one pass: map the plain state again and compare
            AutoDeepLabSupernet mapped = build(SupernetImpl.FUSED);
            mapped.copyFrom(plain);
            PairList<String, Parameter> a = mapped.getParameters();
            PairList<String, Parameter> b = fused.getParameters();
            int stats = 0;
            for (int i = 0; i < a.size(); i++) {
                Pair<String, Parameter> pa = a.get(i);
                Parameter.Type t = pa.getValue().getType();
                if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                    NDArray va = pa.getValue().getArray();
                    NDArray vb = b.valueAt(i).getArray();
                    float ds = va.sub(vb).abs().max().getFloat();
                    assertTrue(ds < 1e-5f, pa.getKey() + " differs by " + ds);
                    stats++;
                }
            }
            assertTrue(stats > 50, "too few running statistics compared: " + stats);
        }
    }

    /**
     * The point of the fused path: far fewer engine arrays per forward+backward pass than the plain
     * per-edge evaluation of the same supernet.
     */
    @Test
    void fusedPassCreatesFarFewerArrays() {
        AutoDeepLabSupernet plain = build(SupernetImpl.PLAIN);
        AutoDeepLabSupernet fused = build(SupernetImpl.FUSED);
        int[] arrays = new int[2];
        AutoDeepLabSupernet[] nets = {plain, fused};
        for (int i = 0; i < 2; i++) {
            try (NDManager sm = base.newSubManager()) {
                pass(nets[i], sm.randomNormal(INPUT));
                arrays[i] = sm.getManagedArrays().size();
            }
        }
        assertTrue(
                arrays[1] * 3 < arrays[0], "fused " + arrays[1] + " arrays vs plain " + arrays[0]);
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
