package org.dpnas.eval.det;

import static org.dpnas.eval.det.Coco.box;
import static org.dpnas.eval.det.Coco.crowd;
import static org.dpnas.eval.det.Coco.det;
import static org.dpnas.eval.det.Coco.eval;
import static org.dpnas.eval.det.Coco.gt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-worked cases, one per pycocotools rule. Notation: R is the score-ordered list of non-ignored
 * detections (TP/FP), npig the number of non-ignored ground truths; precision is {@code tp / (tp +
 * fp + 2^-52)}, so a "1" is 1 − 2.2e-16 and values are compared to 1e-12.
 */
class CocoEvaluatorTest {

    private static final double TOL = 1e-12;

    @Test
    void crowdAbsorbsAnyNumberOfDetections() {
        // gt: A [0,0,10,10] (area 100, small), crowd C [100,100,50,50].
        // d2 [100,100,10,10] .9 and d3 [120,120,10,10] .8 lie inside C: IoU = inter/area(d)
        // = 100/100 = 1, so both match C (a crowd may be taken again) and are ignored.
        // d1 on A (.7): A is visited first (non-ignored first) -> TP, then the scan stops.
        // R = [TP], npig = 1 -> precision 1 at every recall threshold: AP = AR100 = 1.
        // (If C could absorb only one detection, d3 would be an FP ahead of d1: AP = 0.5.)
        // AR1 keeps only the top detection per image, d2, which is ignored: recall 0.
        CocoGroundTruth g =
                gt(
                        List.of(1L),
                        List.of(box(1, 1, 1, 0, 0, 10, 10), crowd(2, 1, 1, 100, 100, 50, 50)),
                        1);
        CocoStats s =
                eval(
                        g,
                        det(1, 1, 100, 100, 10, 10, 0.9),
                        det(1, 1, 120, 120, 10, 10, 0.8),
                        det(1, 1, 0, 0, 10, 10, 0.7));
        assertEquals(1.0, s.get("AP"), TOL);
        assertEquals(1.0, s.get("AR100"), TOL);
        assertEquals(1.0, s.get("AR10"), TOL);
        assertEquals(0.0, s.get("AR1"), TOL);
        // A (area 100) is small; medium and large have no non-ignored gt (C is a crowd): -1.
        assertEquals(1.0, s.get("APs"), TOL);
        assertEquals(-1.0, s.get("APm"));
        assertEquals(-1.0, s.get("APl"));
    }

    @Test
    void crowdIouIsIntersectionOverDetectionArea() {
        // crowd C [0,0,100,100], A [200,200,10,10]; d1 [50,0,100,50] .9, d2 on A .5.
        // d1 ∩ C = 50 x 50 = 2500, area(d1) = 5000 -> crowd IoU 0.5 (union rule: 2500/12500 =
        // 0.2; over the gt area: 0.25).
        // t = .50: d1 matches C -> ignored; R = [TP] -> precision 1 at all 101 thresholds.
        // t >= .55: d1 unmatched, area 5000 inside "all" -> FP; R = [FP, TP]: rc = [0, 1],
        // pr = [0, .5] -> monotone [.5, .5] -> precision .5 everywhere.
        // AP = (1 + 9 * .5) / 10 = .55, AP50 = 1, AP75 = .5, AR100 = 1.
        CocoGroundTruth g =
                gt(
                        List.of(1L),
                        List.of(crowd(1, 1, 1, 0, 0, 100, 100), box(2, 1, 1, 200, 200, 10, 10)),
                        1);
        CocoStats s = eval(g, det(1, 1, 50, 0, 100, 50, 0.9), det(1, 1, 200, 200, 10, 10, 0.5));
        assertEquals(0.55, s.get("AP"), TOL);
        assertEquals(1.0, s.get("AP50"), TOL);
        assertEquals(0.5, s.get("AP75"), TOL);
        assertEquals(1.0, s.get("AR100"), TOL);
    }

    @Test
    void nonCrowdMatchIsPreferredOverBetterCrowdMatch() {
        // crowd C [0,0,20,20] listed first, A [0,0,10,12] second; d1 [0,0,10,10] .9, d2 = d1 .8.
        // IoU(d1, C) = 100/100 = 1 (crowd), IoU(d1, A) = 100/120 = .833.
        // gts are visited non-ignored first: A, then C; once d1 holds A it stops at C.
        // t in .50..0.80 (7 thresholds): d1 -> A, TP; d2: A taken, C absorbs it -> ignored.
        //   R = [TP], npig 1 -> precision 1 everywhere, recall 1.
        // t in .85, .90, .95: .833 < t, d1 and d2 -> C, ignored; R empty -> precision 0,
        //   recall 0.
        // AP = 7/10 = .7, AR100 = .7, AP50 = AP75 = 1. (Best-IoU matching would send d1 to C at
        // every t: AP = 0.)
        CocoGroundTruth g =
                gt(
                        List.of(1L),
                        List.of(crowd(1, 1, 1, 0, 0, 20, 20), box(2, 1, 1, 0, 0, 10, 12)),
                        1);
        CocoStats s = eval(g, det(1, 1, 0, 0, 10, 10, 0.9), det(1, 1, 0, 0, 10, 10, 0.8));
        assertEquals(0.7, s.get("AP"), TOL);
        assertEquals(1.0, s.get("AP50"), TOL);
        assertEquals(1.0, s.get("AP75"), TOL);
        assertEquals(0.7, s.get("AR100"), TOL);
    }

    @Test
    void areaRangesUseTheAreaFieldForGtAndBoxAreaForDetections() {
        // gt box [0,0,10,10] (w*h = 100, small) with area field 2000 (medium).
        // d4 [300,300,5,5] .99 (box area 25), d3 [400,400,40,40] .95 (1600), d1 on the gt .9.
        // all:    R = [FP, FP, TP], npig 1: pr = [0, 0, 1/3] -> monotone 1/3 -> AP = 1/3.
        // medium: gt counts (2000 in [1024, 9216]); d4 unmatched with area 25 outside -> ignored;
        //         R = [FP(d3), TP(d1)] -> precision .5 -> APm = .5, ARm = 1.
        // small:  gt ignored (2000 > 1024) -> npig 0 -> APs = ARs = -1; large likewise -1.
        // (With w*h for the gt: APs = .5, APm = -1.) AR1: top detection d4 is an FP -> 0.
        CocoGroundTruth g =
                gt(
                        List.of(1L),
                        List.of(new CocoGroundTruth.Annotation(1, 1, 1, 0, 0, 10, 10, 2000, false)),
                        1);
        CocoStats s =
                eval(
                        g,
                        det(1, 1, 300, 300, 5, 5, 0.99),
                        det(1, 1, 400, 400, 40, 40, 0.95),
                        det(1, 1, 0, 0, 10, 10, 0.9));
        assertEquals(1.0 / 3, s.get("AP"), TOL);
        assertEquals(0.5, s.get("APm"), TOL);
        assertEquals(1.0, s.get("ARm"), TOL);
        assertEquals(-1.0, s.get("APs"));
        assertEquals(-1.0, s.get("ARs"));
        assertEquals(-1.0, s.get("APl"));
        assertEquals(-1.0, s.get("ARl"));
        assertEquals(0.0, s.get("AR1"), TOL);
        assertEquals(1.0, s.get("AR10"), TOL);
    }

    @Test
    void maxDetsCutsPerImageByScore() {
        // image 1: gts A, B with exact detections (.9, .8); image 2: gt C with exact det (.7).
        // AR1 keeps the top detection of each image: 2 TPs of npig 3 -> 2/3 (a global top-1
        // would give 1/3). AR10 = AR100 = 1, AP = 1.
        CocoGroundTruth g =
                gt(
                        List.of(1L, 2L),
                        List.of(
                                box(1, 1, 1, 0, 0, 10, 10),
                                box(2, 1, 1, 50, 50, 10, 10),
                                box(3, 2, 1, 0, 0, 10, 10)),
                        1);
        CocoStats s =
                eval(
                        g,
                        det(1, 1, 0, 0, 10, 10, 0.9),
                        det(1, 1, 50, 50, 10, 10, 0.8),
                        det(2, 1, 0, 0, 10, 10, 0.7));
        assertEquals(2.0 / 3, s.get("AR1"), TOL);
        assertEquals(1.0, s.get("AR10"), TOL);
        assertEquals(1.0, s.get("AR100"), TOL);
        assertEquals(1.0, s.get("AP"), TOL);
    }

    @Test
    void onlyTheHundredBestDetectionsPerImageAndCategoryCount() {
        // 100 FPs scored .9 then the exact TP scored .5: the TP is the 101st and is dropped.
        // R = 100 FPs -> recall 0, precision 0 -> AP = AR100 = 0 (without the cut: AR100 = 1).
        CocoGroundTruth g = gt(List.of(1L), List.of(box(1, 1, 1, 0, 0, 10, 10)), 1);
        List<CocoDetections.Detection> dets = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            dets.add(det(1, 1, 300, 300, 10, 10, 0.9));
        }
        dets.add(det(1, 1, 0, 0, 10, 10, 0.5));
        CocoStats s = CocoEvaluator.evaluate(g, CocoDetections.of(g, dets), 1);
        assertEquals(0.0, s.get("AR100"), TOL);
        assertEquals(0.0, s.get("AP"), TOL);
    }

    @Test
    void categoryWithoutGtIsMinusOneAndLeftOutOfTheMean() {
        // categories 1, 2, 3. cat 1: one gt, one exact detection -> AP 1.
        // cat 2: a detection but no gt -> npig 0 -> -1; cat 3: nothing -> -1.
        // cat 7 is not a gt category: its detection is dropped.
        // mean over entries > -1: AP = 1 (not 1/2 or 1/3).
        CocoGroundTruth g = gt(List.of(1L), List.of(box(1, 1, 1, 0, 0, 10, 10)), 1, 2, 3);
        CocoDetections d =
                CocoDetections.of(
                        g,
                        List.of(
                                det(1, 1, 0, 0, 10, 10, 0.9),
                                det(1, 2, 50, 50, 10, 10, 0.8),
                                det(1, 7, 0, 0, 10, 10, 0.99)));
        assertEquals(2, d.size());
        assertEquals(3, d.total());
        CocoStats s = CocoEvaluator.evaluate(g, d, 1);
        assertEquals(1.0, s.get("AP"), TOL);
        assertEquals(1.0, s.get("AR100"), TOL);
        assertEquals(
                Map.of("c1", 1.0, "c2", -1.0, "c3", -1.0).keySet(), s.perCategoryAP().keySet());
        assertEquals(1.0, s.perCategoryAP().get("c1"), TOL);
        assertEquals(-1.0, s.perCategoryAP().get("c2"));
        assertEquals(-1.0, s.perCategoryAP().get("c3"));
    }

    @Test
    void noGtAtAllGivesMinusOneEverywhere() {
        // no annotations: every precision/recall entry is -1, every mean -1.
        CocoGroundTruth g = gt(List.of(1L), List.of(), 1);
        CocoStats s = eval(g, det(1, 1, 0, 0, 10, 10, 0.9));
        double[] minusOnes = new double[12];
        java.util.Arrays.fill(minusOnes, -1);
        assertArrayEquals(minusOnes, s.stats());
    }

    @Test
    void detectionOnImageWithoutGtOfItsCategoryIsFalsePositive() {
        // gt only on image 1; detection .9 on image 2 (same category), exact TP .8 on image 1.
        // R = [FP, TP] -> precision .5 at every threshold: AP = .5 (1 if image 2 were skipped).
        CocoGroundTruth g = gt(List.of(1L, 2L), List.of(box(1, 1, 1, 0, 0, 10, 10)), 1);
        CocoStats s = eval(g, det(2, 1, 0, 0, 10, 10, 0.9), det(1, 1, 0, 0, 10, 10, 0.8));
        assertEquals(0.5, s.get("AP"), TOL);
        assertEquals(1.0, s.get("AR100"), TOL);
    }

    @Test
    void hundredOnePointInterpolationOnTinyCurve() {
        // 3 gts; R = [TP, FP, TP, FP] (scores .9 .8 .7 .6).
        // tp = [1,1,2,2], fp = [0,1,1,2]: rc = [1/3, 1/3, 2/3, 2/3], pr = [1, 1/2, 2/3, 1/2]
        // monotone from the right: [1, 2/3, 2/3, 1/2].
        // r = 0.00..0.33 (34 thresholds): first rc >= r is index 0 -> 1
        // r = 0.34..0.66 (33 thresholds): index 2 -> 2/3
        // r = 0.67..1.00: past the last recall -> 0
        // AP = (34 + 33 * 2/3) / 101 = 56/101 at every IoU; AR = 2/3.
        CocoGroundTruth g =
                gt(
                        List.of(1L),
                        List.of(
                                box(1, 1, 1, 0, 0, 10, 10),
                                box(2, 1, 1, 20, 0, 10, 10),
                                box(3, 1, 1, 40, 0, 10, 10)),
                        1);
        CocoStats s =
                eval(
                        g,
                        det(1, 1, 0, 0, 10, 10, 0.9),
                        det(1, 1, 100, 100, 10, 10, 0.8),
                        det(1, 1, 20, 0, 10, 10, 0.7),
                        det(1, 1, 200, 200, 10, 10, 0.6));
        assertEquals(56.0 / 101, s.get("AP"), TOL);
        assertEquals(56.0 / 101, s.get("AP50"), TOL);
        assertEquals(2.0 / 3, s.get("AR100"), TOL);
    }

    @Test
    void recallThresholdsCarryNumpyLinspaceRounding() {
        // 20 gts, 7 exact detections: recall reaches 7/20 = 0.35 with precision 1.
        // np.linspace(0, 1, 101)[35] = 0.35000000000000003 > 0.35, so thresholds 0..34 are
        // reached: AP = 35/101 (with exact r/100 thresholds it would be 36/101).
        List<CocoGroundTruth.Annotation> anns = new ArrayList<>();
        List<CocoDetections.Detection> dets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            anns.add(box(i + 1, 1, 1, 30 * i, 0, 10, 10));
            if (i < 7) {
                dets.add(det(1, 1, 30 * i, 0, 10, 10, 0.9 - 0.1 * i));
            }
        }
        CocoGroundTruth g = gt(List.of(1L), anns, 1);
        CocoStats s = CocoEvaluator.evaluate(g, CocoDetections.of(g, dets), 1);
        assertEquals(35.0 / 101, s.get("AP"), TOL);
        assertEquals(0.35, s.get("AR100"), TOL);
        assertEquals(0.05, s.get("AR1"), TOL);
    }

    @Test
    void thresholdsAreNumpyLinspace() {
        // values printed by numpy 2.4 for np.linspace(.5, .95, 10) and np.linspace(0, 1, 101)
        assertEquals(0.8999999999999999, CocoEvaluator.IOU_THRS[8]);
        assertEquals(0.75, CocoEvaluator.IOU_THRS[5]);
        assertEquals(0.95, CocoEvaluator.IOU_THRS[9]);
        assertEquals(0.35000000000000003, CocoEvaluator.REC_THRS[35]);
        assertEquals(0.5700000000000001, CocoEvaluator.REC_THRS[57]);
        assertEquals(0.3, CocoEvaluator.REC_THRS[30]);
        assertEquals(1.0, CocoEvaluator.REC_THRS[100]);
    }

    @Test
    void scoreTiesKeepInputOrderWithinAnImage() {
        // one gt; an FP and the exact TP both scored .5. Stable order keeps input order:
        // FP listed first -> R = [FP, TP] -> AP .5; TP listed first -> R = [TP, FP] -> AP 1
        // (rc = [1, 1], pr = [1, .5] -> monotone [1, .5], every threshold reads index 0).
        CocoGroundTruth g = gt(List.of(1L), List.of(box(1, 1, 1, 0, 0, 10, 10)), 1);
        CocoDetections.Detection fp = det(1, 1, 100, 100, 10, 10, 0.5);
        CocoDetections.Detection tp = det(1, 1, 0, 0, 10, 10, 0.5);
        assertEquals(0.5, eval(g, fp, tp).get("AP"), TOL);
        assertEquals(1.0, eval(g, tp, fp).get("AP"), TOL);
    }

    @Test
    void scoreTiesAcrossImagesFollowSortedImageIds() {
        // images listed as [5, 2]; image 2 has the gt and a TP (.5), image 5 an FP (.5) listed
        // first. Accumulation concatenates images in sorted id order (2, then 5) before the
        // stable sort: R = [TP, FP] -> AP 1 (input order would give .5).
        CocoGroundTruth g = gt(List.of(5L, 2L), List.of(box(1, 2, 1, 0, 0, 10, 10)), 1);
        CocoStats s = eval(g, det(5, 1, 0, 0, 10, 10, 0.5), det(2, 1, 0, 0, 10, 10, 0.5));
        assertEquals(1.0, s.get("AP"), TOL);
    }

    @Test
    void equalIouGoesToTheLaterGtAndGtIdZeroCountsAsUnmatched() {
        // identical gts A (id 5) and B (id 0); two exact detections .9, .8.
        // d1: IoU 1 with A, then 1 with B, not below the best -> B (later wins). pycocotools
        // stores B's id 0 as the match, and 0 reads as "unmatched": d1 is an FP.
        // d2: A is free -> TP. R = [FP, TP], npig 2: rc = [0, .5], pr = [0, .5] -> monotone .5;
        // thresholds 0.00..0.50 (51) read .5 -> AP = 25.5/101; AR = .5.
        CocoGroundTruth g =
                gt(List.of(1L), List.of(box(5, 1, 1, 0, 0, 10, 10), box(0, 1, 1, 0, 0, 10, 10)), 1);
        CocoStats s = eval(g, det(1, 1, 0, 0, 10, 10, 0.9), det(1, 1, 0, 0, 10, 10, 0.8));
        assertEquals(25.5 / 101, s.get("AP"), TOL);
        assertEquals(0.5, s.get("AR100"), TOL);
    }

    @Test
    void pairwiseSummationMatchesNumpy() {
        // [1e16, 1 x 8]: numpy pairs ((a0+a1)+(a2+a3))+((a4+a5)+(a6+a7)) = 1e16+6, then + a8:
        // 1e16+7 is a tie between 1e16+6 and 1e16+8 and rounds to even, 1e16+8
        // (np.sum gives 1.0000000000000008e16); a left-to-right sum loses every 1: 1e16.
        double[] a = {1e16, 1, 1, 1, 1, 1, 1, 1, 1};
        assertEquals(1.0000000000000008e16, CocoEvaluator.pairwiseSum(a, 0, a.length));
    }

    @Test
    void stableSortKeepsEqualKeysInOrder() {
        // keys by index: 0:.5 1:.9 2:.5 3:.9 ... (40 items, so the merge path runs):
        // descending, ties by index -> all .9 (odd indices ascending), then .5 (even ascending)
        int n = 40;
        double[] key = new double[n];
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            key[i] = i % 2 == 1 ? 0.9 : 0.5;
            idx[i] = i;
        }
        CocoEvaluator.stableSortDescending(idx, 0, n, key, new int[n]);
        int[] expected = new int[n];
        for (int i = 0; i < n / 2; i++) {
            expected[i] = 2 * i + 1;
            expected[n / 2 + i] = 2 * i;
        }
        assertArrayEquals(expected, idx);
    }
}
