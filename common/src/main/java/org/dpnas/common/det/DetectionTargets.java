package org.dpnas.common.det;

import java.util.List;
import org.dpnas.common.data.Box;

/**
 * The training targets of one image: per anchor a class label (a class index for a positive, {@link
 * AnchorMatcher#NEGATIVE} or {@link AnchorMatcher#IGNORED}) and, for positives, the encoded box
 * deltas.
 *
 * @param labels per anchor label
 * @param deltas per anchor encoded box, flattened rows of 4 (zero for non-positives)
 * @param positives number of positive anchors
 */
public record DetectionTargets(int[] labels, float[] deltas, int positives) {

    /**
     * Builds the targets of one image.
     *
     * @param anchors anchor corners, flattened rows of 4
     * @param boxes ground-truth boxes
     * @param matcher the anchor matcher
     * @param coder the box coder
     * @return the targets
     */
    public static DetectionTargets of(
            float[] anchors, List<Box> boxes, AnchorMatcher matcher, BoxCoder coder) {
        int[] match = matcher.match(anchors, boxes);
        int[] labels = new int[match.length];
        float[] deltas = new float[anchors.length];
        int pos = 0;
        for (int a = 0; a < match.length; a++) {
            if (match[a] >= 0) {
                Box b = boxes.get(match[a]);
                labels[a] = b.classId();
                coder.encode(anchors, a, b.x1(), b.y1(), b.x2(), b.y2(), deltas, 4 * a);
                pos++;
            } else {
                labels[a] = match[a];
            }
        }
        return new DetectionTargets(labels, deltas, pos);
    }
}
