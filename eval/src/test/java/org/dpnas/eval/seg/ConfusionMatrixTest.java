package org.dpnas.eval.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    /*
     * The shared 3-class case. Pixels (gt -> pred):
     *   gt 0: 0 0 0 1   gt 1: 0 1 1 2   gt 2: 2 2
     * so, rows = gt, cols = pred:
     *         p0 p1 p2 | gt_c
     *   g0 [   3  1  0 ] 4
     *   g1 [   1  2  1 ] 4
     *   g2 [   0  0  2 ] 2
     *  pred_c  4  3  3   total 10
     */
    static final int[] GT3 = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2};
    static final int[] PRED3 = {0, 0, 0, 1, 0, 1, 1, 2, 2, 2};
    static final long[][] COUNTS3 = {{3, 1, 0}, {1, 2, 1}, {0, 0, 2}};

    @Test
    void countsRowsAreGroundTruthColumnsArePrediction() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(GT3, PRED3);
        assertArrayEquals(COUNTS3, cm.counts());
        assertEquals(10, cm.total());
        // asymmetric entry pins the orientation: one gt-0 pixel predicted 1 ([0][1] = 1) and
        // one gt-1 pixel predicted 2 ([1][2] = 1), but no gt-2 pixel predicted 1 ([2][1] = 0)
        assertEquals(1, cm.counts()[1][2]);
        assertEquals(0, cm.counts()[2][1]);
    }

    @Test
    void computeUsesTheAccumulatedCounts() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(GT3, PRED3);
        // mIoU of COUNTS3 = (3/5 + 2/5 + 2/3) / 3 = 5/9, see SegMetricsTest
        assertEquals(5.0 / 9.0, cm.compute().mIoU(), 1e-12);
        assertEquals(SegMetrics.fromCounts(COUNTS3), cm.compute());
    }

    @Test
    void ignoredGroundTruthNeverCountsWhateverThePrediction() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        // 4 ignored pixels predicted 0, 1, 2 and even out-of-range 255 / -7: none counts
        int[] gt = {255, 255, 255, 255, 255, 1};
        int[] pred = {0, 1, 2, 255, -7, 1};
        cm.update(gt, pred);
        // only the last pixel (gt 1 -> pred 1) counts
        assertArrayEquals(new long[][] {{0, 0, 0}, {0, 1, 0}, {0, 0, 0}}, cm.counts());
        assertEquals(1, cm.total());
    }

    @Test
    void customIgnoreIndex() {
        ConfusionMatrix cm = new ConfusionMatrix(2, -1);
        cm.update(new int[] {-1, 0, 1}, new int[] {1, 0, 0});
        // -1 skipped; g0->p0, g1->p0
        assertArrayEquals(new long[][] {{1, 0}, {1, 0}}, cm.counts());
        // with ignore -1, the label 255 is an error for C = 2
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new int[] {255}, new int[] {0}));
        assertTrue(e.getMessage().contains("255"), e.getMessage());
    }

    @Test
    void mergeEqualsUpdatingWithConcatenatedArrays() {
        int[] gtA = {0, 1, 2, 255};
        int[] predA = {0, 2, 2, 1};
        int[] gtB = {2, 2, 0, 1, 1};
        int[] predB = {1, 2, 0, 1, 0};
        ConfusionMatrix a = new ConfusionMatrix(3);
        a.update(gtA, predA);
        ConfusionMatrix b = new ConfusionMatrix(3);
        b.update(gtB, predB);
        a.merge(b);

        ConfusionMatrix whole = new ConfusionMatrix(3);
        whole.update(
                new int[] {0, 1, 2, 255, 2, 2, 0, 1, 1}, new int[] {0, 2, 2, 1, 1, 2, 0, 1, 0});
        assertArrayEquals(whole.counts(), a.counts());
        // by hand: A gives g0p0, g1p2, g2p2 (255 skipped); B gives g2p1, g2p2, g0p0, g1p1, g1p0
        assertArrayEquals(new long[][] {{2, 0, 0}, {1, 1, 1}, {0, 1, 2}}, a.counts());
        // the merged-in matrix is unchanged
        assertArrayEquals(new long[][] {{1, 0, 0}, {1, 1, 0}, {0, 1, 1}}, b.counts());
    }

    @Test
    void mergeRejectsIncompatibleMatrices() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        assertThrows(IllegalArgumentException.class, () -> cm.merge(new ConfusionMatrix(4)));
        assertThrows(IllegalArgumentException.class, () -> cm.merge(new ConfusionMatrix(3, -1)));
    }

    @Test
    void bytePathReadsUnsigned() {
        ConfusionMatrix cm = new ConfusionMatrix(201);
        // (byte) 200 is -56 signed; it must count as class 200. (byte) 255 is the ignore label.
        byte[] gt = {(byte) 200, (byte) 255, 0, (byte) 200};
        byte[] pred = {(byte) 200, (byte) 3, (byte) 200, 0};
        cm.update(gt, pred);
        long[][] c = cm.counts();
        assertEquals(1, c[200][200]); // pixel 0
        assertEquals(1, c[0][200]); // pixel 2
        assertEquals(1, c[200][0]); // pixel 3
        assertEquals(3, cm.total()); // pixel 1 ignored
    }

    @Test
    void bytePathRejectsOutOfRangeIds() {
        ConfusionMatrix cm = new ConfusionMatrix(201);
        IllegalArgumentException gtErr =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new byte[] {0, (byte) 201}, new byte[] {0, 0}));
        assertTrue(gtErr.getMessage().contains("201"), gtErr.getMessage());
        assertTrue(gtErr.getMessage().contains("position 1"), gtErr.getMessage());
        IllegalArgumentException predErr =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new byte[] {0, 0}, new byte[] {0, (byte) 230}));
        assertTrue(predErr.getMessage().contains("230"), predErr.getMessage());
        assertEquals(0, cm.total());
    }

    @Test
    void ndArrayPathEqualsIntPath() {
        // (N, H, W) = (2, 2, 3); the 3-class data plus two ignored (255) pixels
        int[] gt = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 255, 255};
        int[] pred = {0, 0, 0, 1, 0, 1, 1, 2, 2, 2, 0, 2};
        ConfusionMatrix expected = new ConfusionMatrix(3);
        expected.update(gt, pred);
        assertArrayEquals(COUNTS3, expected.counts());

        byte[] gtBytes = new byte[gt.length];
        byte[] predBytes = new byte[pred.length];
        for (int i = 0; i < gt.length; i++) {
            gtBytes[i] = (byte) gt[i];
            predBytes[i] = (byte) pred[i];
        }
        Shape shape = new Shape(2, 2, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            // uint8: 255 must stay 255 (ignored), not become -1
            NDArray gtU8 = m.create(ByteBuffer.wrap(gtBytes), shape, DataType.UINT8);
            NDArray predU8 = m.create(ByteBuffer.wrap(predBytes), shape, DataType.UINT8);
            ConfusionMatrix fromU8 = new ConfusionMatrix(3);
            fromU8.update(gtU8, predU8);
            assertArrayEquals(expected.counts(), fromU8.counts());

            // int64 gt with int32 pred (mixed integer dtypes are fine)
            NDArray gtI64 = m.create(gt, shape).toType(DataType.INT64, false);
            NDArray predI32 = m.create(pred, shape);
            ConfusionMatrix mixed = new ConfusionMatrix(3);
            mixed.update(gtI64, predI32);
            assertArrayEquals(expected.counts(), mixed.counts());
        }
    }

    @Test
    void ndArrayPathRejectsBadInput() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new int[] {0, 1, 2, 0}, new Shape(2, 2));
            NDArray b = m.create(new int[] {0, 1, 2, 0}, new Shape(4));
            IllegalArgumentException shapeErr =
                    assertThrows(IllegalArgumentException.class, () -> cm.update(a, b));
            assertTrue(shapeErr.getMessage().contains("(2, 2)"), shapeErr.getMessage());
            assertTrue(shapeErr.getMessage().contains("(4)"), shapeErr.getMessage());

            NDArray f = m.create(new float[] {0, 1, 2, 0}, new Shape(2, 2));
            assertThrows(IllegalArgumentException.class, () -> cm.update(a, f));

            // gt 7 at flat position 3 = index [1, 1] of shape (2, 2)
            NDArray bad = m.create(new int[] {0, 1, 2, 7}, new Shape(2, 2));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> cm.update(bad, a));
            assertTrue(e.getMessage().contains("7"), e.getMessage());
            assertTrue(e.getMessage().contains("[1, 1]"), e.getMessage());
        }
        assertEquals(0, cm.total());
    }

    @Test
    void rejectsOutOfRangeGroundTruthNamingValueAndPosition() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new int[] {0, 1, 7, 2}, new int[] {0, 1, 2, 2}));
        assertTrue(e.getMessage().contains("ground-truth id 7"), e.getMessage());
        assertTrue(e.getMessage().contains("position 2"), e.getMessage());
        IllegalArgumentException neg =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new int[] {-3}, new int[] {0}));
        assertTrue(neg.getMessage().contains("-3"), neg.getMessage());
        // validation precedes counting: the valid pixels before the bad one were not counted
        assertEquals(0, cm.total());
    }

    @Test
    void rejectsOutOfRangePrediction() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        IllegalArgumentException high =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new int[] {0, 1}, new int[] {0, 3}));
        assertTrue(high.getMessage().contains("predicted id 3"), high.getMessage());
        assertTrue(high.getMessage().contains("position 1"), high.getMessage());
        IllegalArgumentException neg =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new int[] {0}, new int[] {-1}));
        assertTrue(neg.getMessage().contains("-1"), neg.getMessage());
        assertEquals(0, cm.total());
    }

    @Test
    void rejectsLengthMismatchWithBothLengths() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> cm.update(new int[] {0, 1, 2}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("3"), e.getMessage());
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        IllegalArgumentException b =
                assertThrows(
                        IllegalArgumentException.class, () -> cm.update(new byte[5], new byte[4]));
        assertTrue(b.getMessage().contains("5") && b.getMessage().contains("4"), b.getMessage());
    }

    @Test
    void rejectsBadConstructorArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
        // ignore index 1 would be a real class for C = 3
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(3, 1));
        // 255 is fine as a default up to C = 255 but collides at C = 256
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(256));
    }

    @Test
    void resetForgetsEverything() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(GT3, PRED3);
        assertEquals(10, cm.total());
        cm.reset();
        assertEquals(0, cm.total());
        assertArrayEquals(new long[3][3], cm.counts());
        // empty matrix: every metric undefined
        assertTrue(Double.isNaN(cm.compute().mIoU()));
        assertTrue(Double.isNaN(cm.compute().pixelAccuracy()));
        // and it accumulates afresh: one pixel g2 -> p2
        cm.update(new int[] {2}, new int[] {2});
        assertArrayEquals(new long[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, 1}}, cm.counts());
    }

    @Test
    void countsReturnsACopy() {
        ConfusionMatrix cm = new ConfusionMatrix(2);
        cm.update(new int[] {0}, new int[] {0});
        cm.counts()[0][0] = 99;
        assertEquals(1, cm.counts()[0][0]);
    }
}
