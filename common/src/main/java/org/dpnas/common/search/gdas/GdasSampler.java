package org.dpnas.common.search.gdas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import java.util.function.DoubleSupplier;
import org.dpnas.common.nn.ops.OpWeights;
import org.dpnas.common.search.GumbelNoise;
import org.dpnas.common.search.SampledRelaxation;

/**
 * GDAS's differentiable sampler (Dong &amp; Yang, <i>Searching for a Robust Neural Architecture in
 * Four GPU Hours</i>, CVPR 2019, Sec. 3.2, Eq. 5–7): in a training pass each edge draws one op by
 * Gumbel-max, {@code k = argmax_j (α_j + g_j)} with {@code g_j = −log(−log u_j)}, so that {@code k}
 * follows softmax(α); the edge's weights are the straight-through {@code h = one_hot(k) − sg(p) +
 * p} with {@code p = softmax((α + g) / τ)}: in the forward pass h is the one-hot vector and only op
 * k runs ({@code h_k · o_k(x)}), in the backward pass the gradient of p flows to α — {@code ∂L/∂α_j
 * = ⟨∂L/∂y, o_k(x)⟩ · p_k (δ_kj − p_j) / τ}. (GDAS writes {@code log_softmax(α)} for α inside p;
 * the two differ by a constant per row, which neither the argmax nor the softmax sees.)
 *
 * <p>The temperature is annealed linearly per epoch from {@code τ_max} (10 in the paper) at the
 * first epoch to {@code τ_min} (0.1) at the last. A validation pass draws nothing: each edge runs
 * its most likely op, argmax α. The noise is a {@link GumbelNoise} stream derived from the run's
 * seed; its state is one long, saved in every checkpoint, so a resumed search draws the same ops as
 * an uninterrupted one.
 */
public final class GdasSampler implements SampledRelaxation {

    private final GumbelNoise gumbel;
    private final double tauMax;
    private final double tauMin;
    private final long stepsPerEpoch;
    private final long epochs;
    private long step;
    private DoubleSupplier noise;

    /**
     * Creates the sampler.
     *
     * @param seed the run's seed (the noise stream is derived from it)
     * @param tauMax the temperature of the first epoch
     * @param tauMin the temperature of the last epoch
     * @param stepsPerEpoch steps of one epoch
     * @param epochs epochs of the search
     */
    public GdasSampler(long seed, double tauMax, double tauMin, long stepsPerEpoch, long epochs) {
        if (!(tauMin > 0) || !(tauMax >= tauMin)) {
            throw new IllegalArgumentException(
                    "search.gdas: need 0 < tau_min <= tau_max, got tau_max "
                            + tauMax
                            + ", tau_min "
                            + tauMin);
        }
        if (stepsPerEpoch < 1 || epochs < 1) {
            throw new IllegalArgumentException("need at least one step and one epoch");
        }
        this.gumbel = new GumbelNoise(seed, "gdas");
        this.noise = gumbel;
        this.tauMax = tauMax;
        this.tauMin = tauMin;
        this.stepsPerEpoch = stepsPerEpoch;
        this.epochs = epochs;
    }

    /** Replaces the Gumbel draws by {@code noise} (tests: a chosen sample). */
    GdasSampler withNoise(DoubleSupplier noise) {
        this.noise = noise;
        return this;
    }

    /** Sets the step whose temperature the next passes use. */
    @Override
    public void atStep(long t) {
        this.step = t;
    }

    /**
     * The temperature of step t: {@code τ_max − (τ_max − τ_min) · e / (E − 1)} at epoch e of E
     * (τ_max when the search has one epoch; τ_min after the last epoch).
     */
    @Override
    public double temperature(long t) {
        long e = Math.min(t / stepsPerEpoch, epochs - 1);
        if (e == 0) {
            return tauMax;
        }
        // the last epoch is exactly τ_min
        return e == epochs - 1 ? tauMin : tauMax - (tauMax - tauMin) * e / (epochs - 1);
    }

    @Override
    public OpWeights weights(NDArray alpha, boolean training, NDManager sm) {
        Shape shape = alpha.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("GDAS samples rows of a 2-D α, got " + shape);
        }
        int rows = (int) shape.get(0);
        int cols = (int) shape.get(1);
        double[] a = hostValues(alpha);
        double[] g = new double[a.length];
        int[] selected = new int[rows];
        double[] hot = new double[a.length];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                g[i] = training ? noise.getAsDouble() : 0.0;
                double v = a[i] + g[i];
                if (v > top) {
                    top = v;
                    best = c;
                }
            }
            selected[r] = best;
            hot[r * cols + best] = 1.0;
        }
        NDArray oneHot = sm.create(hot, shape).toType(alpha.getDataType(), false);
        if (!training) {
            return new OpWeights(oneHot, selected);
        }
        // constants are arrays in the pass's manager, never Java numbers on this differentiated
        // path
        NDArray noise = sm.create(g, shape).toType(alpha.getDataType(), false);
        NDArray invTau = sm.create(1.0 / temperature(step)).toType(alpha.getDataType(), false);
        NDArray p = noise.add(alpha).mul(invTau).softmax(1);
        NDArray h = oneHot.sub(p.stopGradient()).add(p);
        return new OpWeights(h, selected);
    }

    private static double[] hostValues(NDArray alpha) {
        if (alpha.getDataType() == DataType.FLOAT64) {
            return alpha.toDoubleArray();
        }
        float[] f = alpha.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** The sampler's state for a checkpoint: the noise stream's position. */
    @Override
    public JsonElement state() {
        return gumbel.state();
    }

    /** Restores a state written by {@link #state()}. */
    @Override
    public void restore(JsonElement state) {
        gumbel.restore(
                state,
                "checkpoint has no GDAS sampler state (was it written by a bilevel search?)");
    }
}
