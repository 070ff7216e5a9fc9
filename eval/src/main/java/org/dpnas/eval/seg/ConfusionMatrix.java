package org.dpnas.eval.seg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.metric.StreamingMetric;

/**
 * A streaming C×C pixel confusion matrix {@code M[g][p] = #{pixels i : gt_i = g, pred_i = p}} (rows
 * ground truth, columns prediction) over all pixels whose ground truth is not the ignore index,
 * from which {@link SegMetrics#fromCounts(long[][])} derives IoU and accuracies.
 *
 * <p>Semantics follow the Cityscapes evaluation: a pixel whose ground truth equals the ignore index
 * is skipped whatever its prediction (the prediction there is not even range-checked); any other
 * ground-truth id must lie in {@code [0, C)} and so must the prediction at that pixel, otherwise
 * the update throws {@link IllegalArgumentException} naming the value and its position. A rejected
 * update leaves the counts unchanged: every batch is validated before it is counted.
 *
 * <p>Counting happens on the host; the {@link NDArray} overload copies each array to the host once.
 * Instances are not thread-safe; give each worker its own matrix and {@link #merge} them.
 */
public final class ConfusionMatrix implements StreamingMetric<SegMetrics> {

    private final int numClasses;
    private final int ignoreIndex;

    /** Row-major {@code C*C} counts: entry {@code g * C + p}. */
    private final long[] counts;

    /**
     * Creates an empty matrix that ignores ground-truth label {@link SegSample#IGNORE} (255).
     *
     * @param numClasses the number of classes C, at least 1
     */
    public ConfusionMatrix(int numClasses) {
        this(numClasses, SegSample.IGNORE);
    }

    /**
     * Creates an empty matrix.
     *
     * @param numClasses the number of classes C, at least 1
     * @param ignoreIndex the ground-truth label of pixels that never count; must lie outside {@code
     *     [0, C)}
     */
    public ConfusionMatrix(int numClasses, int ignoreIndex) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be at least 1, got " + numClasses);
        }
        if (ignoreIndex >= 0 && ignoreIndex < numClasses) {
            throw new IllegalArgumentException(
                    "ignoreIndex "
                            + ignoreIndex
                            + " collides with a class id in [0, "
                            + numClasses
                            + ")");
        }
        if ((long) numClasses * numClasses > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("numClasses " + numClasses + " is too large");
        }
        this.numClasses = numClasses;
        this.ignoreIndex = ignoreIndex;
        this.counts = new long[numClasses * numClasses];
    }

    /** Returns the number of classes C. */
    public int numClasses() {
        return numClasses;
    }

    /** Returns the ground-truth label whose pixels never count. */
    public int ignoreIndex() {
        return ignoreIndex;
    }

    /** Returns the number of counted (non-ignored) pixels, i.e. the sum of all entries. */
    public long total() {
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        return sum;
    }

    /**
     * Adds one batch of flattened label maps.
     *
     * @param gt ground-truth ids, in {@code [0, C)} or the ignore index
     * @param pred predicted ids, in {@code [0, C)} wherever the ground truth is not ignored
     * @throws IllegalArgumentException if the lengths differ or an id is out of range; the counts
     *     are then unchanged
     */
    public void update(int[] gt, int[] pred) {
        checkLengths(gt.length, pred.length);
        validate(gt, pred, null);
        accumulate(gt, pred);
    }

    /**
     * Adds one batch of flattened label maps stored as bytes read unsigned ({@code 0..255}), the
     * layout of {@link SegSample#label()}.
     *
     * @param gt ground-truth ids, in {@code [0, C)} or the ignore index
     * @param pred predicted ids, in {@code [0, C)} wherever the ground truth is not ignored
     * @throws IllegalArgumentException if the lengths differ or an id is out of range; the counts
     *     are then unchanged
     */
    public void update(byte[] gt, byte[] pred) {
        checkLengths(gt.length, pred.length);
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i] & 0xFF;
            if (g != ignoreIndex) {
                checkIds(g, pred[i] & 0xFF, i, null);
            }
        }
        int c = numClasses;
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i] & 0xFF;
            if (g != ignoreIndex) {
                counts[g * c + (pred[i] & 0xFF)]++;
            }
        }
    }

    /**
     * Adds one batch of DJL label arrays of any integer dtype and equal shape, e.g. {@code (N, H,
     * W)}: each array is copied to the host once as {@code int32} and counted there. Values are
     * converted by {@code toType(INT32)}, so {@code uint8} reads as {@code 0..255}; {@code int64}
     * values beyond the {@code int} range are not supported.
     *
     * @param gt ground-truth ids, in {@code [0, C)} or the ignore index
     * @param pred predicted ids (e.g. an argmax over the class axis), same shape as {@code gt}
     * @throws IllegalArgumentException if the shapes differ, a dtype is not an integer type or an
     *     id is out of range (the position is given as an index into the shape); the counts are
     *     then unchanged
     */
    public void update(NDArray gt, NDArray pred) {
        Shape shape = gt.getShape();
        if (!shape.equals(pred.getShape())) {
            throw new IllegalArgumentException(
                    "shape mismatch: gt " + shape + " vs pred " + pred.getShape());
        }
        checkIntegerType("gt", gt.getDataType());
        checkIntegerType("pred", pred.getDataType());
        int[] g = toHostInts(gt);
        int[] p = toHostInts(pred);
        validate(g, p, shape);
        accumulate(g, p);
    }

    /**
     * Adds all counts of {@code other} to this matrix, so that merging per-worker matrices equals
     * one matrix updated with all their batches.
     *
     * @param other a matrix with the same number of classes and ignore index
     * @throws IllegalArgumentException if the class count or ignore index differ
     */
    public void merge(ConfusionMatrix other) {
        if (other.numClasses != numClasses || other.ignoreIndex != ignoreIndex) {
            throw new IllegalArgumentException(
                    "cannot merge a matrix with "
                            + other.numClasses
                            + " classes / ignore "
                            + other.ignoreIndex
                            + " into one with "
                            + numClasses
                            + " classes / ignore "
                            + ignoreIndex);
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
    }

    /** Returns a copy of the counts as {@code [groundTruth][prediction]}. */
    public long[][] counts() {
        long[][] out = new long[numClasses][];
        for (int g = 0; g < numClasses; g++) {
            out[g] = Arrays.copyOfRange(counts, g * numClasses, (g + 1) * numClasses);
        }
        return out;
    }

    /** Derives the metrics from the counts accumulated so far. */
    @Override
    public SegMetrics compute() {
        return SegMetrics.fromCounts(counts());
    }

    /** Sets every count back to zero. */
    @Override
    public void reset() {
        Arrays.fill(counts, 0L);
    }

    private static int[] toHostInts(NDArray a) {
        if (a.getDataType() == DataType.INT32) {
            return a.toIntArray();
        }
        try (NDArray converted = a.toType(DataType.INT32, false)) {
            return converted.toIntArray();
        }
    }

    private static void checkIntegerType(String what, DataType type) {
        if (!type.isInteger()) {
            throw new IllegalArgumentException(what + " must have an integer dtype, got " + type);
        }
    }

    private static void checkLengths(int gtLength, int predLength) {
        if (gtLength != predLength) {
            throw new IllegalArgumentException(
                    "length mismatch: gt has " + gtLength + " elements, pred has " + predLength);
        }
    }

    private void validate(int[] gt, int[] pred, Shape shape) {
        for (int i = 0; i < gt.length; i++) {
            if (gt[i] != ignoreIndex) {
                checkIds(gt[i], pred[i], i, shape);
            }
        }
    }

    private void accumulate(int[] gt, int[] pred) {
        int c = numClasses;
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i];
            if (g != ignoreIndex) {
                counts[g * c + pred[i]]++;
            }
        }
    }

    /** Checks one non-ignored pixel; {@code shape} (nullable) turns the flat index into a tuple. */
    private void checkIds(int g, int p, int flatIndex, Shape shape) {
        if (g < 0 || g >= numClasses) {
            throw new IllegalArgumentException(
                    "ground-truth id "
                            + g
                            + " at "
                            + position(flatIndex, shape)
                            + " is outside [0, "
                            + numClasses
                            + ") and is not the ignore index "
                            + ignoreIndex);
        }
        if (p < 0 || p >= numClasses) {
            throw new IllegalArgumentException(
                    "predicted id "
                            + p
                            + " at "
                            + position(flatIndex, shape)
                            + " is outside [0, "
                            + numClasses
                            + ")");
        }
    }

    private static String position(int flatIndex, Shape shape) {
        if (shape == null || shape.dimension() == 0) {
            return "position " + flatIndex;
        }
        long[] idx = new long[shape.dimension()];
        long rest = flatIndex;
        for (int d = idx.length - 1; d >= 0; d--) {
            long size = shape.get(d);
            idx[d] = rest % size;
            rest /= size;
        }
        return "position " + flatIndex + " (index " + Arrays.toString(idx) + ")";
    }
}
