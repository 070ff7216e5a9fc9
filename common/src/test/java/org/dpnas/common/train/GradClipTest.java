package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradClipTest {

    private static Parameter param(NDManager m, String name, int n) {
        Parameter p =
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(n))
                        .optInitializer(new ConstantInitializer(1f))
                        .build();
        p.initialize(m, DataType.FLOAT32);
        return p;
    }

    /**
     * Gradients (3, 0) and (4): global norm 5. With max 1 every gradient is scaled by 1/(5 + 1e-6):
     * (0.6, 0), (0.8). With max 10 nothing changes.
     */
    @Test
    void scalesByTheGlobalNorm() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            Parameter a = param(m, "a", 2);
            Parameter b = param(m, "b", 1);
            for (float max : new float[] {1f, 10f}) {
                try (NDManager sm = m.newSubManager()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(
                                a.getArray()
                                        .mul(sm.create(new float[] {3f, 0f}))
                                        .sum()
                                        .add(b.getArray().mul(sm.create(new float[] {4f})).sum()));
                    }
                    float norm = GradClip.clipByGlobalNorm(List.of(a, b), max, sm, c).getFloat();
                    assertEquals(5f, norm, 1e-6f);
                    float s = max < 5f ? 1f / 5f : 1f;
                    assertArrayEquals(
                            new float[] {3f * s, 0f},
                            a.getArray().getGradient().toFloatArray(),
                            1e-5f);
                    assertArrayEquals(
                            new float[] {4f * s}, b.getArray().getGradient().toFloatArray(), 1e-5f);
                    new ParamGroup("g", List.of(a, b), new Sgd(0f, 0f)).zeroGrad();
                }
            }
        }
    }
}
