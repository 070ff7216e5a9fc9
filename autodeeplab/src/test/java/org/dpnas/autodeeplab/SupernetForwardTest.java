package org.dpnas.autodeeplab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SupernetForwardTest {

    private static final SupernetConfig SMALL = new SupernetConfig(5, 3, 4, 5);
    private static NDManager base;
    private static AutoDeepLabSupernet net;

    @BeforeAll
    static void build() {
        Engine.getInstance().setRandomSeed(7);
        base = NDManager.newBaseManager();
        net = new AutoDeepLabSupernet(SMALL);
        net.initialize(base, DataType.FLOAT32, new Shape(2, 3, 32, 32));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    private static NDArray step(NDManager sm, boolean backward) {
        NDArray x = sm.randomNormal(new Shape(2, 3, 32, 32));
        NDArray logits;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            logits = net.forward(new ParameterStore(base, false), new NDList(x), true).head();
            if (backward) {
                // a loss that depends on every class map, unevenly
                NDArray w = sm.arange(1f, 6f).reshape(1, 5, 1, 1);
                gc.backward(logits.mul(w).pow(sm.create(2f)).mean());
            }
        }
        return logits;
    }

    @Test
    void logitsHaveTheInputSize() {
        try (NDManager sm = base.newSubManager()) {
            NDArray y = step(sm, false);
            assertEquals(new Shape(2, 5, 32, 32), y.getShape());
            assertFalse(Float.isNaN(y.sum().getFloat()));
        }
    }

    /**
     * One backward reaches α, every used β, and the weights. β entries that no node uses get no
     * gradient: invalid choices (UP at level 0, DOWN at level 3) and sources not yet reachable
     * (level s' > l); β[1][1][SAME] is used (the reference port multiplies by β[1][1][DOWN] there
     * instead).
     */
    @Test
    void gradientsReachAlphaBetaAndWeights() {
        try (NDManager sm = base.newSubManager()) {
            step(sm, true);
            NDArray ga = net.alphas().getArray().getGradient();
            ga.attach(sm);
            assertTrue(ga.abs().sum().getFloat() > 0f, "α gradient is zero");
            float[] gb = net.betas().getArray().getGradient().toFloatArray();
            for (int l = 0; l < SMALL.layers(); l++) {
                for (int s = 0; s < NetworkSpace.LEVELS; s++) {
                    for (int k = 0; k < 3; k++) {
                        float g = gb[(l * 4 + s) * 3 + k];
                        boolean used = NetworkSpace.valid(s, k) && NetworkSpace.exists(l - 1, s);
                        if (used) {
                            assertTrue(g != 0f, "β[" + l + "][" + s + "][" + k + "] unused");
                        } else {
                            assertEquals(0f, g, 0f, "β[" + l + "][" + s + "][" + k + "]");
                        }
                    }
                }
            }
            int nonZero = 0;
            for (Parameter p : net.weightParameters()) {
                NDArray g = p.getArray().getGradient();
                g.attach(sm);
                if (g.abs().sum().getFloat() > 0f) {
                    nonZero++;
                }
            }
            assertTrue(
                    nonZero > net.weightParameters().size() * 9 / 10, "weights without gradient");
        }
    }

    /** After a warm-up step, a forward+backward step adds no array to the model's manager. */
    @Test
    void aStepLeavesNothingInTheModelManager() {
        try (NDManager sm = base.newSubManager()) {
            step(sm, true);
        }
        int before = base.getManagedArrays().size();
        try (NDManager sm = base.newSubManager()) {
            step(sm, true);
            assertTrue(sm.getManagedArrays().size() > 100);
        }
        assertEquals(before, base.getManagedArrays().size());
    }

    @Test
    void rejectsNonImageInput() {
        try (NDManager sm = base.newSubManager()) {
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    net.forward(
                                            new ParameterStore(base, false),
                                            new NDList(sm.zeros(new Shape(2, 1, 32, 32))),
                                            false));
            assertTrue(e.getMessage().contains("(2, 1, 32, 32)"), e.getMessage());
        }
    }

    /**
     * Corner cells: the cells of layer 0 and the first cell of each new level have no H^{l−2} (as
     * in the reference), the level-0 cell of layer 1 takes the stem as H^{l−2}; channels at F=8,
     * B=5: H^{l−2}, then H^{l−1} from UP, SAME, DOWN.
     */
    @Test
    void cornerCellsAreWiredAsTheReference() {
        SupernetConfig c = SupernetConfig.paper(19);
        assertArrayEquals(new int[] {0, 0, 40, 0}, AutoDeepLabSupernet.wiring(c, 0, 0));
        assertArrayEquals(new int[] {0, 0, 0, 40}, AutoDeepLabSupernet.wiring(c, 0, 1));
        assertArrayEquals(new int[] {40, 80, 40, 0}, AutoDeepLabSupernet.wiring(c, 1, 0));
        assertArrayEquals(new int[] {0, 0, 80, 40}, AutoDeepLabSupernet.wiring(c, 1, 1));
        assertArrayEquals(new int[] {0, 0, 0, 80}, AutoDeepLabSupernet.wiring(c, 1, 2));
        assertArrayEquals(new int[] {80, 160, 80, 40}, AutoDeepLabSupernet.wiring(c, 2, 1));
        assertArrayEquals(new int[] {0, 0, 320, 160}, AutoDeepLabSupernet.wiring(c, 3, 3));
        assertArrayEquals(new int[] {320, 0, 320, 160}, AutoDeepLabSupernet.wiring(c, 4, 3));
    }
}
