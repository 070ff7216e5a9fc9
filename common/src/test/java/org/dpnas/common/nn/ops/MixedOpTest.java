package org.dpnas.common.nn.ops;

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
import org.junit.jupiter.api.Test;

class MixedOpTest {

    private static MixedOp edge(NDManager m) {
        MixedOp op = new MixedOp(4, 1, OpSpec.darts(), false);
        op.initialize(m, DataType.FLOAT32, new Shape(2, 4, 8, 8));
        return op;
    }

    /**
     * Weights one-hot on skip_connect: the output is the input. For loss = Σ ō(x), dL/dw_skip = Σ
     * x, dL/dw_none = 0, and dL/dw_pool = Σ BN(pool(x)) = 0 (a non-affine BN output sums to zero
     * per channel) — hand values, checked under GC pressure.
     */
    @Test
    void oneHotSkipIsIdentityWithHandGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            MixedOp op = edge(m);
            for (int repeat = 0; repeat < 3; repeat++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.randomNormal(new Shape(2, 4, 8, 8));
                    NDArray w = step.create(new float[] {0, 0, 0, 1, 0, 0, 0, 0});
                    w.setRequiresGradient(true);
                    NDArray y;
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        y = op.forward(new ParameterStore(m, false), x, w, true);
                        loss = y.sum();
                        Gc.pressure();
                        gc.backward(loss);
                    }
                    Gc.pressure();
                    assertArrayEquals(x.toFloatArray(), y.toFloatArray(), 1e-6f);
                    float[] g = w.getGradient().toFloatArray();
                    assertEquals(0f, g[0], 0f);
                    assertEquals(0f, g[1], 1e-3f);
                    assertEquals(0f, g[2], 1e-3f);
                    assertEquals(x.sum().getFloat(), g[3], 1e-3f);
                    assertTrue(Math.abs(g[4]) < 1e-3f, "BN output sums to zero");
                }
            }
        }
    }

    /** Intermediates land in the input's manager, none in the model's. */
    @Test
    void forwardLeavesNothingInTheModelManager() {
        try (NDManager m = NDManager.newBaseManager()) {
            MixedOp op = edge(m);
            int before = m.getManagedArrays().size();
            try (NDManager step = m.newSubManager()) {
                NDArray x = step.randomNormal(new Shape(2, 4, 8, 8));
                NDArray w = step.ones(new Shape(8)).div(8);
                op.forward(new ParameterStore(m, false), x, w, true);
                assertTrue(step.getManagedArrays().size() > 10);
            }
            assertEquals(before, m.getManagedArrays().size());
        }
    }

    @Test
    void rejectsWeightsOfTheWrongLength() {
        try (NDManager m = NDManager.newBaseManager()) {
            MixedOp op = edge(m);
            NDArray x = m.zeros(new Shape(2, 4, 8, 8));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    op.forward(
                                            new ParameterStore(m, false),
                                            x,
                                            m.ones(new Shape(7)),
                                            true));
            assertTrue(e.getMessage().contains("8 ops"), e.getMessage());
        }
    }
}
