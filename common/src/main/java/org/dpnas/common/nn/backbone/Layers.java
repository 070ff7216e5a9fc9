package org.dpnas.common.nn.backbone;

import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import org.dpnas.common.nn.BatchNorms;
import org.dpnas.common.nn.ConvBnAct;

/** The two leaf layers torchvision's backbones are made of, with PyTorch's defaults. */
final class Layers {

    private Layers() {}

    /**
     * A bias-free square convolution with PyTorch's padding rule for these networks, {@code
     * dilation·(kernel−1)/2}.
     */
    static Conv2d conv(int out, int kernel, int stride, int dilation, int groups) {
        return ConvBnAct.sameConv(out, kernel, stride, dilation, groups);
    }

    /** {@code nn.BatchNorm2d} defaults: eps 1e-5, momentum 0.1 (DJL's 0.9). */
    static BatchNorm bn() {
        return BatchNorms.pytorchDefault();
    }
}
