package org.dpnas.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class LossesTest {

    /**
     * Two pixels, two classes. Pixel 0: logits (0, ln 3) → softmax (1/4, 3/4), label 1 → −ln(3/4) =
     * 0.2876821. Pixel 1: label 255, ignored. Loss = 0.2876821 (mean over 1 valid pixel). Gradient
     * = (softmax − onehot)/|V|: pixel 0 → (0.25, −0.25), pixel 1 → (0, 0). Layout (N=1, C=2, H=1,
     * W=2): channel 0 = [p0, p1], channel 1 = [p0, p1].
     */
    @Test
    void crossEntropyIgnoresLabel255WithHandValuesAndGradientsUnderGcPressure() {
        for (int repeat = 0; repeat < 5; repeat++) {
            try (NDManager m = NDManager.newBaseManager();
                    Constants c = new Constants(m)) {
                NDArray logits =
                        m.create(
                                new float[] {0f, 5f, (float) Math.log(3), -2f},
                                new Shape(1, 2, 1, 2));
                logits.setRequiresGradient(true);
                NDArray labels = m.create(new long[] {1, 255}, new Shape(1, 1, 2));
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss = Losses.crossEntropy(logits, labels, 255, c);
                    GcPressure.apply(m);
                    gc.backward(loss);
                }
                GcPressure.apply(m);
                assertEquals(-Math.log(0.75), loss.getFloat(), 1e-6);
                assertArrayEquals(
                        new float[] {0.25f, 0f, -0.25f, 0f},
                        logits.getGradient().toFloatArray(),
                        1e-6f);
            }
        }
    }

    /**
     * Three valid pixels with uniform logits over 4 classes: each contributes ln 4, mean ln 4.
     * Gradient per pixel = (1/4 − onehot)/3.
     */
    @Test
    void meanIsOverValidPixelsOnly() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            NDArray logits = m.zeros(new Shape(1, 4, 2, 2));
            logits.setRequiresGradient(true);
            NDArray labels = m.create(new long[] {0, 3, 255, 2}, new Shape(1, 2, 2));
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = Losses.crossEntropy(logits, labels, 255, c);
                gc.backward(loss);
            }
            assertEquals(Math.log(4), loss.getFloat(), 1e-6);
            float[] g = logits.getGradient().toFloatArray();
            float third = 1f / 3;
            // class 0 plane: pixel 0 has label 0 → (1/4 − 1)/3; pixel 1 (label 3) → 1/12
            assertEquals((0.25f - 1f) * third, g[0], 1e-6f);
            assertEquals(0.25f * third, g[1], 1e-6f);
            assertEquals(0f, g[2], 0f); // ignored pixel
            assertEquals((0.25f - 1f) * third, g[3 * 4 + 1], 1e-6f); // class 3, pixel 1
        }
    }

    @Test
    void allIgnoredGivesZeroNotNaN() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            NDArray logits = m.ones(new Shape(1, 3, 1, 2));
            NDArray labels = m.create(new long[] {255, 255}, new Shape(1, 1, 2));
            assertEquals(0f, Losses.crossEntropy(logits, labels, 255, c).getFloat(), 0f);
        }
    }

    @Test
    void rejectsMismatchedShapes() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    Losses.crossEntropy(
                                            m.zeros(new Shape(1, 3, 4, 4)),
                                            m.zeros(new Shape(1, 4, 5)),
                                            255,
                                            c));
            assertEquals(true, e.getMessage().contains("(1, 3, 4, 4)"), e.getMessage());
        }
    }

    /**
     * Negative control of {@link #constantFactorsKeepExactGradientsUnderGcPressure}: the same
     * composed op written with Java number constants ({@code x.mul(3f).div(2f).pow(2f)}) must give
     * a wrong gradient in the same harness at least once in ten repeats, so the harness really
     * exposes the freed-scalar hazard. If a DJL upgrade fixes the hazard this test fails: then the
     * Constants discipline may be relaxed, and this control deleted with it.
     */
    @Test
    void javaNumberConstantsGiveWrongGradientsInTheSameHarness() {
        int wrong = 0;
        StringBuilder seen = new StringBuilder();
        try (NDManager m = NDManager.newBaseManager()) {
            for (int repeat = 0; repeat < 10; repeat++) {
                NDArray x = m.create(new float[] {1f, -2f, 4f});
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = x.mul(3f).div(2f).pow(2f).sum();
                    GcPressure.apply(m);
                    gc.backward(y);
                }
                float[] g = x.getGradient().toFloatArray();
                seen.append(java.util.Arrays.toString(g)).append(' ');
                if (!java.util.Arrays.equals(new float[] {4.5f, -9f, 18f}, g)) {
                    wrong++;
                }
            }
        }
        assertTrue(wrong > 0, "the harness did not expose the hazard: " + seen);
    }

    /**
     * The DJL hazard described in docs/architecture.md ("DJL facts"): d(3x)/dx must be 3 for every
     * element. Multiplying by a cached 0-d constant keeps the factor alive through backward, under
     * GC pressure.
     */
    @Test
    void constantFactorsKeepExactGradientsUnderGcPressure() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            for (int repeat = 0; repeat < 10; repeat++) {
                NDArray x = m.create(new float[] {1f, -2f, 4f});
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = x.mul(c.scalar(3f)).div(c.scalar(2f)).pow(c.scalar(2f)).sum();
                    GcPressure.apply(m);
                    gc.backward(y);
                }
                // y = Σ (1.5 x)^2 → dy/dx = 2·1.5²·x = 4.5 x
                assertArrayEquals(
                        new float[] {4.5f, -9f, 18f}, x.getGradient().toFloatArray(), 1e-5f);
            }
        }
    }
}
