package org.dpnas.common.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.ParameterList;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;

/**
 * A dilated convolution at stride 1 whose outer taps can only meet padding, run without them. A 3×3
 * kernel at rate 12 on a 4×4 map reads real pixels only through its centre tap, so it is a 1×1
 * convolution with that tap; a 5×5 kernel at rate 6 on an 8×8 map is a 3×3 one at rate 6. The
 * weight is sliced to the live taps and the padding shrunk to match, which drops exactly the zero
 * terms of the sum (the dead taps' gradient is zero either way). Such convolutions are common in
 * the searched decoders (FastDenseNAS' rate-12 and rate-6 ops on stride-16 and stride-32 maps), and
 * on small maps the padded kernel costs several times the live one. Cost models still count the
 * declared kernel's multiply-adds.
 */
public final class LiveTaps {

    private LiveTaps() {}

    /**
     * Runs {@code conv} on {@code x} with only its live taps when it is a square, odd, unbiased
     * kernel at stride 1 with padding {@code dilation·(kernel−1)/2}; as declared otherwise. The
     * kernel, stride, dilation, padding and groups are the block's own.
     *
     * @param ps the parameter store
     * @param conv the convolution block (its weight is used)
     * @param x the input, NCHW
     * @param training whether gradients are recorded
     * @return the output, the same as {@code conv.forward}'s
     */
    public static NDArray conv2d(ParameterStore ps, Conv2d conv, NDArray x, boolean training) {
        Shape k = conv.getKernelShape();
        int kernel = (int) k.get(0);
        int half = (kernel - 1) / 2;
        int dilation = (int) conv.getDilation().get(0);
        boolean square =
                k.get(1) == kernel
                        && conv.getDilation().get(1) == dilation
                        && conv.getPadding().get(0) == (long) dilation * half
                        && conv.getPadding().get(1) == (long) dilation * half;
        boolean unitStride = conv.getStride().get(0) == 1 && conv.getStride().get(1) == 1;
        if (square && unitStride && kernel % 2 == 1 && half > 0) {
            Shape s = x.getShape();
            int rh = radius(half, dilation, s.get(2));
            int rw = radius(half, dilation, s.get(3));
            ParameterList p = conv.getParameters();
            if ((rh < half || rw < half) && p.get("bias") == null) {
                NDArray w = ps.getValue(p.get("weight"), x.getDevice(), training);
                NDArray live =
                        w.get(
                                ":, :, {}:{}, {}:{}",
                                half - rh,
                                half + rh + 1,
                                half - rw,
                                half + rw + 1);
                live.attach(x.getManager()); // a step's array, not the weight manager's
                int d = rh == 0 && rw == 0 ? 1 : dilation;
                return Conv2d.conv2d(
                                x,
                                live,
                                null,
                                new Shape(1, 1),
                                new Shape((long) rh * dilation, (long) rw * dilation),
                                new Shape(d, d),
                                conv.getGroups())
                        .head();
            }
        }
        return conv.forward(ps, new NDList(x), training).head();
    }

    /** The largest tap offset, in taps, that meets a map of {@code size} along one axis. */
    static int radius(int half, int dilation, long size) {
        return (int) Math.min(half, (size - 1) / dilation);
    }
}
