package org.dpnas.common.nn;

import ai.djl.ndarray.NDArray;

/** Spatial resizing of (N, C, H, W) feature maps. */
public final class Resize {

    private static final int BILINEAR = 1;

    private Resize() {}

    /**
     * Bilinear resize with PyTorch's {@code align_corners=False} semantics (exact for up-sampling;
     * DJL's down-sampling is anti-aliased, see docs/architecture.md, "DJL facts").
     */
    public static NDArray bilinear(NDArray x, long height, long width) {
        long[] s = x.getShape().getShape();
        if (s[2] == height && s[3] == width) {
            return x;
        }
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
    }
}
