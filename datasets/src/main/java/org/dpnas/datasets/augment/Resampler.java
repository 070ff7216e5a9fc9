package org.dpnas.datasets.augment;

import java.util.Arrays;
import java.util.Locale;

/**
 * Renders a {@link Geometry}: colour images bilinearly, label maps with nearest neighbour, with a
 * fill value outside the valid rectangle. Label maps are always resampled by the same plain-Java
 * code, so both implementations give identical labels; images may differ by rounding only.
 */
public abstract class Resampler {

    /** Fixed-point bits of the bilinear weights. */
    private static final int BITS = 11;

    private static final int ONE = 1 << BITS;

    /** Plain Java, no native code. */
    public static final Resampler JAVA = new JavaResampler();

    Resampler() {}

    /**
     * Returns the implementation with the given name, {@code java} or {@code opencv}.
     *
     * @throws IllegalArgumentException for another name
     */
    public static Resampler named(String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "java":
                return JAVA;
            case "opencv":
                return OpenCvResampler.instance();
            default:
                throw new IllegalArgumentException(
                        "unknown resampler '" + name + "': expected java or opencv");
        }
    }

    /** The name accepted by {@link #named}. */
    public abstract String name();

    /**
     * Resamples interleaved RGB bytes bilinearly.
     *
     * @param rgb source pixels, {@code srcH * srcW * 3} bytes
     * @param g the geometry
     * @param fill RGB of the padding, each 0..255
     * @return {@code outH * outW * 3} bytes
     */
    public abstract byte[] image(byte[] rgb, Geometry g, int[] fill);

    /**
     * Resamples a label map with nearest neighbour.
     *
     * @param label source labels, {@code srcH * srcW} bytes
     * @param g the geometry
     * @param fill the label of the padding (255 = ignore)
     * @return {@code outH * outW} bytes
     */
    public final byte[] label(byte[] label, Geometry g, int fill) {
        byte[] out = new byte[g.outH() * g.outW()];
        Arrays.fill(out, (byte) fill);
        int y0 = g.validY0();
        int y1 = g.validY1();
        int x0 = g.validX0();
        int x1 = g.validX1();
        int[] cols = new int[x1 - x0];
        for (int x = x0; x < x1; x++) {
            cols[x - x0] = nearest(g.scaledColumn(x), g.srcW(), g.scaledW());
        }
        int srcW = g.srcW();
        int outW = g.outW();
        for (int y = y0; y < y1; y++) {
            int row = nearest(y + g.offY(), g.srcH(), g.scaledH()) * srcW;
            int o = y * outW + x0;
            for (int i = 0; i < cols.length; i++) {
                out[o + i] = label[row + cols[i]];
            }
        }
        return out;
    }

    /** The source index nearest to scaled index {@code v} (pixel-centre convention). */
    static int nearest(int v, int src, int scaled) {
        long s = ((2L * v + 1) * src) / (2L * scaled);
        return (int) Math.min(src - 1, Math.max(0, s));
    }

    /** Fills the whole output with {@code fill}. */
    static byte[] filled(Geometry g, int[] fill) {
        byte[] out = new byte[g.outH() * g.outW() * 3];
        for (int p = 0; p < out.length; p += 3) {
            out[p] = (byte) fill[0];
            out[p + 1] = (byte) fill[1];
            out[p + 2] = (byte) fill[2];
        }
        return out;
    }

    /** The bilinear implementation in plain Java, with 11-bit fixed-point weights. */
    private static final class JavaResampler extends Resampler {

        @Override
        public String name() {
            return "java";
        }

        @Override
        public byte[] image(byte[] rgb, Geometry g, int[] fill) {
            byte[] out = filled(g, fill);
            int y0 = g.validY0();
            int y1 = g.validY1();
            int x0 = g.validX0();
            int x1 = g.validX1();
            int n = x1 - x0;
            int srcW = g.srcW();
            int[] ca = new int[n];
            int[] cb = new int[n];
            int[] cw = new int[n];
            double sxScale = srcW / (double) g.scaledW();
            for (int i = 0; i < n; i++) {
                double sx = (g.scaledColumn(x0 + i) + 0.5) * sxScale - 0.5;
                sx = Math.max(0, Math.min(srcW - 1, sx));
                int a = (int) sx;
                ca[i] = a * 3;
                cb[i] = Math.min(a + 1, srcW - 1) * 3;
                cw[i] = (int) Math.round((sx - a) * ONE);
            }
            double syScale = g.srcH() / (double) g.scaledH();
            int rowBytes = srcW * 3;
            int outRow = g.outW() * 3;
            for (int y = y0; y < y1; y++) {
                double sy = (y + g.offY() + 0.5) * syScale - 0.5;
                sy = Math.max(0, Math.min(g.srcH() - 1, sy));
                int a = (int) sy;
                int ra = a * rowBytes;
                int rb = Math.min(a + 1, g.srcH() - 1) * rowBytes;
                int wy = (int) Math.round((sy - a) * ONE);
                int wy0 = ONE - wy;
                int o = y * outRow + x0 * 3;
                for (int i = 0; i < n; i++) {
                    int wx = cw[i];
                    int wx0 = ONE - wx;
                    int pa = ca[i];
                    int pb = cb[i];
                    for (int c = 0; c < 3; c++) {
                        int top = (rgb[ra + pa + c] & 0xff) * wx0 + (rgb[ra + pb + c] & 0xff) * wx;
                        int bot = (rgb[rb + pa + c] & 0xff) * wx0 + (rgb[rb + pb + c] & 0xff) * wx;
                        out[o + c] =
                                (byte) ((top * wy0 + bot * wy + (1 << (2 * BITS - 1))) >> 2 * BITS);
                    }
                    o += 3;
                }
            }
            return out;
        }
    }
}
