package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Losses for dense prediction, composed from differentiable primitives with no Java number on the
 * differentiated path (constants come from {@link Constants}).
 */
public final class Losses {

    private Losses() {}

    /**
     * Softmax cross-entropy over the class axis with an ignore label, averaged over the pixels that
     * are not ignored (PyTorch {@code F.cross_entropy(ignore_index=255, reduction="mean")}):
     *
     * <pre>  loss = -(1/|V|) Σ_{p∈V} log softmax(z_p)[y_p],  V = {p : y_p ≠ ignore}</pre>
     *
     * Where every pixel is ignored the loss is 0 (PyTorch returns NaN), so a crop that holds only
     * void never poisons a run.
     *
     * @param logits (N, C, H, W) float logits
     * @param labels (N, H, W) integer labels in [0, C) or {@code ignoreIndex}
     * @param ignoreIndex the label to ignore, usually 255
     * @param constants the run's constant cache
     * @return the 0-d loss, in the manager of {@code logits}
     */
    public static NDArray crossEntropy(
            NDArray logits, NDArray labels, int ignoreIndex, Constants constants) {
        if (logits.getShape().dimension() != 4 || labels.getShape().dimension() != 3) {
            throw new IllegalArgumentException(
                    "crossEntropy expects logits (N,C,H,W) and labels (N,H,W), got "
                            + logits.getShape()
                            + " and "
                            + labels.getShape());
        }
        long[] ls = logits.getShape().getShape();
        long[] ys = labels.getShape().getShape();
        if (ls[0] != ys[0] || ls[2] != ys[1] || ls[3] != ys[2]) {
            throw new IllegalArgumentException(
                    "crossEntropy: logits "
                            + logits.getShape()
                            + " do not match labels "
                            + labels.getShape());
        }
        Targets t = targets(labels, ignoreIndex, constants);
        return crossEntropySum(logits, t).div(t.count());
    }

    /**
     * Labels prepared once for several cross-entropy terms on them (a network's main and auxiliary
     * outputs): the class index of every pixel (ignored pixels at class 0), a weight of 1 for the
     * pixels that count and 0 for the ignored ones, and how many count (at least 1).
     *
     * @param index (N, 1, H, W) int64 class indices
     * @param weight (N, H, W) float weights
     * @param count 0-d float number of pixels that count, at least 1
     */
    public record Targets(NDArray index, NDArray weight, NDArray count) {

        /**
         * The targets of {@code copies} outputs stacked along the batch axis (output after output):
         * index and weight tiled, {@code count} still that of one copy.
         */
        public Targets tiled(int copies) {
            if (copies == 1) {
                return this;
            }
            return new Targets(
                    index.tile(new long[] {copies, 1, 1, 1}),
                    weight.tile(new long[] {copies, 1, 1}),
                    count);
        }
    }

    /**
     * Prepares {@code labels} ((N, H, W) integers in [0, C) or {@code ignoreIndex}) for {@link
     * #crossEntropySum}.
     */
    public static Targets targets(NDArray labels, int ignoreIndex, Constants constants) {
        if (labels.getShape().dimension() != 3) {
            throw new IllegalArgumentException(
                    "cross-entropy targets need labels (N,H,W), got " + labels.getShape());
        }
        NDArray y = labels.toType(DataType.INT64, false);
        NDArray valid = y.neq(constants.scalar(ignoreIndex, DataType.INT64));
        NDArray safe = y.mul(valid.toType(DataType.INT64, false));
        NDArray weight = valid.toType(DataType.FLOAT32, false);
        NDArray count = weight.sum().maximum(constants.scalar(1f));
        return new Targets(safe.expandDims(1), weight, count);
    }

    /**
     * The summed (not averaged) cross-entropy {@code -Σ_{p∈V} log softmax(z_p)[y_p]} of {@code
     * logits} (N, C, H, W) against prepared targets of the same N, H and W; dividing by {@code
     * t.count()} gives {@link #crossEntropy}.
     */
    public static NDArray crossEntropySum(NDArray logits, Targets t) {
        long[] ls = logits.getShape().getShape();
        long[] ys = t.weight().getShape().getShape();
        if (ls.length != 4 || ls[0] != ys[0] || ls[2] != ys[1] || ls[3] != ys[2]) {
            throw new IllegalArgumentException(
                    "crossEntropy: logits "
                            + logits.getShape()
                            + " do not match labels "
                            + t.weight().getShape());
        }
        NDArray picked = logits.logSoftmax(1).gather(t.index(), 1).squeeze(1);
        return picked.mul(t.weight()).sum().neg();
    }
}
