package org.dpnas.common.det;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.dpnas.common.train.Constants;
import org.junit.jupiter.api.Test;

/** Focal and smooth-L1 loss values and gradients against hand formulas. */
class DetectionLossTest {

    private static final double LN2 = Math.log(2);

    /**
     * Three anchors, one class, logits 0 (p = ½): a positive contributes α·¼·ln2, a negative
     * (1−α)·¼·ln2, an ignored one nothing; normalised by 1 positive. d/dx of the positive's term is
     * α(1−p)²(2p·ln p − (1−p)), of the negative's (1−α)p²(−2(1−p)·ln(1−p) + p).
     */
    @Test
    void focalAndSmoothL1MatchHandValues() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            for (int repeat = 0; repeat < 2; repeat++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray logits = step.create(new float[] {0, 0, 3}, new Shape(1, 3, 1));
                    NDArray deltas =
                            step.create(
                                    new float[] {0.05f, 1f, 0, 0, 5, 5, 5, 5, 9, 9, 9, 9},
                                    new Shape(1, 3, 4));
                    logits.setRequiresGradient(true);
                    deltas.setRequiresGradient(true);
                    DetectionTargets t =
                            new DetectionTargets(
                                    new int[] {0, AnchorMatcher.NEGATIVE, AnchorMatcher.IGNORED},
                                    new float[12],
                                    1);
                    NDArray[] loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        loss = DetectionLoss.retinaNet().compute(logits, deltas, List.of(t), c);
                        System.gc();
                        gc.backward(loss[0].add(loss[1]));
                    }
                    System.gc();
                    assertEquals(0.25 * LN2, loss[0].getFloat(), 1e-6);
                    double beta = 0.11;
                    assertEquals(
                            0.5 * 0.05 * 0.05 / beta + (1 - 0.5 * beta), loss[1].getFloat(), 1e-6);
                    float[] g = logits.getGradient().toFloatArray();
                    assertEquals(0.25 * 0.25 * (Math.log(0.5) - 0.5), g[0], 1e-6);
                    assertEquals(0.75 * 0.25 * (LN2 + 0.5), g[1], 1e-6);
                    assertEquals(0, g[2], 0);
                    float[] gd = deltas.getGradient().toFloatArray();
                    assertEquals(0.05 / beta, gd[0], 1e-5);
                    assertEquals(1, gd[1], 1e-6);
                    assertEquals(0, gd[4], 0);
                }
            }
        }
    }

    /** With no positive the normaliser is 1, not 0. */
    @Test
    void noPositivesNormalisesByOne() {
        try (NDManager m = NDManager.newBaseManager();
                Constants c = new Constants(m)) {
            NDArray logits = m.create(new float[] {0}, new Shape(1, 1, 1));
            DetectionTargets t =
                    new DetectionTargets(new int[] {AnchorMatcher.NEGATIVE}, new float[4], 0);
            NDArray[] loss =
                    DetectionLoss.retinaNet()
                            .compute(logits, m.zeros(new Shape(1, 1, 4)), List.of(t), c);
            assertEquals(0.75 * 0.25 * LN2, loss[0].getFloat(), 1e-6);
            assertEquals(0, loss[1].getFloat(), 0);
            DetectionTargets bad = new DetectionTargets(new int[] {3}, new float[4], 1);
            assertThrows(
                    IllegalArgumentException.class,
                    () ->
                            DetectionLoss.retinaNet()
                                    .compute(logits, m.zeros(new Shape(1, 1, 4)), List.of(bad), c));
        }
    }
}
