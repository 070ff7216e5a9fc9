package org.dpnas.common.det;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * RetinaNet's inference post-processing (Lin et al., ICCV 2017, section 4): per pyramid level keep
 * at most {@code topK} (anchor, class) pairs whose probability exceeds {@code scoreThreshold},
 * decode their boxes and clip them to the image, merge the levels, run non-maximum suppression
 * separately for every class at {@code nmsIou}, and keep the {@code maxDetections} best.
 */
public final class DetectionDecoder {

    private final float scoreThreshold;
    private final int topK;
    private final float nmsIou;
    private final int maxDetections;
    private final BoxCoder coder;

    /**
     * Creates a decoder.
     *
     * @param scoreThreshold minimum probability (RetinaNet: 0.05)
     * @param topK candidates kept per level (RetinaNet: 1000)
     * @param nmsIou suppression IoU (RetinaNet: 0.5)
     * @param maxDetections detections kept per image (COCO: 100)
     * @param coder the box coder the head was trained with
     */
    public DetectionDecoder(
            float scoreThreshold, int topK, float nmsIou, int maxDetections, BoxCoder coder) {
        if (!(scoreThreshold >= 0 && scoreThreshold < 1)
                || topK < 1
                || !(nmsIou > 0 && nmsIou <= 1)
                || maxDetections < 1) {
            throw new IllegalArgumentException(
                    "decoder needs 0 <= score threshold < 1, top-k >= 1, 0 < NMS IoU <= 1 and"
                            + " max detections >= 1");
        }
        this.scoreThreshold = scoreThreshold;
        this.topK = topK;
        this.nmsIou = nmsIou;
        this.maxDetections = maxDetections;
        this.coder = coder;
    }

    /** RetinaNet's settings: 0.05, 1000, 0.5, 100. */
    public static DetectionDecoder retinaNet() {
        return new DetectionDecoder(0.05f, 1000, 0.5f, 100, new BoxCoder());
    }

    /**
     * Decodes one image.
     *
     * @param probs class probabilities, N rows of K
     * @param deltas box deltas, N rows of 4
     * @param anchors anchor corners, N rows of 4
     * @param levelCounts anchors per level, summing to N
     * @param numClasses K
     * @param height image height for clipping
     * @param width image width for clipping
     * @return detections, best first
     */
    public List<Detection> decode(
            float[] probs,
            float[] deltas,
            float[] anchors,
            int[] levelCounts,
            int numClasses,
            int height,
            int width) {
        int n = anchors.length / 4;
        if (probs.length != n * numClasses || deltas.length != n * 4) {
            throw new IllegalArgumentException(
                    "decoder inputs disagree: "
                            + n
                            + " anchors, "
                            + probs.length
                            + " scores, "
                            + deltas.length
                            + " deltas");
        }
        if (Arrays.stream(levelCounts).sum() != n) {
            throw new IllegalArgumentException("level counts do not sum to the anchor count");
        }
        List<Detection> candidates = new ArrayList<>();
        float[] box = new float[4];
        int start = 0;
        for (int count : levelCounts) {
            List<int[]> level = new ArrayList<>();
            for (int i = start * numClasses; i < (start + count) * numClasses; i++) {
                if (probs[i] > scoreThreshold) {
                    level.add(new int[] {i});
                }
            }
            level.sort(
                    Comparator.comparingDouble((int[] e) -> -probs[e[0]])
                            .thenComparingInt(e -> e[0]));
            for (int j = 0; j < Math.min(topK, level.size()); j++) {
                int i = level.get(j)[0];
                int a = i / numClasses;
                coder.decode(anchors, a, deltas, a, box, 0);
                float x1 = clamp(box[0], width);
                float y1 = clamp(box[1], height);
                float x2 = clamp(box[2], width);
                float y2 = clamp(box[3], height);
                if (x2 > x1 && y2 > y1) {
                    candidates.add(new Detection(x1, y1, x2, y2, probs[i], i % numClasses));
                }
            }
            start += count;
        }
        return nms(candidates, nmsIou, maxDetections);
    }

    /**
     * Class-wise greedy non-maximum suppression: within one class a box is dropped when its IoU
     * with a kept, higher-scoring box exceeds {@code iou}.
     *
     * @param detections candidates in any order
     * @param iou suppression threshold
     * @param max detections kept
     * @return kept detections, best first (ties by input order)
     */
    public static List<Detection> nms(List<Detection> detections, float iou, int max) {
        List<Detection> sorted = new ArrayList<>(detections);
        sorted.sort(Comparator.comparingDouble((Detection d) -> -d.score()));
        List<Detection> kept = new ArrayList<>();
        for (Detection d : sorted) {
            boolean keep = true;
            for (Detection k : kept) {
                if (k.classId() == d.classId()
                        && AnchorMatcher.iou(
                                        k.x1(), k.y1(), k.x2(), k.y2(), d.x1(), d.y1(), d.x2(),
                                        d.y2())
                                > iou) {
                    keep = false;
                    break;
                }
            }
            if (keep) {
                kept.add(d);
                if (kept.size() == max) {
                    break;
                }
            }
        }
        return kept;
    }

    private static float clamp(float v, int hi) {
        return Math.max(0f, Math.min(v, hi));
    }
}
