package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParamGroupTest {

    private static Parameter param(NDManager m, String name, float v) {
        Parameter p =
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.WEIGHT)
                        .optShape(new Shape(2))
                        .optInitializer(new ConstantInitializer(v))
                        .build();
        p.initialize(m, DataType.FLOAT32);
        return p;
    }

    /**
     * Loss = Σ w·a (w weights, a architecture), both (1,1) then (2,2). One backward fills both
     * gradients; stepping the weight group (SGD lr 0.1) changes w by −0.1·a = −0.2 and leaves a
     * untouched; zeroGrad of the arch group then clears its stale gradient, so the arch step that
     * follows sees only its own fresh gradient (w = 0.8 → a = 2 − 0.1·0.8 = 1.92).
     */
    @Test
    void steppingOneGroupLeavesTheOtherUntouched() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = param(m, "w", 1f);
            Parameter a = param(m, "a", 2f);
            ParamGroup weights = new ParamGroup("weights", List.of(w), new Sgd(0f, 0f));
            ParamGroup arch = new ParamGroup("arch", List.of(a), new Sgd(0f, 0f));
            try (NDManager sm = m.newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = w.getArray().mul(a.getArray()).sum();
                loss.attach(sm);
                gc.backward(loss);
            }
            weights.step(0.1f);
            assertArrayEquals(new float[] {0.8f, 0.8f}, w.getArray().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {2f, 2f}, a.getArray().toFloatArray(), 0f);
            assertArrayEquals(new float[] {1f, 1f}, a.getArray().getGradient().toFloatArray(), 0f);
            arch.zeroGrad();
            assertArrayEquals(new float[] {0f, 0f}, a.getArray().getGradient().toFloatArray(), 0f);
            try (NDManager sm = m.newSubManager();
                    GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = w.getArray().mul(a.getArray()).sum();
                loss.attach(sm);
                gc.backward(loss);
            }
            weights.zeroGrad();
            arch.step(0.1f);
            assertArrayEquals(new float[] {1.92f, 1.92f}, a.getArray().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0.8f, 0.8f}, w.getArray().toFloatArray(), 1e-6f);
        }
    }
}
