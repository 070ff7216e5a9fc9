package org.dpnas.nasfpn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.data.Box;
import org.dpnas.datasets.det.DetSample;

/**
 * A padded detection batch: images normalised with the ImageNet mean and standard deviation, placed
 * at the top-left of a {@code height × width} canvas (the largest image of the batch rounded up to
 * a multiple of {@code divisor}) whose padding is zero after normalisation, with every image's
 * boxes unchanged (padding at the bottom-right does not move them).
 *
 * @param pixels (B, 3, height, width) values, flattened
 * @param height padded height
 * @param width padded width
 * @param boxes per image its boxes
 * @param sizes per image its (height, width) before padding
 */
public record DetBatch(
        float[] pixels, int height, int width, List<List<Box>> boxes, int[][] sizes) {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    /**
     * Pads and normalises samples.
     *
     * @param samples the images (at least one)
     * @param divisor the padded sides are multiples of this (128 keeps P3–P7 aligned)
     * @return the batch
     */
    public static DetBatch of(List<DetSample> samples, int divisor) {
        if (samples.isEmpty() || divisor < 1) {
            throw new IllegalArgumentException("a batch needs samples and a divisor >= 1");
        }
        int h = 0;
        int w = 0;
        for (DetSample s : samples) {
            h = Math.max(h, s.height());
            w = Math.max(w, s.width());
        }
        h = (h + divisor - 1) / divisor * divisor;
        w = (w + divisor - 1) / divisor * divisor;
        int b = samples.size();
        float[] px = new float[b * 3 * h * w];
        List<List<Box>> boxes = new ArrayList<>();
        int[][] sizes = new int[b][];
        for (int i = 0; i < b; i++) {
            DetSample s = samples.get(i);
            byte[] rgb = s.rgb();
            for (int c = 0; c < 3; c++) {
                int base = (i * 3 + c) * h * w;
                for (int y = 0; y < s.height(); y++) {
                    for (int x = 0; x < s.width(); x++) {
                        float v = (rgb[(y * s.width() + x) * 3 + c] & 0xff) / 255f;
                        px[base + y * w + x] = (v - MEAN[c]) / STD[c];
                    }
                }
            }
            boxes.add(s.boxes());
            sizes[i] = new int[] {s.height(), s.width()};
        }
        return new DetBatch(px, h, w, boxes, sizes);
    }

    /** The images as an array of {@code m}. */
    public NDArray images(NDManager m) {
        return m.create(px(), new Shape(boxes.size(), 3, height, width));
    }

    private float[] px() {
        return pixels;
    }
}
