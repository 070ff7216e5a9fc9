package org.dpnas.autodeeplab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class AlignCornersResizeTest {

    /**
     * 2×2 [[0, 1], [2, 3]] → 3×3 with corners aligned: the corners stay, the midpoints average, as
     * PyTorch's {@code interpolate(..., align_corners=True)}: [[0, .5, 1], [1, 1.5, 2], [2, 2.5,
     * 3]].
     */
    @Test
    void upsamplingMatchesHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));
            NDArray y = AlignCornersResize.resize(x, 3, 3);
            assertArrayEquals(
                    new float[] {0, .5f, 1, 1, 1.5f, 2, 2, 2.5f, 3}, y.toFloatArray(), 1e-6f);
        }
    }

    /**
     * 1×5 → 1×3 with corners aligned reads source columns 0, 2, 4 exactly; 1×4 → 1×3 reads 0, 1.5,
     * 3 (PyTorch: [0, 15, 30] for input [0, 10, 20, 30]).
     */
    @Test
    void downsamplingMatchesHandValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {5, 6, 7, 8, 9}, new Shape(1, 1, 1, 5));
            assertArrayEquals(
                    new float[] {5, 7, 9},
                    AlignCornersResize.resize(x, 1, 3).toFloatArray(),
                    1e-6f);
            NDArray z = m.create(new float[] {0, 10, 20, 30}, new Shape(1, 1, 1, 4));
            assertArrayEquals(
                    new float[] {0, 15, 30},
                    AlignCornersResize.resize(z, 1, 3).toFloatArray(),
                    1e-5f);
        }
    }

    /** d Σy / dx = column sums of the interpolation matrix: 1→… for 2 → 3, [1.5, 1.5]. */
    @Test
    void gradientIsTheTransposedMatrix() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2}, new Shape(1, 1, 1, 2));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(AlignCornersResize.resize(x, 1, 3).sum());
            }
            assertArrayEquals(new float[] {1.5f, 1.5f}, x.getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void sameSizeIsTheInputAndBadSizesAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(1, 2, 4, 4));
            assertSame(x, AlignCornersResize.resize(x, 4, 4));
            assertThrows(IllegalArgumentException.class, () -> AlignCornersResize.resize(x, 0, 4));
        }
    }
}
