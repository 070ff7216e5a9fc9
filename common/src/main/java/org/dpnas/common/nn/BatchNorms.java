package org.dpnas.common.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;

/**
 * Batch normalisation over axis 1 (NCHW channels) as one libtorch {@code batch_norm} call. DJL's
 * {@code NDArrayEx.batchNorm} at axis 1 wraps the call in two {@code swapAxes(1, 1)}: each a
 * libtorch {@code transpose} plus a {@code TransposeBackward} node when recording, four ops that do
 * nothing. On the 4×4 maps of a FastDenseNAS cell they were a quarter of a BatchNorm's forward and
 * backward time (measured here: 315 against 238 µs per call with the fixed cost of a backward pass
 * included). The running statistics follow the same rule as DJL's: {@code momentum} is DJL's (the
 * weight of the old value), libtorch's is one minus it.
 */
public final class BatchNorms {

    /** DJL's momentum of {@code nn.BatchNorm2d}'s default (PyTorch's 0.1). */
    public static final float MOMENTUM = 0.9f;

    /** {@code nn.BatchNorm2d}'s default epsilon. */
    public static final float EPS = 1e-5f;

    private BatchNorms() {}

    /** A BatchNorm block with {@code nn.BatchNorm2d}'s defaults: eps 1e-5, momentum 0.1. */
    public static BatchNorm pytorchDefault() {
        return BatchNorm.builder().optMomentum(MOMENTUM).optEpsilon(EPS).build();
    }

    /**
     * {@link #apply(ParameterStore, BatchNorm, NDArray, float, float, boolean)} for a block made by
     * {@link #pytorchDefault()}.
     */
    public static NDArray apply(ParameterStore ps, BatchNorm bn, NDArray x, boolean training) {
        return apply(ps, bn, x, MOMENTUM, EPS, training);
    }

    /**
     * Normalises {@code x} over every axis but 1 with the block's parameters from {@code ps}
     * (training: batch statistics, running statistics updated in place; otherwise the running
     * ones).
     *
     * @param ps the parameter store (hands out the block's arrays on {@code x}'s device)
     * @param bn the BatchNorm block whose parameters are used (built with axis 1, centred, scaled)
     * @param x the input, NCHW
     * @param momentum DJL's momentum of the block (e.g. 0.9 for PyTorch's 0.1)
     * @param eps the block's epsilon
     * @param training whether to normalise with batch statistics
     * @return the normalised array
     */
    public static NDArray apply(
            ParameterStore ps,
            BatchNorm bn,
            NDArray x,
            float momentum,
            float eps,
            boolean training) {
        Device d = x.getDevice();
        ParameterList p = bn.getParameters();
        return apply(
                x,
                value(ps, p.get("runningMean"), d, training),
                value(ps, p.get("runningVar"), d, training),
                value(ps, p.get("gamma"), d, training),
                value(ps, p.get("beta"), d, training),
                momentum,
                eps,
                training);
    }

    /**
     * Normalises {@code x} over every axis but 1 with the given arrays.
     *
     * @param x the input, NCHW
     * @param runningMean running means (updated in place when training)
     * @param runningVar running variances (updated in place when training)
     * @param gamma scale
     * @param beta shift
     * @param momentum DJL's momentum (the old value's weight)
     * @param eps added to the variance
     * @param training whether to normalise with batch statistics
     * @return the normalised array
     */
    public static NDArray apply(
            NDArray x,
            NDArray runningMean,
            NDArray runningVar,
            NDArray gamma,
            NDArray beta,
            float momentum,
            float eps,
            boolean training) {
        PtNDArray px = (PtNDArray) x;
        PtNDManager m = px.getManager();
        return JniUtils.batchNorm(
                px,
                m.from(runningMean),
                m.from(runningVar),
                m.from(gamma),
                m.from(beta),
                training,
                (double) (1f - momentum),
                eps);
    }

    private static NDArray value(ParameterStore ps, Parameter p, Device d, boolean training) {
        if (p == null) {
            throw new IllegalStateException(
                    "BatchNorm block without the parameter gamma, beta, runningMean or runningVar");
        }
        return ps.getValue(p, d, training);
    }
}
