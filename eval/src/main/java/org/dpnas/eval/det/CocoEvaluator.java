package org.dpnas.eval.det;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * COCO box evaluation that reproduces pycocotools' {@code COCOeval(gt, dt, "bbox")} with default
 * {@code Params} ({@code evaluate()}, {@code accumulate()}, {@code summarize()}) on primitive
 * arrays, parallel over categories.
 *
 * <p>The rules, per image and category, over the {@code maxDets[-1] = 100} highest-scoring
 * detections (stable order on descending score, as numpy's mergesort on {@code -score}):
 *
 * <ul>
 *   <li>IoU of a detection d with a box g is {@code inter / (area(d) + area(g) - inter)}, but
 *       {@code inter / area(d)} when g is a crowd box (both areas are box w×h here);
 *   <li>a ground truth is ignored in an area range when it is a crowd or its {@code area} field
 *       lies outside the closed range; ground truths are visited non-ignored first (stable);
 *   <li>at each IoU threshold t, each detection in score order takes the visited ground truth of
 *       highest IoU ≥ t (a later one on an exact tie) that is not yet taken (crowds may be taken
 *       any number of times), and stops looking once it holds a non-ignored one and reaches the
 *       ignored ones;
 *   <li>a detection matched to an ignored ground truth is ignored, and so is an unmatched one whose
 *       box area w×h lies outside the range; a detection matched to a ground truth of id 0 is
 *       treated as unmatched when counting, exactly as pycocotools' {@code dtm == 0} test does.
 * </ul>
 *
 * <p>Per category, area range and maxDets m, the first m detections of every image are pooled,
 * stable-sorted by descending score (image order, then rank, breaks ties), and turned into
 * cumulative recall {@code tp / npig} and precision {@code tp / (tp + fp + 2^-52)} over the
 * non-ignored detections; precision is made non-increasing from the right and read at the 101
 * recall thresholds with a left binary search (0 past the maximum recall). Entries for a
 * category/range without non-ignored ground truth are −1 and left out of every mean.
 */
public final class CocoEvaluator {

    /**
     * IoU thresholds as {@code np.linspace(.5, .95, 10)} builds them (0.9 is 0.8999999999999999).
     */
    static final double[] IOU_THRS = linspace(0.5, 0.95, 10);

    /** Recall thresholds as {@code np.linspace(0, 1, 101)} builds them. */
    static final double[] REC_THRS = linspace(0.0, 1.0, 101);

    /** Detections kept per image and category for each recall/precision setting. */
    static final int[] MAX_DETS = {1, 10, 100};

    /** Closed area ranges all, small, medium, large. */
    static final double[][] AREA_RNG = {{0, 1e10}, {0, 1024}, {1024, 9216}, {9216, 1e10}};

    /** Area range labels as printed by {@code summarize()}. */
    static final String[] AREA_LBL = {"all", "small", "medium", "large"};

    static final int T = IOU_THRS.length;
    static final int R = REC_THRS.length;
    static final int A = AREA_RNG.length;
    static final int M = MAX_DETS.length;

    /** {@code np.spacing(1)}. */
    private static final double EPS = Math.ulp(1.0);

    private static final byte FP = 0;
    private static final byte TP = 1;
    private static final byte IGNORED = 2;

    private CocoEvaluator() {}

    /**
     * {@code np.linspace(start, stop, num)}: {@code i * ((stop - start) / (num - 1)) + start}, the
     * last element set to {@code stop}.
     */
    static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /**
     * Evaluates with up to {@code min(4, available processors)} threads.
     *
     * @param gt the ground truth
     * @param dt detections bound to {@code gt}
     * @return the summary statistics
     */
    public static CocoStats evaluate(CocoGroundTruth gt, CocoDetections dt) {
        return evaluate(gt, dt, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Evaluates with the given number of threads (the result does not depend on it).
     *
     * @param gt the ground truth
     * @param dt detections bound to {@code gt}
     * @param threads worker threads, at least 1
     * @return the summary statistics
     * @throws IllegalArgumentException if {@code dt} was read against another ground truth
     */
    public static CocoStats evaluate(CocoGroundTruth gt, CocoDetections dt, int threads) {
        if (dt.gt != gt) {
            throw new IllegalArgumentException(
                    "the detections are bound to a different ground truth");
        }
        int k = gt.categoryIds.length;
        int nImg = gt.imageIds.length;
        int[] gStart = new int[k + 1];
        int[] gOrder = bucket(gt.annCat, gt.annImage, gt.size, k, nImg, gStart);
        int[] dStart = new int[k + 1];
        int[] dOrder = bucket(dt.cat, dt.img, dt.size, k, nImg, dStart);
        Accumulation acc = new Accumulation(k);
        AtomicInteger next = new AtomicInteger();
        Runnable worker =
                () -> {
                    Scratch s = new Scratch();
                    for (int c = next.getAndIncrement(); c < k; c = next.getAndIncrement()) {
                        evaluateCategory(c, gt, gOrder, gStart, dt, dOrder, dStart, acc, s);
                    }
                };
        int n = Math.max(1, Math.min(threads, k));
        if (n == 1) {
            worker.run();
        } else {
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    fs.add(pool.submit(worker));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during evaluation", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("evaluation failed", e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }
        return CocoStats.of(acc, gt.categoryIds, gt.categoryNames);
    }

    /**
     * Orders items by (category, image), keeping input order within a pair (two stable counting
     * sorts); {@code catStart[c]} receives where category c begins.
     */
    static int[] bucket(int[] cat, int[] img, int n, int nCat, int nImg, int[] catStart) {
        int[] cnt = new int[nImg + 1];
        for (int i = 0; i < n; i++) {
            cnt[img[i] + 1]++;
        }
        for (int i = 0; i < nImg; i++) {
            cnt[i + 1] += cnt[i];
        }
        int[] byImg = new int[n];
        for (int i = 0; i < n; i++) {
            byImg[cnt[img[i]]++] = i;
        }
        int[] cc = new int[nCat + 1];
        for (int i = 0; i < n; i++) {
            cc[cat[i] + 1]++;
        }
        for (int i = 0; i < nCat; i++) {
            cc[i + 1] += cc[i];
        }
        System.arraycopy(cc, 0, catStart, 0, nCat + 1);
        int[] out = new int[n];
        for (int j = 0; j < n; j++) {
            int i = byImg[j];
            out[cc[cat[i]]++] = i;
        }
        return out;
    }

    /** Per-thread reusable buffers. */
    private static final class Scratch {
        int[] dets = new int[128];
        int[] tmp = new int[128];
        double[] iou = new double[1024];
        boolean[] gtIg = new boolean[64];
        int[] gtOrder = new int[64];
        boolean[] taken = new boolean[64];
        double[] rc = new double[1024];
        double[] pr = new double[1024];

        void ensureGt(int g) {
            if (gtIg.length < g) {
                gtIg = new boolean[2 * g];
                gtOrder = new int[2 * g];
                taken = new boolean[2 * g];
            }
        }
    }

    private static void evaluateCategory(
            int c,
            CocoGroundTruth gt,
            int[] gOrder,
            int[] gStart,
            CocoDetections dt,
            int[] dOrder,
            int[] dStart,
            Accumulation acc,
            Scratch s) {
        int g0 = gStart[c];
        int gEnd = gStart[c + 1];
        int d0 = dStart[c];
        int dEnd = dStart[c + 1];
        int cap = dEnd - d0;
        double[] score = new double[cap];
        int[] rank = new int[cap];
        byte[] outcome = new byte[A * T * cap];
        int[] npig = new int[A];
        int base = 0;
        int maxDet = MAX_DETS[M - 1];
        while (g0 < gEnd || d0 < dEnd) {
            int image =
                    Math.min(
                            g0 < gEnd ? gt.annImage[gOrder[g0]] : Integer.MAX_VALUE,
                            d0 < dEnd ? dt.img[dOrder[d0]] : Integer.MAX_VALUE);
            int g1 = g0;
            while (g1 < gEnd && gt.annImage[gOrder[g1]] == image) {
                g1++;
            }
            int d1 = d0;
            while (d1 < dEnd && dt.img[dOrder[d1]] == image) {
                d1++;
            }
            int nd = Math.min(d1 - d0, maxDet);
            int[] dets = sortByScore(dOrder, d0, d1, dt.score, s);
            base += matchImage(gt, gOrder, g0, g1, dt, dets, nd, npig, outcome, cap, base, s);
            for (int d = 0; d < nd; d++) {
                score[base - nd + d] = dt.score[dets[d]];
                rank[base - nd + d] = d;
            }
            g0 = g1;
            d0 = d1;
        }
        int n = base;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        stableSortDescending(order, 0, n, score, new int[n]);
        if (s.rc.length < n) {
            s.rc = new double[n];
            s.pr = new double[n];
        }
        for (int a = 0; a < A; a++) {
            if (npig[a] == 0) {
                continue; // precision and recall stay -1
            }
            acc.valid[c * A + a] = true;
            for (int m = 0; m < M; m++) {
                for (int t = 0; t < T; t++) {
                    sweep(c, a, m, t, order, rank, outcome, cap, n, npig[a], acc, s);
                }
            }
        }
    }

    /** Stable-sorts the detections {@code dOrder[from..to)} by descending score into scratch. */
    private static int[] sortByScore(int[] dOrder, int from, int to, double[] key, Scratch s) {
        int n = to - from;
        if (s.dets.length < n) {
            s.dets = new int[2 * n];
            s.tmp = new int[2 * n];
        }
        System.arraycopy(dOrder, from, s.dets, 0, n);
        stableSortDescending(s.dets, 0, n, key, s.tmp);
        return s.dets;
    }

    /**
     * Matches one image's detections of one category to its ground truth for every area range and
     * IoU threshold, writing outcomes at entries {@code base..base+nd) and adding to npig.
     *
     * @return nd, the number of entries written
     */
    private static int matchImage(
            CocoGroundTruth gt,
            int[] gOrder,
            int g0,
            int g1,
            CocoDetections dt,
            int[] dets,
            int nd,
            int[] npig,
            byte[] outcome,
            int cap,
            int base,
            Scratch s) {
        int ng = g1 - g0;
        s.ensureGt(ng);
        if (s.iou.length < nd * ng) {
            s.iou = new double[2 * nd * ng];
        }
        double[] iou = s.iou;
        double[] gb = gt.box;
        double[] db = dt.box;
        for (int d = 0; d < nd; d++) {
            int di = 4 * dets[d];
            double dx = db[di];
            double dy = db[di + 1];
            double dw = db[di + 2];
            double dh = db[di + 3];
            double da = dw * dh;
            for (int g = 0; g < ng; g++) {
                int ann = gOrder[g0 + g];
                int gi = 4 * ann;
                double gx = gb[gi];
                double gy = gb[gi + 1];
                double gw = gb[gi + 2];
                double gh = gb[gi + 3];
                double v = 0;
                double w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
                if (w > 0) {
                    double h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
                    if (h > 0) {
                        double inter = w * h;
                        double u = gt.crowd[ann] ? da : da + gw * gh - inter;
                        v = inter / u;
                    }
                }
                iou[d * ng + g] = v;
            }
        }
        boolean[] ig = s.gtIg;
        int[] visit = s.gtOrder;
        boolean[] taken = s.taken;
        for (int a = 0; a < A; a++) {
            double lo = AREA_RNG[a][0];
            double hi = AREA_RNG[a][1];
            int p = 0;
            for (int g = 0; g < ng; g++) {
                int ann = gOrder[g0 + g];
                double ar = gt.area[ann];
                ig[g] = gt.crowd[ann] || ar < lo || ar > hi;
                if (!ig[g]) {
                    visit[p++] = g;
                }
            }
            npig[a] += p;
            for (int g = 0; g < ng; g++) {
                if (ig[g]) {
                    visit[p++] = g;
                }
            }
            for (int t = 0; t < T; t++) {
                double thr = Math.min(IOU_THRS[t], 1 - 1e-10);
                Arrays.fill(taken, 0, ng, false);
                int off = (a * T + t) * cap + base;
                for (int d = 0; d < nd; d++) {
                    double best = thr;
                    int m = -1;
                    int row = d * ng;
                    for (int q = 0; q < ng; q++) {
                        int g = visit[q];
                        if (taken[g] && !gt.crowd[gOrder[g0 + g]]) {
                            continue;
                        }
                        if (m > -1 && !ig[m] && ig[g]) {
                            break;
                        }
                        double v = iou[row + g];
                        if (v < best) {
                            continue;
                        }
                        best = v;
                        m = g;
                    }
                    byte o;
                    int di = 4 * dets[d];
                    double dArea = db[di + 2] * db[di + 3];
                    boolean outside = dArea < lo || dArea > hi;
                    if (m == -1) {
                        o = outside ? IGNORED : FP;
                    } else {
                        taken[m] = true;
                        boolean idNonZero = gt.annIds[gOrder[g0 + m]] != 0;
                        if (ig[m] || (!idNonZero && outside)) {
                            o = IGNORED;
                        } else {
                            o = idNonZero ? TP : FP;
                        }
                    }
                    outcome[off + d] = o;
                }
            }
        }
        return nd;
    }

    /** Precision at the recall thresholds and final recall for one (category, area, maxDets, t). */
    private static void sweep(
            int c,
            int a,
            int m,
            int t,
            int[] order,
            int[] rank,
            byte[] outcome,
            int cap,
            int n,
            int npig,
            Accumulation acc,
            Scratch s) {
        int maxDet = MAX_DETS[m];
        int off = (a * T + t) * cap;
        double[] rc = s.rc;
        double[] pr = s.pr;
        int nd = 0;
        double tp = 0;
        double fp = 0;
        for (int i = 0; i < n; i++) {
            int e = order[i];
            if (rank[e] >= maxDet) {
                continue;
            }
            byte o = outcome[off + e];
            if (o == IGNORED) {
                continue; // adds a repeat of the previous (rc, pr), which changes no reading
            }
            if (o == TP) {
                tp++;
            } else {
                fp++;
            }
            rc[nd] = tp / npig;
            pr[nd] = tp / (fp + tp + EPS);
            nd++;
        }
        int idx = acc.index(c, a, m, t);
        acc.recall[idx] = nd > 0 ? rc[nd - 1] : 0;
        for (int i = nd - 1; i > 0; i--) {
            if (pr[i] > pr[i - 1]) {
                pr[i - 1] = pr[i];
            }
        }
        if (m != M - 1) {
            return; // only maxDets = 100 precision enters the summary
        }
        int i = 0;
        for (int r = 0; r < R; r++) {
            double thr = REC_THRS[r];
            while (i < nd && rc[i] < thr) {
                i++;
            }
            if (i >= nd) {
                break; // numpy raises IndexError here; the remaining precisions stay 0
            }
            acc.precision[acc.precisionIndex(c, a, t, r)] = pr[i];
        }
    }

    /**
     * Stable sort of {@code idx[from..to)} by descending {@code key}: equal keys keep their order.
     */
    static void stableSortDescending(int[] idx, int from, int to, double[] key, int[] tmp) {
        if (to - from <= 24) {
            for (int i = from + 1; i < to; i++) {
                int v = idx[i];
                double kv = key[v];
                int j = i - 1;
                while (j >= from && key[idx[j]] < kv) {
                    idx[j + 1] = idx[j];
                    j--;
                }
                idx[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        stableSortDescending(idx, from, mid, key, tmp);
        stableSortDescending(idx, mid, to, key, tmp);
        if (key[idx[mid - 1]] >= key[idx[mid]]) {
            return;
        }
        System.arraycopy(idx, from, tmp, from, mid - from);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            // take from the right only when strictly greater, so ties keep the left (earlier) one
            if (key[idx[j]] > key[tmp[i]]) {
                idx[k++] = idx[j++];
            } else {
                idx[k++] = tmp[i++];
            }
        }
        while (i < mid) {
            idx[k++] = tmp[i++];
        }
    }

    /**
     * Accumulated {@code recall[T,K,A,M]} and {@code precision[T,R,K,A,maxDets=100]} of
     * pycocotools; {@code valid[c, a]} is false where both are −1 (no non-ignored ground truth).
     */
    static final class Accumulation {
        final int k;
        final boolean[] valid;
        final double[] recall;
        final double[] precision;

        Accumulation(int k) {
            this.k = k;
            valid = new boolean[k * A];
            recall = new double[k * A * M * T];
            precision = new double[T * R * k * A];
        }

        int index(int c, int a, int m, int t) {
            return ((c * A + a) * M + m) * T + t;
        }

        int precisionIndex(int c, int a, int t, int r) {
            return ((t * R + r) * k + c) * A + a;
        }
    }

    /**
     * numpy's pairwise summation of {@code a[lo..lo+n)} ({@code np.add.reduce} on a contiguous
     * float64 array): plain loop below 8 elements, 8 interleaved partial sums up to 128, halves
     * (rounded down to a multiple of 8) above; reproduces the last bits of {@code np.mean}.
     */
    static double pairwiseSum(double[] a, int lo, int n) {
        if (n < 8) {
            double res = 0;
            for (int i = 0; i < n; i++) {
                res += a[lo + i];
            }
            return res;
        }
        if (n <= 128) {
            double[] r = new double[8];
            System.arraycopy(a, lo, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[lo + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[lo + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
    }
}
