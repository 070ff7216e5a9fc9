package org.dpnas.autodeeplab.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.dpnas.common.nn.ConstantArrays;

/**
 * Bilinear resizing with PyTorch's {@code align_corners=True} semantics, which the Auto-DeepLab
 * reference uses for every resampling: source coordinate {@code i·(n−1)/(m−1)}. DJL's own
 * interpolation is wrong for that mode (docs/architecture.md, "DJL facts"), so the resize is two
 * matrix products, {@code Y = A_H · X · A_Wᵀ}, with interpolation matrices computed once per
 * (device, type, n, m) and kept in the bounded {@link ConstantArrays#shared()} cache. It is exact
 * to float precision and differentiable; the input is the first operand of every product, so
 * results land in the input's manager.
 */
public final class AlignCornersResize {

    private AlignCornersResize() {}

    /**
     * Resizes (N, C, H, W) to (N, C, height, width).
     *
     * @param x the input
     * @param height output height (≥ 1)
     * @param width output width (≥ 1)
     * @return the resized map, or {@code x} itself when the size already matches
     */
    public static NDArray resize(NDArray x, long height, long width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "resize target must be positive, got " + height + "x" + width);
        }
        long[] s = x.getShape().getShape();
        NDArray y = x;
        if (s[3] != width) {
            y = y.matMul(transposed(x, s[3], width));
        }
        if (s[2] != height) {
            y = y.transpose(0, 1, 3, 2).matMul(transposed(x, s[2], height));
            y = y.transpose(0, 1, 3, 2);
        }
        return y;
    }

    /** Aᵀ of shape (n, m) on x's device in x's type: column i holds output i's weights. */
    private static NDArray transposed(NDArray x, long n, long m) {
        return ConstantArrays.shared()
                .get(
                        "align-corners:" + n + ">" + m,
                        x.getDevice(),
                        x.getDataType(),
                        () -> {
                            float[][] a = weights((int) n, (int) m);
                            float[] t = new float[(int) (n * m)];
                            for (int i = 0; i < m; i++) {
                                for (int j = 0; j < n; j++) {
                                    t[(int) (j * m + i)] = a[i][j];
                                }
                            }
                            return new ConstantArrays.Values(t, new Shape(n, m));
                        });
    }

    /**
     * The (m, n) interpolation matrix A: output i reads inputs ⌊c⌋ and ⌊c⌋+1 at c = i·(n−1)/(m−1)
     * (c = 0 when m = 1), with weights 1 − frac(c) and frac(c).
     */
    static float[][] weights(int n, int m) {
        float[][] a = new float[m][n];
        double scale = m > 1 ? (double) (n - 1) / (m - 1) : 0.0;
        for (int i = 0; i < m; i++) {
            double c = i * scale;
            int lo = Math.min((int) Math.floor(c), n - 1);
            int hi = Math.min(lo + 1, n - 1);
            double frac = c - lo;
            a[i][lo] += (float) (1.0 - frac);
            a[i][hi] += (float) frac;
        }
        return a;
    }
}
