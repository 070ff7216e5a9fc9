package org.dpnas.datasets.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dpnas.common.data.Box;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.train.Seeds;
import org.dpnas.datasets.det.DetSample;

/**
 * Random training augmentation applied jointly to an image and its label map or boxes: scale by a
 * factor drawn uniformly from {@code [scaleMin, scaleMax]}, crop to {@code cropH x cropW} at a
 * random position (where the scaled image is smaller, it is placed at a random position and the
 * rest is padding: label {@link SegSample#IGNORE}, image {@code fill}), horizontal flip with
 * probability 0.5, and brightness / contrast / saturation factors drawn from {@code [1 - jitter, 1
 * + jitter]}.
 *
 * <p>The parameters for sample {@code index} in {@code epoch} come from a {@link SplittableRandom}
 * seeded with {@code Seeds.mix(seed, "augment", epoch, index)} and always consume the same draws,
 * so the augmented sample is a pure function of (seed, epoch, index, sample) and a resumed run sees
 * the same data. Images are resampled bilinearly, labels with nearest neighbour. Instances are
 * immutable and thread-safe.
 */
public final class JointAugment {

    /**
     * The drawn parameters of one sample.
     *
     * @param scale the scale factor
     * @param geometry where output pixels come from
     * @param brightness brightness factor (1 = unchanged)
     * @param contrast contrast factor
     * @param saturation saturation factor
     */
    public record Params(
            double scale, Geometry geometry, float brightness, float contrast, float saturation) {}

    private final long seed;
    private final double scaleMin;
    private final double scaleMax;
    private final int cropH;
    private final int cropW;
    private final boolean flip;
    private final double jitter;
    private final int[] fill;
    private final Resampler resampler;

    /**
     * Creates an augmentation.
     *
     * @param seed the run's seed
     * @param scaleMin smallest scale factor, {@code > 0}
     * @param scaleMax largest scale factor, {@code >= scaleMin}
     * @param cropH crop height, or 0 for no crop (the output is the scaled image)
     * @param cropW crop width, or 0 for no crop
     * @param flip whether to flip horizontally with probability 0.5
     * @param jitter photometric strength in {@code [0, 1)}, 0 for none
     * @param fill RGB of the image padding (usually the dataset mean colour), each 0..255
     * @param resampler the image resampler
     * @throws IllegalArgumentException for values out of range
     */
    public JointAugment(
            long seed,
            double scaleMin,
            double scaleMax,
            int cropH,
            int cropW,
            boolean flip,
            double jitter,
            int[] fill,
            Resampler resampler) {
        if (!(scaleMin > 0) || !(scaleMax >= scaleMin) || !Double.isFinite(scaleMax)) {
            throw new IllegalArgumentException(
                    "scale range must satisfy 0 < min <= max, got ["
                            + scaleMin
                            + ", "
                            + scaleMax
                            + "]");
        }
        if (cropH < 0 || cropW < 0 || (cropH == 0) != (cropW == 0)) {
            throw new IllegalArgumentException(
                    "crop must be two positive sizes or none, got " + cropH + "x" + cropW);
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1), got " + jitter);
        }
        if (fill.length != 3) {
            throw new IllegalArgumentException("fill needs 3 values (RGB)");
        }
        for (int v : fill) {
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("fill values must be 0..255, got " + v);
            }
        }
        this.seed = seed;
        this.scaleMin = scaleMin;
        this.scaleMax = scaleMax;
        this.cropH = cropH;
        this.cropW = cropW;
        this.flip = flip;
        this.jitter = jitter;
        this.fill = fill.clone();
        this.resampler = resampler;
    }

    /** The mean colour {@code mean} (RGB, 0–1) as bytes, the usual padding colour. */
    public static int[] fillOf(float[] mean) {
        if (mean.length != 3) {
            throw new IllegalArgumentException("mean needs 3 values (RGB)");
        }
        int[] out = new int[3];
        for (int c = 0; c < 3; c++) {
            out[c] = Math.max(0, Math.min(255, Math.round(mean[c] * 255f)));
        }
        return out;
    }

    /** The crop height, 0 for none. */
    public int cropH() {
        return cropH;
    }

    /** The crop width, 0 for none. */
    public int cropW() {
        return cropW;
    }

    /** Whether every output has the same size (a crop is set). */
    public boolean fixedSize() {
        return cropH > 0;
    }

    /** Draws the parameters of sample {@code index} of size {@code h x w} in {@code epoch}. */
    public Params params(long epoch, int index, int h, int w) {
        SplittableRandom r = new SplittableRandom(Seeds.mix(seed, "augment", epoch, index));
        double s = scaleMin + (scaleMax - scaleMin) * r.nextDouble();
        double uy = r.nextDouble();
        double ux = r.nextDouble();
        boolean f = r.nextBoolean();
        float b = factor(r.nextDouble());
        float c = factor(r.nextDouble());
        float sat = factor(r.nextDouble());
        int sh = Math.max(1, (int) Math.round(h * s));
        int sw = Math.max(1, (int) Math.round(w * s));
        int oh = cropH > 0 ? cropH : sh;
        int ow = cropW > 0 ? cropW : sw;
        Geometry g =
                new Geometry(
                        h, w, sh, sw, oh, ow, offset(uy, sh, oh), offset(ux, sw, ow), flip && f);
        return new Params(s, g, b, c, sat);
    }

    private float factor(double u) {
        return (float) (1 + jitter * (2 * u - 1));
    }

    /** A crop offset (scaled larger than output) or a negative placement (smaller). */
    private static int offset(double u, int scaled, int out) {
        int range = Math.abs(scaled - out);
        int k = Math.min(range, (int) (u * (range + 1)));
        return scaled >= out ? k : -k;
    }

    /** Augments a segmentation sample as seen at {@code index} in {@code epoch}. */
    public SegSample apply(SegSample s, long epoch, int index) {
        Params p = params(epoch, index, s.height(), s.width());
        Geometry g = p.geometry();
        byte[] rgb = image(s.rgb(), p);
        byte[] label = resampler.label(s.label(), g, SegSample.IGNORE);
        return new SegSample(s.id(), g.outH(), g.outW(), rgb, label);
    }

    /**
     * Augments a detection sample; boxes (and ignore regions) follow the image and are clipped to
     * the output, and those left without area are dropped.
     */
    public DetSample apply(DetSample s, long epoch, int index) {
        Params p = params(epoch, index, s.height(), s.width());
        Geometry g = p.geometry();
        byte[] rgb = image(s.rgb(), p);
        return new DetSample(
                s.id(), g.outH(), g.outW(), rgb, boxes(s.boxes(), g), boxes(s.ignoreRegions(), g));
    }

    private byte[] image(byte[] src, Params p) {
        Geometry g = p.geometry();
        byte[] rgb = resampler.image(src, g, fill);
        if (jitter > 0) {
            Photometric.apply(
                    rgb,
                    g.outW(),
                    g.validY0(),
                    g.validY1(),
                    g.validX0(),
                    g.validX1(),
                    p.brightness(),
                    p.contrast(),
                    p.saturation());
        }
        return rgb;
    }

    /** Maps boxes through {@code g}, clipping to the output and dropping empty ones. */
    public static List<Box> boxes(List<Box> in, Geometry g) {
        List<Box> out = new ArrayList<>(in.size());
        for (Box b : in) {
            float xa = g.mapX(b.x1());
            float xb = g.mapX(b.x2());
            float x1 = Math.max(0f, Math.min(xa, xb));
            float x2 = Math.min(g.outW(), Math.max(xa, xb));
            float y1 = Math.max(0f, g.mapY(b.y1()));
            float y2 = Math.min(g.outH(), g.mapY(b.y2()));
            if (x2 > x1 && y2 > y1) {
                out.add(new Box(x1, y1, x2, y2, b.classId()));
            }
        }
        return out;
    }
}
