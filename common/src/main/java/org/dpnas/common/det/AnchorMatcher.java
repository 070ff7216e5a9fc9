package org.dpnas.common.det;

import java.util.List;
import org.dpnas.common.data.Box;

/**
 * RetinaNet's anchor assignment (Lin et al., ICCV 2017, section 4): an anchor whose best IoU with a
 * ground-truth box is at least {@code positive} takes that box; below {@code negative} it is
 * background; in between it is ignored. Then every ground-truth box keeps the anchors of its own
 * highest IoU (ties included, IoU > 0) even below the threshold, so no object goes unmatched; such
 * an anchor takes its own best box, as torchvision's {@code Matcher(allow_low_quality_matches)}.
 */
public final class AnchorMatcher {

    /** Label of a background anchor. */
    public static final int NEGATIVE = -1;

    /** Label of an anchor left out of the classification loss. */
    public static final int IGNORED = -2;

    private final float positive;
    private final float negative;

    /**
     * Creates a matcher.
     *
     * @param positive IoU at or above which an anchor is positive (RetinaNet: 0.5)
     * @param negative IoU below which an anchor is negative (RetinaNet: 0.4)
     */
    public AnchorMatcher(float positive, float negative) {
        if (!(negative > 0) || negative > positive || positive > 1) {
            throw new IllegalArgumentException(
                    "matcher thresholds need 0 < negative <= positive <= 1, got negative "
                            + negative
                            + ", positive "
                            + positive);
        }
        this.positive = positive;
        this.negative = negative;
    }

    /** RetinaNet's thresholds 0.5 / 0.4. */
    public static AnchorMatcher retinaNet() {
        return new AnchorMatcher(0.5f, 0.4f);
    }

    /**
     * Intersection over union of two corner boxes; 0 when either has no area.
     *
     * @return IoU in [0, 1]
     */
    public static float iou(
            float ax1,
            float ay1,
            float ax2,
            float ay2,
            float bx1,
            float by1,
            float bx2,
            float by2) {
        float iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        float ih = Math.min(ay2, by2) - Math.max(ay1, by1);
        if (iw <= 0 || ih <= 0) {
            return 0f;
        }
        float inter = iw * ih;
        float union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
        return union > 0 ? inter / union : 0f;
    }

    /**
     * Assigns every anchor a ground-truth index, {@link #NEGATIVE} or {@link #IGNORED}.
     *
     * @param anchors anchor corners, flattened rows of 4
     * @param boxes ground-truth boxes (may be empty: every anchor is then negative)
     * @return per anchor the matched box index or a negative label
     */
    public int[] match(float[] anchors, List<Box> boxes) {
        int n = anchors.length / 4;
        int[] match = new int[n];
        if (boxes.isEmpty()) {
            java.util.Arrays.fill(match, NEGATIVE);
            return match;
        }
        int g = boxes.size();
        float[] bestOfBox = new float[g];
        float[] bestOfAnchor = new float[n];
        int[] argOfAnchor = new int[n];
        for (int a = 0; a < n; a++) {
            float best = 0f;
            int arg = -1;
            for (int j = 0; j < g; j++) {
                Box b = boxes.get(j);
                float v = iouAt(anchors, a, b);
                if (v > best) {
                    best = v;
                    arg = j;
                }
                if (v > bestOfBox[j]) {
                    bestOfBox[j] = v;
                }
            }
            bestOfAnchor[a] = best;
            argOfAnchor[a] = arg;
            if (arg >= 0 && best >= positive) {
                match[a] = arg;
            } else if (best < negative) {
                match[a] = NEGATIVE;
            } else {
                match[a] = IGNORED;
            }
        }
        // Low-quality matches: an anchor that is the (possibly tied) best anchor of some box
        // takes its own best box, even below the positive threshold.
        for (int a = 0; a < n; a++) {
            if (bestOfAnchor[a] <= 0 || match[a] >= 0) {
                continue;
            }
            for (int j = 0; j < g; j++) {
                if (bestOfBox[j] > 0 && iouAt(anchors, a, boxes.get(j)) == bestOfBox[j]) {
                    match[a] = argOfAnchor[a];
                    break;
                }
            }
        }
        return match;
    }

    private static float iouAt(float[] anchors, int a, Box b) {
        return iou(
                anchors[4 * a],
                anchors[4 * a + 1],
                anchors[4 * a + 2],
                anchors[4 * a + 3],
                b.x1(),
                b.y1(),
                b.x2(),
                b.y2());
    }
}
