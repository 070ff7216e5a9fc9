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
        NDArray y = labels.toType(DataType.INT64, false);
        NDArray valid = y.neq(constants.scalar(ignoreIndex, DataType.INT64));
        NDArray safe = y.mul(valid.toType(DataType.INT64, false));
        NDArray logp = logits.logSoftmax(1);
        NDArray picked = logp.gather(safe.expandDims(1), 1).squeeze(1);
        NDArray weight = valid.toType(DataType.FLOAT32, false);
        NDArray count = weight.sum().maximum(constants.scalar(1f));
        return picked.mul(weight).sum().neg().div(count);
    }
}
