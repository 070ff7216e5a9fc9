package org.dpnas.common.det;

import java.util.Arrays;

/**
 * RetinaNet anchors (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017, section 4): on
 * pyramid level {@code l} (stride {@code 2^l}) a base size of {@code sizeFactor · 2^l} times the
 * scales {2^0, 2^(1/3), 2^(2/3)} and the aspect ratios {1:2, 1:1, 2:1}, nine anchors per location.
 *
 * <p>Layout: levels in increasing order, inside a level row-major locations {@code (y, x)}, inside
 * a location scale-major then ratio ({@code a = s · R + r}). A head's output {@code (N, A·K, H, W)}
 * permuted to {@code (N, H, W, A·K)} and reshaped to {@code (N, H·W·A, K)} is in the same order.
 * Anchor centres are at {@code ((x + 0.5)·stride, (y + 0.5)·stride)}; ratio {@code r = h / w} with
 * area kept: {@code w = size / sqrt(r)}, {@code h = size · sqrt(r)}.
 */
public final class AnchorGenerator {

    private final int minLevel;
    private final int maxLevel;
    private final float sizeFactor;
    private final float[] scales;
    private final float[] ratios;

    /**
     * Creates a generator.
     *
     * @param minLevel lowest pyramid level (3 for P3)
     * @param maxLevel highest pyramid level (7 for P7)
     * @param sizeFactor base anchor size in strides (RetinaNet: 4)
     * @param scales scale multipliers of the base size
     * @param ratios aspect ratios {@code h / w}
     */
    public AnchorGenerator(
            int minLevel, int maxLevel, float sizeFactor, float[] scales, float[] ratios) {
        if (minLevel < 0 || maxLevel < minLevel || maxLevel > 10) {
            throw new IllegalArgumentException(
                    "pyramid levels must satisfy 0 <= min <= max <= 10, got "
                            + minLevel
                            + ".."
                            + maxLevel);
        }
        if (!(sizeFactor > 0) || scales.length == 0 || ratios.length == 0) {
            throw new IllegalArgumentException("anchor size, scales and ratios must be non-empty");
        }
        for (float v : scales) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("anchor scales must be > 0: " + v);
            }
        }
        for (float v : ratios) {
            if (!(v > 0)) {
                throw new IllegalArgumentException("anchor ratios must be > 0: " + v);
            }
        }
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
        this.sizeFactor = sizeFactor;
        this.scales = scales.clone();
        this.ratios = ratios.clone();
    }

    /** RetinaNet's anchors on P3–P7: size 4 strides, 3 scales, 3 ratios. */
    public static AnchorGenerator retinaNet() {
        return new AnchorGenerator(
                3,
                7,
                4f,
                new float[] {1f, (float) Math.pow(2, 1.0 / 3), (float) Math.pow(2, 2.0 / 3)},
                new float[] {0.5f, 1f, 2f});
    }

    /** Anchors per location. */
    public int anchorsPerLocation() {
        return scales.length * ratios.length;
    }

    /** Lowest level. */
    public int minLevel() {
        return minLevel;
    }

    /** Highest level. */
    public int maxLevel() {
        return maxLevel;
    }

    /** Feature-map size of a level for an input side: {@code ceil(side / 2^level)}. */
    public static int featureSize(int side, int level) {
        int s = side;
        for (int i = 0; i < level; i++) {
            s = (s + 1) / 2;
        }
        return s;
    }

    /**
     * The number of anchors of each level for an image size, in level order.
     *
     * @param height input height
     * @param width input width
     * @return anchors per level
     */
    public int[] countsPerLevel(int height, int width) {
        int[] counts = new int[maxLevel - minLevel + 1];
        for (int l = minLevel; l <= maxLevel; l++) {
            counts[l - minLevel] =
                    featureSize(height, l) * featureSize(width, l) * anchorsPerLocation();
        }
        return counts;
    }

    /**
     * All anchors for an input size as {@code [x1, y1, x2, y2]} rows, flattened.
     *
     * @param height input height
     * @param width input width
     * @return {@code 4 · count} corners
     */
    public float[] generate(int height, int width) {
        int total = Arrays.stream(countsPerLevel(height, width)).sum();
        float[] out = new float[4 * total];
        int k = 0;
        int a = anchorsPerLocation();
        for (int l = minLevel; l <= maxLevel; l++) {
            float stride = (float) Math.pow(2, l);
            int fh = featureSize(height, l);
            int fw = featureSize(width, l);
            float[] w = new float[a];
            float[] h = new float[a];
            for (int s = 0; s < scales.length; s++) {
                for (int r = 0; r < ratios.length; r++) {
                    double size = sizeFactor * stride * scales[s];
                    double sq = Math.sqrt(ratios[r]);
                    w[s * ratios.length + r] = (float) (size / sq);
                    h[s * ratios.length + r] = (float) (size * sq);
                }
            }
            for (int y = 0; y < fh; y++) {
                for (int x = 0; x < fw; x++) {
                    float cx = (x + 0.5f) * stride;
                    float cy = (y + 0.5f) * stride;
                    for (int j = 0; j < a; j++) {
                        out[k++] = cx - w[j] / 2;
                        out[k++] = cy - h[j] / 2;
                        out[k++] = cx + w[j] / 2;
                        out[k++] = cy + h[j] / 2;
                    }
                }
            }
        }
        return out;
    }
}
