package org.dpnas.datasets.augment;

import org.dpnas.common.data.SegSample;

/**
 * Deterministic resizing and padding for evaluation: optionally resize so the short side has a
 * given length (image bilinear, labels nearest), then pad at the bottom and right to a fixed size
 * and/or to a multiple of a number, with ignore labels (255) and the fill colour. Padding never
 * changes metrics because ignored pixels never count.
 */
public final class EvalTransform {

    private final int shortSide;
    private final int padH;
    private final int padW;
    private final int multiple;
    private final int[] fill;
    private final Resampler resampler;

    /**
     * Creates a transform.
     *
     * @param shortSide resize so that {@code min(h, w)} equals this, 0 to keep the size
     * @param padH pad to this height (0: no fixed height); larger images are an error
     * @param padW pad to this width (0: no fixed width)
     * @param multiple pad height and width up to a multiple of this (1: none)
     * @param fill RGB of the padding, each 0..255
     * @param resampler the image resampler
     */
    public EvalTransform(
            int shortSide, int padH, int padW, int multiple, int[] fill, Resampler resampler) {
        if (shortSide < 0 || padH < 0 || padW < 0 || multiple < 1) {
            throw new IllegalArgumentException(
                    "eval resize needs short_side >= 0, pad_to sizes >= 0 and pad_multiple >= 1,"
                            + " got "
                            + shortSide
                            + ", "
                            + padH
                            + "x"
                            + padW
                            + ", "
                            + multiple);
        }
        this.shortSide = shortSide;
        this.padH = padH;
        this.padW = padW;
        this.multiple = multiple;
        this.fill = fill.clone();
        this.resampler = resampler;
    }

    /** Whether the transform leaves every sample unchanged. */
    public boolean isIdentity() {
        return shortSide == 0 && padH == 0 && padW == 0 && multiple == 1;
    }

    /**
     * The geometry applied to a {@code h x w} sample.
     *
     * @throws IllegalArgumentException if the (resized) sample exceeds the fixed pad size
     */
    public Geometry geometry(String id, int h, int w) {
        int sh = h;
        int sw = w;
        if (shortSide > 0) {
            double s = shortSide / (double) Math.min(h, w);
            sh = Math.max(1, (int) Math.round(h * s));
            sw = Math.max(1, (int) Math.round(w * s));
        }
        int oh = Math.max(sh, padH);
        int ow = Math.max(sw, padW);
        if ((padH > 0 && sh > padH) || (padW > 0 && sw > padW)) {
            throw new IllegalArgumentException(
                    id
                            + ": size "
                            + sh
                            + "x"
                            + sw
                            + " exceeds the evaluation pad size "
                            + padH
                            + "x"
                            + padW
                            + " (set data.eval_resize.short_side or a larger pad_to)");
        }
        oh = (oh + multiple - 1) / multiple * multiple;
        ow = (ow + multiple - 1) / multiple * multiple;
        return new Geometry(h, w, sh, sw, oh, ow, 0, 0, false);
    }

    /** Transforms one sample. */
    public SegSample apply(SegSample s) {
        if (isIdentity()) {
            return s;
        }
        Geometry g = geometry(s.id(), s.height(), s.width());
        return new SegSample(
                s.id(),
                g.outH(),
                g.outW(),
                resampler.image(s.rgb(), g, fill),
                resampler.label(s.label(), g, SegSample.IGNORE));
    }
}
