package org.dpnas.common.nn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class Pool3x3Test {

    private static float[] run(Pool3x3 pool, NDArray x) {
        return pool.forward(new ParameterStore(x.getManager(), false), new NDList(x), false)
                .head()
                .toFloatArray();
    }

    /**
     * 3×3 input 1..9. Average over valid taps only: corner (0,0) = mean(1,2,4,5) = 3, edge (0,1) =
     * mean(1..6) = 3.5, centre = 5, (2,2) = mean(5,6,8,9) = 7. Counting the padding would give 4/3
     * at the corner instead of 3.
     */
    @Test
    void averageDividesByValidTapsOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(1f, 10f).reshape(1, 1, 3, 3);
            assertArrayEquals(
                    new float[] {3f, 3.5f, 4f, 4.5f, 5f, 5.5f, 6f, 6.5f, 7f},
                    run(new Pool3x3(Pool3x3.Kind.AVG, 1), x),
                    1e-5f);
        }
    }

    /** A constant map stays constant at every position and both strides (4×4 → 2×2). */
    @Test
    void averageOfConstantIsConstantAtStride2() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(1, 2, 4, 4)).mul(2);
            float[] y = run(new Pool3x3(Pool3x3.Kind.AVG, 2), x);
            assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2, 2, 2}, y, 1e-6f);
        }
    }

    /** Padding never wins a maximum: an all-negative map keeps its values at the border. */
    @Test
    void maxIgnoresPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(1f, 10f).reshape(1, 1, 3, 3).neg();
            assertArrayEquals(
                    new float[] {-1, -1, -2, -1, -1, -2, -4, -4, -5},
                    run(new Pool3x3(Pool3x3.Kind.MAX, 1), x),
                    0f);
        }
    }

    @Test
    void validTapsAlongAnAxis() {
        assertArrayEquals(new int[] {2, 3, 3, 2}, Pool3x3.validTaps(4, 1));
        assertArrayEquals(new int[] {2, 3, 2}, Pool3x3.validTaps(5, 2));
        assertArrayEquals(new int[] {2, 3}, Pool3x3.validTaps(4, 2));
    }
}
