package org.dpnas.eval.seg;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Segmentation scores derived from a confusion matrix M (rows ground truth g, columns prediction
 * p): with {@code TP_c = M[c][c]}, {@code FP_c = Σ_g M[g][c] − TP_c}, {@code FN_c = Σ_p M[c][p] −
 * TP_c} and {@code gt_c = TP_c + FN_c}, the per-class IoU is {@code TP_c / (TP_c + FP_c + FN_c)}.
 *
 * <p>All values are fractions in {@code [0, 1]} (only {@link #toString()} and {@link #table} show
 * percentages). {@code NaN} marks an undefined value: the IoU of a class absent from both ground
 * truth and prediction, the accuracy of a class absent from the ground truth, and any mean over an
 * empty set. A class that is predicted but absent from the ground truth has IoU 0 and counts in the
 * mIoU.
 *
 * @param perClassIoU {@code IoU_c = TP_c / (TP_c + FP_c + FN_c)}, {@code NaN} when the denominator
 *     is 0
 * @param perClassAccuracy {@code acc_c = TP_c / (TP_c + FN_c)}, {@code NaN} when {@code gt_c = 0}
 * @param mIoU the mean of the non-{@code NaN} entries of {@code perClassIoU} ({@code NaN} if none)
 * @param pixelAccuracy {@code Σ_c TP_c / Σ_c gt_c}, correct pixels over valid ground-truth pixels
 * @param meanClassAccuracy the mean of {@code acc_c} over classes with {@code gt_c > 0}
 * @param fwIoU the frequency-weighted IoU {@code Σ_c freq_c · IoU_c} with {@code freq_c = gt_c /
 *     Σ_k gt_k}, summed over classes with {@code gt_c > 0}
 */
public record SegMetrics(
        double[] perClassIoU,
        double[] perClassAccuracy,
        double mIoU,
        double pixelAccuracy,
        double meanClassAccuracy,
        double fwIoU) {

    /** Copies the arrays and checks that they describe the same number of classes. */
    public SegMetrics {
        if (perClassIoU.length != perClassAccuracy.length) {
            throw new IllegalArgumentException(
                    "perClassIoU has "
                            + perClassIoU.length
                            + " classes, perClassAccuracy "
                            + perClassAccuracy.length);
        }
        perClassIoU = perClassIoU.clone();
        perClassAccuracy = perClassAccuracy.clone();
    }

    /**
     * Derives all scores from a square confusion matrix of non-negative counts.
     *
     * @param counts {@code counts[g][p]}, the number of valid pixels with ground truth g predicted
     *     as p
     * @return the metrics as defined in the record description
     * @throws IllegalArgumentException if the matrix is empty, not square or has a negative count
     */
    public static SegMetrics fromCounts(long[][] counts) {
        int c = counts.length;
        if (c == 0) {
            throw new IllegalArgumentException("confusion matrix has no classes");
        }
        long[] gtTotal = new long[c];
        long[] predTotal = new long[c];
        for (int g = 0; g < c; g++) {
            if (counts[g].length != c) {
                throw new IllegalArgumentException(
                        "confusion matrix is not square: row "
                                + g
                                + " has "
                                + counts[g].length
                                + " entries, expected "
                                + c);
            }
            for (int p = 0; p < c; p++) {
                long n = counts[g][p];
                if (n < 0) {
                    throw new IllegalArgumentException(
                            "negative count " + n + " at [" + g + "][" + p + "]");
                }
                gtTotal[g] += n;
                predTotal[p] += n;
            }
        }
        double[] iou = new double[c];
        double[] acc = new double[c];
        long tpSum = 0;
        long validSum = 0;
        for (int k = 0; k < c; k++) {
            long tp = counts[k][k];
            long union = gtTotal[k] + predTotal[k] - tp; // TP + FN + FP
            iou[k] = union == 0 ? Double.NaN : (double) tp / union;
            acc[k] = gtTotal[k] == 0 ? Double.NaN : (double) tp / gtTotal[k];
            tpSum += tp;
            validSum += gtTotal[k];
        }
        double pixelAccuracy = validSum == 0 ? Double.NaN : (double) tpSum / validSum;
        double fw = Double.NaN;
        if (validSum > 0) {
            fw = 0;
            for (int k = 0; k < c; k++) {
                if (gtTotal[k] > 0) {
                    fw += (double) gtTotal[k] / validSum * iou[k];
                }
            }
        }
        return new SegMetrics(iou, acc, nanMean(iou), pixelAccuracy, nanMean(acc), fw);
    }

    /** Returns a copy of the per-class IoU. */
    @Override
    public double[] perClassIoU() {
        return perClassIoU.clone();
    }

    /** Returns a copy of the per-class accuracy. */
    @Override
    public double[] perClassAccuracy() {
        return perClassAccuracy.clone();
    }

    /** Returns the number of classes. */
    public int numClasses() {
        return perClassIoU.length;
    }

    /**
     * Returns the scores as JSON with the keys {@code mIoU}, {@code per_class_iou}, {@code
     * pixel_accuracy}, {@code mean_class_accuracy} and {@code fw_iou}, plus {@code per_class_acc}
     * and {@code class_names} when names are given. Values are fractions; every {@code NaN} (in the
     * arrays or a scalar) is written as JSON {@code null}, so the default Gson writer accepts it.
     *
     * @param classNamesOrNull one name per class, or {@code null}
     * @throws IllegalArgumentException if the number of names differs from the number of classes
     */
    public JsonObject toJson(List<String> classNamesOrNull) {
        JsonObject o = new JsonObject();
        o.add("mIoU", number(mIoU));
        o.add("per_class_iou", array(perClassIoU));
        o.add("pixel_accuracy", number(pixelAccuracy));
        o.add("mean_class_accuracy", number(meanClassAccuracy));
        o.add("fw_iou", number(fwIoU));
        if (classNamesOrNull != null) {
            checkNames(classNamesOrNull);
            o.add("per_class_acc", array(perClassAccuracy));
            JsonArray names = new JsonArray();
            classNamesOrNull.forEach(names::add);
            o.add("class_names", names);
        }
        return o;
    }

    /**
     * Returns a fixed-width table: a header, one line per class with its name, IoU % and accuracy %
     * ({@code n/a} for {@code NaN}), and the {@link #toString()} summary as the last line.
     *
     * @param classNames one name per class, or {@code null} to label rows by class index
     * @throws IllegalArgumentException if the number of names differs from the number of classes
     */
    public String table(List<String> classNames) {
        if (classNames != null) {
            checkNames(classNames);
        }
        int c = numClasses();
        String[] names = new String[c];
        for (int k = 0; k < c; k++) {
            names[k] = classNames == null ? Integer.toString(k) : classNames.get(k);
        }
        int width = "class".length();
        for (String n : names) {
            width = Math.max(width, n.length());
        }
        String row = "%-" + width + "s  %7s  %7s\n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, row, "class", "IoU %", "acc %"));
        for (int k = 0; k < c; k++) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            names[k],
                            percent(perClassIoU[k]),
                            percent(perClassAccuracy[k])));
        }
        sb.append(this);
        return sb.toString();
    }

    /**
     * Returns e.g. {@code "mIoU 63.21 | pixAcc 91.20 | mAcc 70.02 | fwIoU 85.10"} (percentages).
     */
    @Override
    public String toString() {
        return "mIoU "
                + percent(mIoU)
                + " | pixAcc "
                + percent(pixelAccuracy)
                + " | mAcc "
                + percent(meanClassAccuracy)
                + " | fwIoU "
                + percent(fwIoU);
    }

    /** Compares by value, arrays element-wise (two {@code NaN} entries are equal). */
    @Override
    public boolean equals(Object obj) {
        return obj instanceof SegMetrics m
                && Arrays.equals(perClassIoU, m.perClassIoU)
                && Arrays.equals(perClassAccuracy, m.perClassAccuracy)
                && Double.compare(mIoU, m.mIoU) == 0
                && Double.compare(pixelAccuracy, m.pixelAccuracy) == 0
                && Double.compare(meanClassAccuracy, m.meanClassAccuracy) == 0
                && Double.compare(fwIoU, m.fwIoU) == 0;
    }

    /** Hashes consistently with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        int h = Arrays.hashCode(perClassIoU);
        h = 31 * h + Arrays.hashCode(perClassAccuracy);
        h = 31 * h + Double.hashCode(mIoU);
        h = 31 * h + Double.hashCode(pixelAccuracy);
        h = 31 * h + Double.hashCode(meanClassAccuracy);
        return 31 * h + Double.hashCode(fwIoU);
    }

    private void checkNames(List<String> names) {
        if (names.size() != numClasses()) {
            throw new IllegalArgumentException(
                    names.size() + " class names given for " + numClasses() + " classes");
        }
    }

    private static double nanMean(double[] values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction)
                ? "n/a"
                : String.format(Locale.ROOT, "%.2f", 100.0 * fraction);
    }

    private static JsonElement number(double v) {
        return Double.isNaN(v) ? JsonNull.INSTANCE : new JsonPrimitive(v);
    }

    private static JsonArray array(double[] values) {
        JsonArray a = new JsonArray(values.length);
        for (double v : values) {
            a.add(number(v));
        }
        return a;
    }
}
