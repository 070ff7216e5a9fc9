package org.dpnas.datasets.augment;

/**
 * Colour jitter on interleaved RGB bytes, restricted to a rectangle (the image part of a padded
 * crop, so the padding keeps its colour): brightness scales every channel, contrast blends with the
 * rectangle's mean luma, saturation blends each pixel with its own luma; each factor is 1 for no
 * change. Results are rounded and clamped to 0..255.
 */
public final class Photometric {

    private Photometric() {}

    /**
     * Applies the jitter in place.
     *
     * @param rgb pixels, {@code height * width * 3} bytes
     * @param width image width
     * @param y0 first row of the rectangle
     * @param y1 one past its last row
     * @param x0 first column
     * @param x1 one past its last column
     * @param brightness channel multiplier
     * @param contrast contrast factor around the mean luma
     * @param saturation saturation factor around each pixel's luma
     */
    public static void apply(
            byte[] rgb,
            int width,
            int y0,
            int y1,
            int x0,
            int x1,
            float brightness,
            float contrast,
            float saturation) {
        if (y1 <= y0 || x1 <= x0) {
            return;
        }
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int p = (y * width + x0) * 3, e = (y * width + x1) * 3; p < e; p += 3) {
                sum += luma(rgb[p] & 0xff, rgb[p + 1] & 0xff, rgb[p + 2] & 0xff);
            }
        }
        float mean = (float) (brightness * sum / ((long) (y1 - y0) * (x1 - x0)));
        for (int y = y0; y < y1; y++) {
            for (int p = (y * width + x0) * 3, e = (y * width + x1) * 3; p < e; p += 3) {
                float r = (rgb[p] & 0xff) * brightness;
                float g = (rgb[p + 1] & 0xff) * brightness;
                float b = (rgb[p + 2] & 0xff) * brightness;
                r = (r - mean) * contrast + mean;
                g = (g - mean) * contrast + mean;
                b = (b - mean) * contrast + mean;
                float l = luma(r, g, b);
                rgb[p] = clamp((r - l) * saturation + l);
                rgb[p + 1] = clamp((g - l) * saturation + l);
                rgb[p + 2] = clamp((b - l) * saturation + l);
            }
        }
    }

    private static float luma(float r, float g, float b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }

    private static byte clamp(float v) {
        int i = Math.round(v);
        return (byte) (i < 0 ? 0 : Math.min(255, i));
    }
}
