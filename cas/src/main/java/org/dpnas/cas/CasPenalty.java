package org.dpnas.cas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.dpnas.common.search.ArchPenalty;
import org.dpnas.common.train.Constants;

/**
 * CAS's resource penalty (Zhang et al., CVPR 2019, Sec. 3.3): λ·Σ_α Σ softmax(α)·cost, added to the
 * architecture step's loss through the core's {@link ArchPenalty} hook. λ is folded into the
 * constant cost arrays (so no Java number enters the differentiated path); the softmax is taken
 * over each α's last axis, as in the forward pass. Architecture parameters without a cost (none
 * here) add nothing.
 */
public final class CasPenalty implements ArchPenalty {

    private final Map<Parameter, float[]> scaled = new IdentityHashMap<>();
    private final Map<Parameter, Shape> shapes = new IdentityHashMap<>();

    /**
     * The penalty of a supernet's α.
     *
     * @param net the supernet
     * @param costs the candidates' costs
     * @param lambda λ ≥ 0
     */
    public CasPenalty(CasNet net, OpCosts costs, float lambda) {
        if (!(lambda >= 0) || Float.isInfinite(lambda)) {
            throw new IllegalArgumentException(
                    "search.cost_weight must be finite and >= 0, got " + lambda);
        }
        put(net.alphaNormal(), costs.normal(), lambda);
        put(net.alphaReduce(), costs.reduce(), lambda);
        put(net.alphaMs(), new float[][] {costs.multiscale()}, lambda);
    }

    private void put(Parameter p, float[][] cost, float lambda) {
        int rows = cost.length;
        int cols = cost[0].length;
        float[] flat = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                flat[r * cols + c] = lambda * cost[r][c];
            }
        }
        scaled.put(p, flat);
        shapes.put(
                p,
                rows == 1 && p.getArray().getShape().dimension() == 1
                        ? new Shape(cols)
                        : new Shape(rows, cols));
    }

    @Override
    public NDArray penalty(
            ParameterStore store, List<Parameter> arch, NDManager step, Constants constants) {
        NDArray sum = null;
        for (Parameter p : arch) {
            float[] c = scaled.get(p);
            if (c == null) {
                continue;
            }
            NDArray a = store.getValue(p, step.getDevice(), true);
            NDArray w = a.softmax(-1);
            w.attach(step);
            NDArray term = w.mul(step.create(c, shapes.get(p))).sum();
            sum = sum == null ? term : sum.add(term);
        }
        return sum == null ? step.zeros(new Shape()) : sum;
    }
}
