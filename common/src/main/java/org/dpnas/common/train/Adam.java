package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * Adam (Kingma and Ba, https://arxiv.org/abs/1412.6980) and AdamW (Loshchilov and Hutter,
 * https://arxiv.org/abs/1711.05101) with PyTorch semantics:
 *
 * <pre>  m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
 *  w = w − lr/(1−β1^t) · m / (√v/√(1−β2^t) + ε)</pre>
 *
 * with {@code g = grad + wd·w} (Adam) or {@code w = w − lr·wd·w} first (AdamW). The engine's fused
 * kernel computes {@code w − a·m/(√v + ε')}; choosing {@code a = lr·√(1−β2^t)/(1−β1^t)} and {@code
 * ε' = ε·√(1−β2^t)} makes it the same update.
 */
public final class Adam extends Optimizer {

    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean decoupled;
    private NDList state;
    private NDManager stateManager;
    private float stepScale;
    private float stepEps;

    /** Creates Adam ({@code decoupled = false}) or AdamW ({@code decoupled = true}). */
    public Adam(float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        if (beta1 < 0f || beta1 >= 1f || beta2 < 0f || beta2 >= 1f) {
            throw new IllegalArgumentException(
                    "Adam betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (eps <= 0f || weightDecay < 0f) {
            throw new IllegalArgumentException(
                    "Adam needs eps > 0 and weight decay >= 0, got " + eps + ", " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
    }

    @Override
    protected void ensureState(List<NDArray> weights) {
        double bc1 = 1 - Math.pow(beta1, updates);
        double bc2 = Math.sqrt(1 - Math.pow(beta2, updates));
        stepScale = (float) (bc2 / bc1);
        stepEps = (float) (eps * bc2);
        if (state != null) {
            return;
        }
        stateManager = weights.get(0).getManager().newSubManager();
        state = new NDList(2 * weights.size());
        slots = weights.size();
        for (NDArray w : weights) {
            state.add(stateManager.zeros(w.getShape(), w.getDataType()));
            state.add(stateManager.zeros(w.getShape(), w.getDataType()));
        }
    }

    @Override
    protected void update(int index, NDArray weight, NDArray grad, float lr) {
        weight.getNDArrayInternal()
                .adamUpdate(
                        new NDList(weight, grad, state.get(2 * index), state.get(2 * index + 1)),
                        new NDList(weight),
                        lr,
                        lr * stepScale,
                        weightDecay,
                        1f,
                        -1f,
                        beta1,
                        beta2,
                        stepEps,
                        false,
                        decoupled);
    }

    @Override
    public NDList stateArrays() {
        return state == null ? new NDList() : state;
    }

    @Override
    public void restore(List<Parameter> params, NDList arrays, JsonObject scalars, NDManager m) {
        if (arrays.isEmpty() && scalars.get("updates").getAsLong() == 0) {
            return;
        }
        checkRestored("Adam", arrays, 2 * params.size());
        close();
        stateManager = m.newSubManager();
        state = new NDList(arrays.size());
        for (NDArray a : arrays) {
            a.attach(stateManager);
            state.add(a);
        }
        updates = scalars.get("updates").getAsLong();
        slots = params.size();
    }

    @Override
    public String type() {
        return decoupled ? "adamw" : "adam";
    }

    @Override
    public void close() {
        if (stateManager != null) {
            stateManager.close();
            stateManager = null;
            state = null;
        }
    }
}
