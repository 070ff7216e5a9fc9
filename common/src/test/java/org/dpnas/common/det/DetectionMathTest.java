package org.dpnas.common.det;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.dpnas.common.data.Box;
import org.junit.jupiter.api.Test;

/** Hand values for anchors, IoU, matching, box coding, NMS and decoding. */
class DetectionMathTest {

    @Test
    void retinaNetAnchorsHaveHandCorners() {
        AnchorGenerator g = AnchorGenerator.retinaNet();
        assertEquals(9, g.anchorsPerLocation());
        // 64 px: P3 8x8, P4 4x4, P5 2x2, P6 1x1, P7 1x1
        assertArrayEquals(new int[] {576, 144, 36, 9, 9}, g.countsPerLevel(64, 64));
        float[] a = g.generate(64, 64);
        assertEquals(4 * (576 + 144 + 36 + 9 + 9), a.length);
        // first anchor: P3, centre (4, 4), size 32, ratio 1/2: w = 32·√2, h = 32/√2
        double w = 32 * Math.sqrt(2);
        double h = 32 / Math.sqrt(2);
        assertArrayEquals(
                new float[] {
                    (float) (4 - w / 2),
                    (float) (4 - h / 2),
                    (float) (4 + w / 2),
                    (float) (4 + h / 2)
                },
                java.util.Arrays.copyOfRange(a, 0, 4),
                1e-4f);
        // second anchor: ratio 1 → [-12, -12, 20, 20]
        assertArrayEquals(
                new float[] {-12, -12, 20, 20}, java.util.Arrays.copyOfRange(a, 4, 8), 1e-5f);
        // the next location (x = 1) is shifted by the stride 8
        assertArrayEquals(
                new float[] {-4, -12, 28, 20}, java.util.Arrays.copyOfRange(a, 40, 44), 1e-5f);
        // first P4 anchor: centre (8, 8), stride 16, ratio 1/2 of size 64
        int p4 = 4 * 576;
        assertEquals((float) (8 - 64 * Math.sqrt(2) / 2), a[p4], 1e-4f);
        assertThrows(
                IllegalArgumentException.class,
                () -> new AnchorGenerator(5, 3, 4, new float[] {1}, new float[] {1}));
    }

    @Test
    void iouHasHandValues() {
        assertEquals(1f / 7, AnchorMatcher.iou(0, 0, 2, 2, 1, 1, 3, 3), 1e-7f);
        assertEquals(0f, AnchorMatcher.iou(0, 0, 1, 1, 1, 0, 2, 1), 0f);
        assertEquals(0f, AnchorMatcher.iou(0, 0, 0, 5, 0, 0, 0, 5), 0f);
    }

    @Test
    void matcherAppliesThresholdsAndKeepsEveryBoxsBestAnchor() {
        float[] anchors = {
            0, 0, 10, 10, // IoU 1 → positive
            0, 0, 10, 20, // IoU 0.5 → positive (threshold inclusive)
            0, 0, 10, 22, // IoU 0.4545 → ignored
            0, 0, 10, 25.5f, // IoU 0.392 → negative
            50, 50, 60, 60, // no overlap → negative
            100, 100, 110, 110, // 1/3 with box 1: its best anchor → positive
            100, 120, 110, 130, // tied best of box 1 → positive
            100, 110, 110, 115 // 1/6 → negative
        };
        List<Box> boxes = List.of(new Box(0, 0, 10, 10, 2), new Box(100, 100, 110, 130, 0));
        int[] m = AnchorMatcher.retinaNet().match(anchors, boxes);
        assertArrayEquals(
                new int[] {
                    0,
                    0,
                    AnchorMatcher.IGNORED,
                    AnchorMatcher.NEGATIVE,
                    AnchorMatcher.NEGATIVE,
                    1,
                    1,
                    AnchorMatcher.NEGATIVE
                },
                m);
        int[] none = AnchorMatcher.retinaNet().match(anchors, List.of());
        for (int v : none) {
            assertEquals(AnchorMatcher.NEGATIVE, v);
        }
        DetectionTargets t =
                DetectionTargets.of(anchors, boxes, AnchorMatcher.retinaNet(), new BoxCoder());
        assertEquals(4, t.positives());
        assertEquals(2, t.labels()[0]);
        assertEquals(0, t.labels()[5]);
        assertEquals(AnchorMatcher.IGNORED, t.labels()[2]);
        // anchor 5 → box 1: centre (105, 115) vs (105, 105), h 30 vs 10
        assertArrayEquals(
                new float[] {0, 1, 0, (float) Math.log(3)},
                java.util.Arrays.copyOfRange(t.deltas(), 20, 24),
                1e-6f);
        assertThrows(IllegalArgumentException.class, () -> new AnchorMatcher(0.4f, 0.5f));
    }

    @Test
    void boxCodingHasHandValuesAndRoundTrips() {
        BoxCoder c = new BoxCoder();
        float[] anchor = {0, 0, 10, 10};
        float[] d = new float[4];
        c.encode(anchor, 0, 5, 5, 25, 15, d, 0);
        assertArrayEquals(new float[] {1, 0.5f, (float) Math.log(2), 0}, d, 1e-6f);
        float[] back = new float[4];
        c.decode(anchor, 0, d, 0, back, 0);
        assertArrayEquals(new float[] {5, 5, 25, 15}, back, 1e-5f);
        // weights divide on decode and multiply on encode
        BoxCoder w = new BoxCoder(new float[] {10, 10, 5, 5});
        w.encode(anchor, 0, 5, 5, 25, 15, d, 0);
        assertArrayEquals(new float[] {10, 5, (float) (5 * Math.log(2)), 0}, d, 1e-5f);
        // huge log-size change is clamped at log(1000/16)
        c.decode(anchor, 0, new float[] {0, 0, 100, 0}, 0, back, 0);
        assertEquals(5 + 5 * 1000.0 / 16, back[2], 1e-3);
    }

    @Test
    void nmsIsClassWiseAndGreedy() {
        Detection a = new Detection(0, 0, 10, 10, 0.9f, 0);
        Detection b = new Detection(1, 0, 11, 10, 0.8f, 0); // IoU 90/110 with a → dropped
        Detection c = new Detection(20, 20, 30, 30, 0.7f, 0);
        Detection d = new Detection(0, 0, 10, 10, 0.6f, 1); // other class → kept
        Detection e = new Detection(5, 0, 15, 10, 0.5f, 0); // IoU 1/3 with a → kept
        assertEquals(List.of(a, c, d, e), DetectionDecoder.nms(List.of(e, d, c, b, a), 0.5f, 100));
        assertEquals(List.of(a, c), DetectionDecoder.nms(List.of(e, d, c, b, a), 0.5f, 2));
    }

    @Test
    void decoderKeepsTopKPerLevelAboveThresholdAndClips() {
        float[] anchors = {-5, -5, 10, 10, 0, 0, 8, 8, 20, 20, 40, 40, 30, 30, 50, 50};
        float[] probs = {0.9f, 0.04f, 0.8f, 0.7f}; // K = 1
        float[] deltas = new float[16];
        DetectionDecoder dec = new DetectionDecoder(0.05f, 1, 0.5f, 100, new BoxCoder());
        List<Detection> out = dec.decode(probs, deltas, anchors, new int[] {2, 2}, 1, 45, 45);
        assertEquals(
                List.of(
                        new Detection(0, 0, 10, 10, 0.9f, 0),
                        new Detection(20, 20, 40, 40, 0.8f, 0)),
                out);
        DetectionDecoder dec2 = new DetectionDecoder(0.05f, 2, 0.5f, 100, new BoxCoder());
        // top-2 on level 2 keeps anchor 3 too, clipped at the image edge 45
        assertEquals(
                new Detection(30, 30, 45, 45, 0.7f, 0),
                dec2.decode(probs, deltas, anchors, new int[] {2, 2}, 1, 45, 45).get(2));
        assertThrows(
                IllegalArgumentException.class,
                () -> dec.decode(probs, deltas, anchors, new int[] {1, 2}, 1, 45, 45));
    }
}
