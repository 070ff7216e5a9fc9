package org.dpnas.eval.det;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The twelve summary numbers of pycocotools' {@code COCOeval.summarize()} for boxes, in its order
 * (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl), plus per-category AP (IoU
 * .50:.95, area all, maxDets 100). Each number is the mean of the accumulated precision (or recall)
 * entries that are not −1; it is −1 when there are none.
 */
public final class CocoStats {

    private static final List<String> NAMES =
            List.of(
                    "AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm",
                    "ARl");

    /** Per summary line: ap?, IoU index (-1 = all), area index, maxDets index. */
    private static final int[][] LINES = {
        {1, -1, 0, 2}, {1, 0, 0, 2}, {1, 5, 0, 2}, {1, -1, 1, 2}, {1, -1, 2, 2}, {1, -1, 3, 2},
        {0, -1, 0, 0}, {0, -1, 0, 1}, {0, -1, 0, 2}, {0, -1, 1, 2}, {0, -1, 2, 2}, {0, -1, 3, 2}
    };

    private final double[] stats;
    private final Map<String, Double> perCategory;

    /**
     * Wraps precomputed numbers (for tests and for results read back from JSON).
     *
     * @param stats the 12 summary numbers in {@link #names()} order
     * @param perCategoryAP AP per category name, in category id order
     */
    public CocoStats(double[] stats, Map<String, Double> perCategoryAP) {
        if (stats.length != NAMES.size()) {
            throw new IllegalArgumentException("expected 12 stats, got " + stats.length);
        }
        this.stats = stats.clone();
        this.perCategory = Collections.unmodifiableMap(new LinkedHashMap<>(perCategoryAP));
    }

    static CocoStats of(CocoEvaluator.Accumulation acc, long[] catIds, String[] catNames) {
        double[] s = new double[LINES.length];
        for (int i = 0; i < LINES.length; i++) {
            int[] l = LINES[i];
            s[i] = mean(acc, l[0] == 1, l[1], l[2], l[3], 0, acc.k);
        }
        Map<String, Double> per = new LinkedHashMap<>();
        for (int c = 0; c < acc.k; c++) {
            String name = catNames[c];
            if (per.containsKey(name)) {
                name = name + " (id " + catIds[c] + ")";
            }
            per.put(name, mean(acc, true, -1, 0, 2, c, c + 1));
        }
        return new CocoStats(s, per);
    }

    /**
     * {@code np.mean(s[s > -1])} with s the precision {@code [t, r, c]} (or recall {@code [t, c]})
     * entries, t one threshold or all, c in [c0, c1), in numpy's C order and summation.
     */
    private static double mean(
            CocoEvaluator.Accumulation acc, boolean ap, int t, int a, int m, int c0, int c1) {
        int tFrom = t < 0 ? 0 : t;
        int tTo = t < 0 ? CocoEvaluator.T : t + 1;
        int rCount = ap ? CocoEvaluator.R : 1;
        double[] v = new double[(tTo - tFrom) * rCount * (c1 - c0)];
        int n = 0;
        for (int tt = tFrom; tt < tTo; tt++) {
            for (int r = 0; r < rCount; r++) {
                for (int c = c0; c < c1; c++) {
                    if (acc.valid[c * CocoEvaluator.A + a]) {
                        v[n++] =
                                ap
                                        ? acc.precision[acc.precisionIndex(c, a, tt, r)]
                                        : acc.recall[acc.index(c, a, m, tt)];
                    }
                }
            }
        }
        return n == 0 ? -1 : CocoEvaluator.pairwiseSum(v, 0, n) / n;
    }

    /**
     * The 12 summary numbers.
     *
     * @return a copy, in {@link #names()} order
     */
    public double[] stats() {
        return stats.clone();
    }

    /**
     * The names of the 12 summary numbers.
     *
     * @return AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl
     */
    public List<String> names() {
        return NAMES;
    }

    /**
     * One summary number by name.
     *
     * @param name one of {@link #names()}
     * @return its value
     * @throws IllegalArgumentException for an unknown name
     */
    public double get(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown COCO stat '" + name + "', one of " + NAMES);
        }
        return stats[i];
    }

    /**
     * AP at IoU .50:.95, area all, maxDets 100 per category, −1 for a category without non-ignored
     * ground truth; a repeated name gets {@code " (id N)"} appended.
     *
     * @return category name to AP, in category id order
     */
    public Map<String, Double> perCategoryAP() {
        return perCategory;
    }

    /**
     * The 12 lines {@code summarize()} prints, each ending in a newline, e.g. {@code " Average
     * Precision (AP) @[ IoU=0.50:0.95 | area= all | maxDets=100 ] = 0.371"}.
     *
     * @return the summary text
     */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < LINES.length; i++) {
            int[] l = LINES[i];
            boolean ap = l[0] == 1;
            String iou = l[1] < 0 ? "0.50:0.95" : (l[1] == 0 ? "0.50" : "0.75");
            sb.append(' ')
                    .append(padRight(ap ? "Average Precision" : "Average Recall", 18))
                    .append(' ')
                    .append(ap ? "(AP)" : "(AR)")
                    .append(" @[ IoU=")
                    .append(padRight(iou, 9))
                    .append(" | area=")
                    .append(padLeft(CocoEvaluator.AREA_LBL[l[2]], 6))
                    .append(" | maxDets=")
                    .append(padLeft(Integer.toString(CocoEvaluator.MAX_DETS[l[3]]), 3))
                    .append(" ] = ")
                    .append(fixed3(stats[i]))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Python's {@code '{:0.3f}'}: the exact binary value rounded half-even to 3 decimals. */
    static String fixed3(double v) {
        return new BigDecimal(v).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String padRight(String s, int n) {
        return s.length() >= n ? s : s + " ".repeat(n - s.length());
    }

    private static String padLeft(String s, int n) {
        return s.length() >= n ? s : " ".repeat(n - s.length()) + s;
    }

    /**
     * The result as JSON.
     *
     * @return {@code {"stats": [12 numbers], "names": [12 names], "per_category": {name: AP}}}
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        JsonArray s = new JsonArray();
        for (double v : stats) {
            s.add(v);
        }
        JsonArray n = new JsonArray();
        NAMES.forEach(n::add);
        JsonObject per = new JsonObject();
        perCategory.forEach(per::addProperty);
        o.add("stats", s);
        o.add("names", n);
        o.add("per_category", per);
        return o;
    }

    @Override
    public String toString() {
        return summary();
    }
}
