package org.dpnas.common.nn.ops;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.dpnas.common.cost.CostAware;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.nn.ConstantArrays;

/**
 * 3×3 max or average pooling with padding 1, as the DARTS {@code max_pool_3x3} and {@code
 * avg_pool_3x3} (Liu et al., ICLR 2019, Sec. 3.1).
 *
 * <p>Average pooling divides by the number of valid (unpadded) taps, PyTorch's {@code
 * count_include_pad=False}. DJL 0.36 drops that flag and divides by 9 everywhere, so the result is
 * multiplied by a constant map {@code 9 / validTaps(i, j)} — computed once per (device, size,
 * stride) and kept for the life of the JVM (a few small arrays per run).
 */
public final class Pool3x3 extends AbstractBlock implements CostAware {

    /** The pooling kind. */
    public enum Kind {
        /** Maximum over the window (padding never wins). */
        MAX,
        /** Mean over the valid taps of the window. */
        AVG
    }

    private final Kind kind;
    private final int stride;

    /**
     * Creates the op.
     *
     * @param kind max or average
     * @param stride 1 or 2
     */
    public Pool3x3(Kind kind, int stride) {
        this.kind = kind;
        this.stride = stride;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape k = new Shape(3, 3);
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(1, 1);
        if (kind == Kind.MAX) {
            return new NDList(Pool.maxPool2d(x, k, s, p, false));
        }
        NDArray sum9 = Pool.avgPool2d(x, k, s, p, false, true);
        long[] d = x.getShape().getShape();
        return new NDList(sum9.mul(rescale(x.getDevice(), x.getDataType(), d[2], d[3], stride)));
    }

    /**
     * The (1, 1, H', W') map 9 / (number of valid taps) for an H×W input at a stride, kept in the
     * bounded {@link ConstantArrays#shared()} cache: multiplying a padded 3×3 sum-of-nine average
     * by it gives the average over valid taps.
     */
    public static NDArray rescale(Device device, DataType type, long h, long w, int stride) {
        return ConstantArrays.shared()
                .get(
                        "pool3x3-rescale:" + h + "x" + w + "/" + stride,
                        device,
                        type,
                        () -> {
                            int[] rows = validTaps(h, stride);
                            int[] cols = validTaps(w, stride);
                            float[] map = new float[rows.length * cols.length];
                            for (int i = 0; i < rows.length; i++) {
                                for (int j = 0; j < cols.length; j++) {
                                    map[i * cols.length + j] = 9f / (rows[i] * cols[j]);
                                }
                            }
                            return new ConstantArrays.Values(
                                    map, new Shape(1, 1, rows.length, cols.length));
                        });
    }

    /** Valid taps along one axis for each output position (window 3, padding 1). */
    static int[] validTaps(long size, int stride) {
        int out = (int) ((size - 1) / stride + 1);
        int[] taps = new int[out];
        for (int i = 0; i < out; i++) {
            long lo = Math.max(0, (long) i * stride - 1);
            long hi = Math.min(size - 1, (long) i * stride + 1);
            taps[i] = (int) (hi - lo + 1);
        }
        return taps;
    }

    /**
     * Counts 9 taps per output element (the kernel's taps, padded ones included, as convolutions
     * are counted); average pooling adds the element-wise multiplication by the valid-tap map.
     */
    @Override
    public Shape[] countCost(CostCounter counter, Shape[] inputShapes) {
        Shape[] out = getOutputShapes(inputShapes);
        counter.pool(out[0], 9);
        if (kind == Kind.AVG) {
            counter.elementwise(out[0]);
        }
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {
            new Shape(s.get(0), s.get(1), (s.get(2) - 1) / stride + 1, (s.get(3) - 1) / stride + 1)
        };
    }
}
