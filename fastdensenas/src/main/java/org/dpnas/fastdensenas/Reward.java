package org.dpnas.fastdensenas;

import org.dpnas.eval.seg.SegMetrics;

/**
 * The FastDenseNAS reward (Nekrasov et al., CVPR 2019, §4): the geometric mean of mean IoU, mean
 * class accuracy and frequency-weighted IoU, measured on a held-out part of the training set.
 */
public final class Reward {

    private Reward() {}

    /**
     * {@code (mIoU · meanAcc · fwIoU)^(1/3)}, each in [0, 1].
     *
     * @throws IllegalArgumentException when a term is NaN (no valid pixel) or outside [0, 1]
     */
    public static double of(double mIoU, double meanClassAccuracy, double fwIoU) {
        for (double v : new double[] {mIoU, meanClassAccuracy, fwIoU}) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException(
                        "reward terms must be in [0, 1], got mIoU "
                                + mIoU
                                + ", mean class accuracy "
                                + meanClassAccuracy
                                + ", fwIoU "
                                + fwIoU);
            }
        }
        return Math.cbrt(mIoU * meanClassAccuracy * fwIoU);
    }

    /** The reward of a held-out evaluation. */
    public static double of(SegMetrics m) {
        return of(m.mIoU(), m.meanClassAccuracy(), m.fwIoU());
    }
}
