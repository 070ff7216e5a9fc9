package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.ConstantInitializer;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTest {

    /** A 2-element parameter w with loss Σ g_i·w_i, so that the gradient is exactly g. */
    private static Parameter param(NDManager m, float... init) {
        Parameter p =
                Parameter.builder()
                        .setName("w")
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(init.length))
                        .optInitializer(new ConstantInitializer(0f))
                        .build();
        p.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
        p.getArray().set(init);
        return p;
    }

    private static void backward(NDManager m, Parameter p, float... grad) {
        try (NDManager sm = m.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray g = sm.create(grad);
            gc.backward(g.mul(p.getArray()).sum());
        }
    }

    /**
     * PyTorch SGD, momentum 0.9, wd 0.1, w0 = (1, −2):
     *
     * <pre>
     * step 1, lr 0.5, g = (1, 1): d = g + 0.1 w = (1.1, 0.8); b = d; w = w − 0.5 b = (0.45, −2.4)
     * step 2, lr 0.25, g = (2, 0): d = (2 + 0.045, 0 − 0.24) = (2.045, −0.24);
     *   b = 0.9 (1.1, 0.8) + d = (3.035, 0.48); w = (0.45 − 0.75875, −2.4 − 0.12) = (−0.30875, −2.52)
     * </pre>
     */
    @Test
    void sgdMatchesPyTorchUnderAChangingLearningRate() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, 1f, -2f);
            Sgd sgd = new Sgd(0.9f, 0.1f);
            backward(m, p, 1f, 1f);
            sgd.step(List.of(p), 0.5f);
            assertArrayEquals(new float[] {0.45f, -2.4f}, p.getArray().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0f, 0f}, p.getArray().getGradient().toFloatArray(), 0f);
            backward(m, p, 2f, 0f);
            sgd.step(List.of(p), 0.25f);
            assertArrayEquals(new float[] {-0.30875f, -2.52f}, p.getArray().toFloatArray(), 1e-6f);
            assertEquals(2, sgd.updates());
        }
    }

    /**
     * PyTorch Adam, lr 0.1, betas (0.9, 0.999), eps 1e-8, no wd, w0 = (1, 1), g = (1, −2) twice.
     *
     * <pre>
     * t=1: m = 0.1 g, v = 0.001 g²; m̂ = g, v̂ = g² → w −= 0.1·sign(g) = (0.9, 1.1)
     * t=2: m = 0.19 g, v = 0.001999 g²; m̂ = 0.19/0.19 g = g; v̂ = g² → again (0.8, 1.2)
     * </pre>
     */
    @Test
    void adamMatchesPyTorchWithBiasCorrection() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, 1f, 1f);
            Optimizer adam = Optimizer.create("adam", 0f, 0f, 0.9f, 0.999f, 1e-8f);
            backward(m, p, 1f, -2f);
            adam.step(List.of(p), 0.1f);
            assertArrayEquals(new float[] {0.9f, 1.1f}, p.getArray().toFloatArray(), 1e-6f);
            backward(m, p, 1f, -2f);
            adam.step(List.of(p), 0.1f);
            assertArrayEquals(new float[] {0.8f, 1.2f}, p.getArray().toFloatArray(), 1e-6f);
        }
    }

    /**
     * AdamW decays first: w = w − lr·wd·w, then the Adam step. lr 0.1, wd 0.5, w0 = (2), g = (1): w
     * = 2 − 0.1 = 1.9, then −0.1 → 1.8.
     */
    @Test
    void adamwDecouplesWeightDecay() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, 2f);
            Optimizer adamw = Optimizer.create("adamw", 0f, 0.5f, 0.9f, 0.999f, 1e-8f);
            backward(m, p, 1f);
            adamw.step(List.of(p), 0.1f);
            assertEquals(1.8f, p.getArray().toFloatArray()[0], 1e-6f);
        }
    }

    @Test
    void restoredStateContinuesIdentically() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter a = param(m, 1f, -2f);
            Parameter b = param(m, 1f, -2f);
            Sgd first = new Sgd(0.9f, 0.01f);
            backward(m, a, 1f, 3f);
            first.step(List.of(a), 0.3f);
            // copy a's state into a fresh optimizer for b, as a checkpoint would
            b.getArray().set(a.getArray().toFloatArray());
            NDList saved = new NDList();
            for (NDArray s : first.stateArrays()) {
                saved.add(s.duplicate());
            }
            JsonObject scalars = first.stateScalars();
            Sgd second = new Sgd(0.9f, 0.01f);
            second.restore(List.of(b), saved, scalars, m);
            backward(m, a, -1f, 2f);
            first.step(List.of(a), 0.2f);
            backward(m, b, -1f, 2f);
            second.step(List.of(b), 0.2f);
            assertArrayEquals(a.getArray().toFloatArray(), b.getArray().toFloatArray(), 0f);
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(1.5f, 0f));
        assertThrows(
                IllegalArgumentException.class,
                () -> Optimizer.create("rmsprop", 0f, 0f, 0.9f, 0.999f, 1e-8f));
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = param(m, 1f);
            backward(m, p, 1f);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> new Sgd(0f, 0f).step(List.of(p), Float.NaN));
            assertEquals(true, e.getMessage().contains("learning rate"));
        }
    }
}
