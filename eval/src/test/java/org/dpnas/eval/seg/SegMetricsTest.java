package org.dpnas.eval.seg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SegMetricsTest {

    private static final double EPS = 1e-12;

    /*
     * Hand-computed 3-class case (ConfusionMatrixTest.GT3 / PRED3), rows = gt, cols = pred:
     *         p0 p1 p2 | gt_c  TP  FP = pred_c - TP  FN = gt_c - TP
     *   g0 [   3  1  0 ] 4     3   4 - 3 = 1          4 - 3 = 1
     *   g1 [   1  2  1 ] 4     2   3 - 2 = 1          4 - 2 = 2
     *   g2 [   0  0  2 ] 2     2   3 - 2 = 1          2 - 2 = 0
     *  pred_c  4  3  3   total 10
     * IoU_0 = 3 / (3+1+1) = 3/5 = 0.6
     * IoU_1 = 2 / (2+1+2) = 2/5 = 0.4
     * IoU_2 = 2 / (2+1+0) = 2/3
     * mIoU  = (3/5 + 2/5 + 2/3) / 3 = (1 + 2/3) / 3 = 5/9 = 0.5556
     * pixAcc = (3+2+2) / 10 = 0.7
     * acc_c = TP / gt_c = 3/4, 2/4, 2/2 -> mAcc = (0.75 + 0.5 + 1) / 3 = 0.75
     * fwIoU = 4/10 * 3/5 + 4/10 * 2/5 + 2/10 * 2/3 = 6/25 + 4/25 + 2/15 = 6/15 + 2/15 = 8/15
     */
    private static SegMetrics threeClass() {
        return SegMetrics.fromCounts(ConfusionMatrixTest.COUNTS3);
    }

    @Test
    void handComputedThreeClassCase() {
        SegMetrics m = threeClass();
        assertArrayEquals(new double[] {0.6, 0.4, 2.0 / 3.0}, m.perClassIoU(), EPS);
        assertArrayEquals(new double[] {0.75, 0.5, 1.0}, m.perClassAccuracy(), EPS);
        assertEquals(5.0 / 9.0, m.mIoU(), EPS);
        assertEquals(0.7, m.pixelAccuracy(), EPS);
        assertEquals(0.75, m.meanClassAccuracy(), EPS);
        assertEquals(8.0 / 15.0, m.fwIoU(), EPS);
    }

    @Test
    void ignoredPixelsWithAnyPredictionDoNotChangeTheMetrics() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(ConfusionMatrixTest.GT3, ConfusionMatrixTest.PRED3);
        // six ignored pixels, predicted as each class: if they counted, e.g. pixAcc would drop
        // below 7/10 since gt 255 never matches a prediction
        cm.update(new int[] {255, 255, 255, 255, 255, 255}, new int[] {0, 1, 2, 0, 1, 2});
        assertEquals(threeClass(), cm.compute());
        assertEquals(0.7, cm.compute().pixelAccuracy(), EPS);
    }

    @Test
    void classAbsentFromBothIsNaNAndExcludedFromMeans() {
        /*
         * gt = [0, 0, 1], pred = [0, 1, 1], C = 3:
         *   g0 [1 1 0]  g1 [0 1 0]  g2 [0 0 0]
         * IoU_0 = 1 / (1 + 1 + 0) = 1/2 (FN: the gt-0 pixel predicted 1)
         * IoU_1 = 1 / (1 + 1 + 0) = 1/2 (FP: that same pixel)
         * IoU_2 = 0/0 = NaN -> mIoU = (1/2 + 1/2) / 2 = 0.5, not (1/2 + 1/2 + 0) / 3 = 1/3
         * acc = 1/2, 1/1, NaN -> mAcc = 0.75
         */
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(new int[] {0, 0, 1}, new int[] {0, 1, 1});
        SegMetrics m = cm.compute();
        assertTrue(Double.isNaN(m.perClassIoU()[2]));
        assertTrue(Double.isNaN(m.perClassAccuracy()[2]));
        assertEquals(0.5, m.mIoU(), EPS);
        assertEquals(0.75, m.meanClassAccuracy(), EPS);
        // pixAcc = 2/3; fwIoU = 2/3 * 1/2 + 1/3 * 1/2 = 1/2
        assertEquals(2.0 / 3.0, m.pixelAccuracy(), EPS);
        assertEquals(0.5, m.fwIoU(), EPS);
    }

    @Test
    void classPredictedButAbsentFromGroundTruthScoresZeroAndCounts() {
        /*
         * gt = [0, 0, 1, 1], pred = [0, 2, 1, 1], C = 3:
         *   g0 [1 0 1]  g1 [0 2 0]  g2 [0 0 0]   pred_c = 1, 2, 1
         * IoU_0 = 1 / (1 + 1) = 1/2, IoU_1 = 2 / 2 = 1, IoU_2 = 0 / (0 + 1 FP) = 0
         * mIoU = (1/2 + 1 + 0) / 3 = 0.5 (it would be 0.75 if class 2 were skipped)
         * acc = 1/2, 1, NaN (no gt pixel of class 2) -> mAcc = 0.75
         * fwIoU = 2/4 * 1/2 + 2/4 * 1 = 0.75 (class 2 has freq 0)
         */
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(new int[] {0, 0, 1, 1}, new int[] {0, 2, 1, 1});
        SegMetrics m = cm.compute();
        assertArrayEquals(new double[] {0.5, 1.0, 0.0}, m.perClassIoU(), EPS);
        assertEquals(0.5, m.mIoU(), EPS);
        assertTrue(Double.isNaN(m.perClassAccuracy()[2]));
        assertEquals(0.75, m.meanClassAccuracy(), EPS);
        assertEquals(0.75, m.pixelAccuracy(), EPS);
        assertEquals(0.75, m.fwIoU(), EPS);
    }

    @Test
    void frequencyWeightedIoUWeighsByGroundTruthFrequency() {
        /*
         * gt = [0, 0, 0, 1], pred = [0, 0, 0, 0], C = 2:
         *   g0 [3 0]  g1 [1 0]   pred_c = 4, 0
         * IoU_0 = 3 / (3 + 1 FP) = 3/4, IoU_1 = 0 / (0 + 1 FN) = 0
         * freq = 3/4, 1/4 -> fwIoU = 3/4 * 3/4 + 1/4 * 0 = 9/16 = 0.5625
         * while mIoU = (3/4 + 0) / 2 = 0.375
         */
        ConfusionMatrix cm = new ConfusionMatrix(2);
        cm.update(new int[] {0, 0, 0, 1}, new int[] {0, 0, 0, 0});
        SegMetrics m = cm.compute();
        assertEquals(0.5625, m.fwIoU(), EPS);
        assertEquals(0.375, m.mIoU(), EPS);
    }

    @Test
    void allNaNWhenNothingWasCounted() {
        SegMetrics m = SegMetrics.fromCounts(new long[2][2]);
        assertTrue(Double.isNaN(m.mIoU()));
        assertTrue(Double.isNaN(m.pixelAccuracy()));
        assertTrue(Double.isNaN(m.meanClassAccuracy()));
        assertTrue(Double.isNaN(m.fwIoU()));
        assertEquals("mIoU n/a | pixAcc n/a | mAcc n/a | fwIoU n/a", m.toString());
    }

    @Test
    void fromCountsRejectsMalformedMatrices() {
        assertThrows(IllegalArgumentException.class, () -> SegMetrics.fromCounts(new long[0][0]));
        assertThrows(
                IllegalArgumentException.class,
                () -> SegMetrics.fromCounts(new long[][] {{1, 0}, {0}}));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SegMetrics.fromCounts(new long[][] {{1, 0}, {-4, 1}}));
        assertTrue(e.getMessage().contains("-4"), e.getMessage());
    }

    @Test
    void jsonHasExactlyTheDocumentedKeysAndNaNBecomesNull() {
        // class 2 absent from gt and prediction: gt = [0, 1], pred = [0, 0]
        // g0 [1 0 0], g1 [1 0 0] -> IoU = 1/2, 0/(0+1) = 0, NaN; mIoU = 1/4; pixAcc = 1/2
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(new int[] {0, 1}, new int[] {0, 0});
        SegMetrics m = cm.compute();

        JsonObject plain = m.toJson(null);
        assertEquals(
                Set.of("mIoU", "per_class_iou", "pixel_accuracy", "mean_class_accuracy", "fw_iou"),
                plain.keySet());
        assertEquals(0.25, plain.get("mIoU").getAsDouble(), EPS);
        assertEquals(0.5, plain.get("pixel_accuracy").getAsDouble(), EPS);
        JsonArray iou = plain.getAsJsonArray("per_class_iou");
        assertEquals(3, iou.size());
        assertEquals(0.5, iou.get(0).getAsDouble(), EPS);
        assertEquals(0.0, iou.get(1).getAsDouble(), EPS);
        assertTrue(iou.get(2).isJsonNull());
        // the default Gson writer rejects NaN, so serialising proves there is none left
        String text = new Gson().toJson(plain);
        assertTrue(text.contains("[0.5,0.0,null]"), text);

        JsonObject named = m.toJson(List.of("road", "car", "sky"));
        assertEquals(
                Set.of(
                        "mIoU",
                        "per_class_iou",
                        "pixel_accuracy",
                        "mean_class_accuracy",
                        "fw_iou",
                        "per_class_acc",
                        "class_names"),
                named.keySet());
        assertEquals("car", named.getAsJsonArray("class_names").get(1).getAsString());
        // acc = 1/1, 0/1, NaN
        JsonArray acc = named.getAsJsonArray("per_class_acc");
        assertEquals(1.0, acc.get(0).getAsDouble(), EPS);
        assertEquals(0.0, acc.get(1).getAsDouble(), EPS);
        assertTrue(acc.get(2).isJsonNull());

        assertThrows(IllegalArgumentException.class, () -> m.toJson(List.of("road", "car")));
    }

    @Test
    void scalarNaNBecomesJsonNull() {
        JsonObject o = SegMetrics.fromCounts(new long[2][2]).toJson(null);
        assertTrue(o.get("mIoU").isJsonNull());
        assertTrue(o.get("pixel_accuracy").isJsonNull());
        assertTrue(o.get("mean_class_accuracy").isJsonNull());
        assertTrue(o.get("fw_iou").isJsonNull());
    }

    @Test
    void toStringShowsPercentagesWithTwoDecimals() {
        // 5/9 = 55.555..% -> 55.56; 0.7 -> 70.00; 0.75 -> 75.00; 8/15 = 53.333..% -> 53.33
        assertEquals(
                "mIoU 55.56 | pixAcc 70.00 | mAcc 75.00 | fwIoU 53.33", threeClass().toString());
    }

    @Test
    void tableHasOneLinePerClassWithNotAvailableForNaN() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(new int[] {0, 1}, new int[] {0, 0});
        // IoU % = 50.00, 0.00, n/a; acc % = 100.00, 0.00, n/a
        String table = cm.compute().table(List.of("road", "car", "sky"));
        String[] lines = table.split("\n");
        assertEquals(5, lines.length, table); // header + 3 classes + summary
        assertEquals(List.of("class", "IoU", "%", "acc", "%"), List.of(lines[0].split("\\s+")));
        assertEquals(List.of("road", "50.00", "100.00"), List.of(lines[1].trim().split("\\s+")));
        assertEquals(List.of("car", "0.00", "0.00"), List.of(lines[2].trim().split("\\s+")));
        assertEquals(List.of("sky", "n/a", "n/a"), List.of(lines[3].trim().split("\\s+")));
        assertEquals(cm.compute().toString(), lines[4]);

        String unnamed = cm.compute().table(null);
        assertTrue(unnamed.split("\n")[3].startsWith("2 "), unnamed);
        assertThrows(IllegalArgumentException.class, () -> cm.compute().table(List.of("road")));
    }

    @Test
    void recordCopiesArraysAndComparesByValue() {
        double[] iou = {0.5, Double.NaN};
        SegMetrics a = new SegMetrics(iou, new double[] {1, Double.NaN}, 0.5, 1, 1, 0.5);
        iou[0] = 0.9;
        assertEquals(0.5, a.perClassIoU()[0], EPS);
        a.perClassIoU()[0] = 0.9;
        assertEquals(0.5, a.perClassIoU()[0], EPS);
        SegMetrics b =
                new SegMetrics(
                        new double[] {0.5, Double.NaN},
                        new double[] {1, Double.NaN},
                        0.5,
                        1,
                        1,
                        0.5);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(threeClass()));
        assertThrows(
                IllegalArgumentException.class,
                () -> new SegMetrics(new double[2], new double[3], 0, 0, 0, 0));
    }
}
