package org.dpnas.fbnet.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.function.Supplier;
import org.dpnas.common.search.ArchPenalty;
import org.dpnas.common.train.Constants;

/**
 * FBNet's latency-aware loss (Wu et al., CVPR 2019, Sec. 3.2, Eq. 2 and 5): {@code L(a, w) = CE(a,
 * w) · α · log(LAT(a))^β} with {@code LAT(a) = Σ_l Σ_i m_{l,i} · LUT(l, i)}, m the Gumbel-softmax
 * weights of the same training pass and LUT the per-layer, per-candidate latency table (Eq. 4). The
 * factor {@link #penalty} computes is multiplied into the cross-entropy ({@link #applyTo}), so θ
 * gets both the task gradient scaled by the factor and {@code CE · ∂factor/∂θ}, which pushes the
 * mask towards faster blocks. Every constant (α, β, the table) is an array of the step, never a
 * Java number on this differentiated path.
 */
public final class LatencyLoss implements ArchPenalty {

    private final Supplier<NDArray> weights;
    private final double[] lut;
    private final long[] shape;
    private final double alpha;
    private final double beta;

    /**
     * Creates the loss.
     *
     * @param weights the op weights m (layers × candidates) of the current training pass
     * @param lut the table, {@code lut[l][i]} in the unit the search prices in (LAT must exceed 1)
     * @param alpha α &gt; 0 ({@code search.latency_alpha}; the paper: 0.2)
     * @param beta β ≥ 0 ({@code search.latency_beta}; the paper: 0.6)
     */
    public LatencyLoss(Supplier<NDArray> weights, double[][] lut, double alpha, double beta) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException(
                    "search.latency_alpha must be > 0 for the latency loss, got " + alpha);
        }
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException(
                    "search.latency_beta must be finite and >= 0, got " + beta);
        }
        int rows = lut.length;
        int cols = lut[0].length;
        this.lut = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(lut[r], 0, this.lut, r * cols, cols);
        }
        this.shape = new long[] {rows, cols};
        this.weights = weights;
        this.alpha = alpha;
        this.beta = beta;
    }

    /** The factor α · log(LAT)^β of the current pass's weights, a 0-d array in {@code step}. */
    @Override
    public NDArray penalty(
            ParameterStore store, List<Parameter> arch, NDManager step, Constants constants) {
        NDArray m = weights.get();
        NDArray table =
                step.create(lut, new ai.djl.ndarray.types.Shape(shape))
                        .toType(m.getDataType(), false);
        NDArray lat = m.mul(table).sum();
        // α and β in the step's manager at full precision (the run's float constants would
        // round them): they outlive the backward pass, which runs inside the step
        NDArray a = step.create(alpha).toType(m.getDataType(), false);
        NDArray b = step.create(beta).toType(m.getDataType(), false);
        NDArray factor = lat.log().pow(b).mul(a);
        factor.attach(step);
        return factor;
    }

    /** CE · factor (Eq. 2: the latency term multiplies the loss). */
    @Override
    public NDArray applyTo(NDArray loss, NDArray penalty) {
        return loss.mul(penalty);
    }

    /** α · log(lat)^β for a given latency, in double precision (logs and tests). */
    public double factor(double lat) {
        return alpha * Math.pow(Math.log(lat), beta);
    }
}
