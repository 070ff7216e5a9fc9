package org.dpnas.fbnet.search;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Locale;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.fbnet.FbnetBlock;
import org.dpnas.fbnet.FbnetGenotype;
import org.dpnas.fbnet.FbnetOp;
import org.dpnas.fbnet.FbnetSizes;

/**
 * FBNet's latency lookup table (Wu et al., CVPR 2019, Sec. 3.2, Eq. 4): {@code LUT(l, i)}, the
 * latency of candidate i of layer l run alone at batch 1 on the layer's input shape, taken from the
 * core's per-op {@link LatencyTable} (measured on the run's device and thread count when missing,
 * keyed by block, shape and stride so that layers of the same shape share an entry), in
 * milliseconds times {@code scale} (1 for ms, as the paper; 1000 for µs, which keeps log(LAT) &gt;
 * 0 for tiny networks).
 *
 * @param values {@code values[l][i]}, in the search's unit
 * @param unit {@code ms} or {@code us}
 */
public record LatencyLut(double[][] values, String unit) {

    /**
     * The factor of a unit name.
     *
     * @throws IllegalArgumentException naming {@code search.latency_unit}
     */
    public static double scale(String unit) {
        return switch (unit) {
            case "ms" -> 1.0;
            case "us" -> 1000.0;
            default ->
                    throw new IllegalArgumentException(
                            "search.latency_unit must be ms or us, got '" + unit + "'");
        };
    }

    /** The table key of candidate {@code op} of {@code layer} on {@code input}. */
    public static String key(FbnetSizes.Layer layer, FbnetOp op, Shape input) {
        return LatencyTable.key(
                String.format(
                        Locale.ROOT,
                        "fbnet %s s%d d%d cin%d cout%d",
                        op.opName(),
                        layer.stride(),
                        layer.dilation(),
                        layer.in(),
                        layer.out()),
                input);
    }

    /**
     * Prices every candidate of every layer for {@code h × w} images.
     *
     * @param sizes the encoder
     * @param h image height
     * @param w image width
     * @param unit {@code ms} or {@code us}
     * @param table the table (read, and extended with what it lacks)
     * @param manager where measured blocks live
     * @param meter the meter
     */
    public static LatencyLut measure(
            FbnetSizes sizes,
            long h,
            long w,
            String unit,
            LatencyTable table,
            NDManager manager,
            LatencyMeter meter) {
        double scale = scale(unit);
        List<FbnetSizes.Layer> layers = sizes.layers();
        double[][] v = new double[layers.size()][FbnetOp.ALL.size()];
        for (int l = 0; l < layers.size(); l++) {
            FbnetSizes.Layer layer = layers.get(l);
            Shape in = sizes.layerInput(l, h, w);
            for (int i = 0; i < FbnetOp.ALL.size(); i++) {
                FbnetOp op = FbnetOp.ALL.get(i);
                double ms =
                        table.getOrMeasure(
                                key(layer, op, in),
                                () -> new FbnetBlock(layer, op),
                                in,
                                manager,
                                meter);
                v[l][i] = ms * scale;
            }
        }
        return check(new LatencyLut(v, unit));
    }

    /**
     * Checks that even the fastest architecture has LAT &gt; 1 in the unit, so that log(LAT) &gt; 0
     * and the factor log(LAT)^β is defined and grows with the latency.
     *
     * @throws IllegalArgumentException naming {@code search.latency_unit}
     */
    public static LatencyLut check(LatencyLut lut) {
        double min = lut.fastest();
        if (!(min > 1)) {
            throw new IllegalArgumentException(
                    String.format(
                            Locale.ROOT,
                            "search.latency_unit: the fastest architecture takes %.4g %s here, so"
                                    + " log(LAT) <= 0 and the latency loss is undefined; use a"
                                    + " smaller unit (us)",
                            min,
                            lut.unit()));
        }
        return lut;
    }

    /** The latency of the fastest architecture, Σ_l min_i LUT(l, i). */
    public double fastest() {
        double sum = 0;
        for (double[] row : values) {
            double m = Double.POSITIVE_INFINITY;
            for (double x : row) {
                m = Math.min(m, x);
            }
            sum += m;
        }
        return sum;
    }

    /** The latency of a genotype, Σ_l LUT(l, op_l). */
    public double latency(FbnetGenotype g) {
        double sum = 0;
        for (int l = 0; l < values.length; l++) {
            sum += values[l][g.ops().get(l).ordinal()];
        }
        return sum;
    }

    /** The expected latency under softmax(θ) without noise, Σ_l Σ_i softmax(θ_l)_i · LUT(l, i). */
    public double expected(float[] theta) {
        int cols = FbnetOp.ALL.size();
        double sum = 0;
        for (int l = 0; l < values.length; l++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < cols; i++) {
                max = Math.max(max, theta[l * cols + i]);
            }
            double z = 0;
            double s = 0;
            for (int i = 0; i < cols; i++) {
                double e = Math.exp(theta[l * cols + i] - max);
                z += e;
                s += e * values[l][i];
            }
            sum += s / z;
        }
        return sum;
    }

    /** The table as text: one line per layer, the candidates' latencies in the unit. */
    public String describe(FbnetSizes sizes) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-6s %-22s", "layer", "shape"));
        for (FbnetOp op : FbnetOp.ALL) {
            b.append(String.format(Locale.ROOT, " %9s", op.opName()));
        }
        b.append("   (").append(unit).append(")\n");
        List<FbnetSizes.Layer> layers = sizes.layers();
        for (int l = 0; l < values.length; l++) {
            FbnetSizes.Layer y = layers.get(l);
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%-6d %-22s",
                            l,
                            y.in() + "->" + y.out() + " s" + y.stride() + " d" + y.dilation()));
            for (double x : values[l]) {
                b.append(String.format(Locale.ROOT, " %9.3f", x));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
