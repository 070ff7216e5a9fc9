package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * Stochastic gradient descent with momentum and L2 weight decay, PyTorch semantics:
 *
 * <pre>  d = g + wd·w;  b = μ·b + d;  w = w − lr·b</pre>
 *
 * The engine's fused kernel keeps {@code s = lr·b} instead of {@code b} (MXNet convention), so when
 * the learning rate changes from {@code lr'} to {@code lr} the state is first rescaled by {@code
 * lr/lr'}; the result equals PyTorch's update for any schedule.
 */
public final class Sgd extends Optimizer {

    private final float momentum;
    private final float weightDecay;
    private NDList state;
    private NDManager stateManager;
    private float lastLr = Float.NaN;

    /** Creates SGD with the given momentum (0 for none) and weight decay. */
    public Sgd(float momentum, float weightDecay) {
        if (momentum < 0f || momentum >= 1f) {
            throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
        }
        if (weightDecay < 0f) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void ensureState(List<NDArray> weights) {
        if (state != null) {
            return;
        }
        stateManager = weights.get(0).getManager().newSubManager();
        state = new NDList(weights.size());
        slots = weights.size();
        for (NDArray w : weights) {
            state.add(stateManager.zeros(w.getShape(), w.getDataType()));
        }
    }

    @Override
    protected void update(int index, NDArray weight, NDArray grad, float lr) {
        NDArray buf = state.get(index);
        if (momentum > 0f && !Float.isNaN(lastLr) && lastLr != lr) {
            buf.muli(lr / lastLr);
        }
        weight.getNDArrayInternal()
                .sgdUpdate(
                        new NDList(weight, grad, buf),
                        new NDList(weight),
                        lr,
                        weightDecay,
                        1f,
                        -1f,
                        momentum,
                        false);
    }

    @Override
    protected void afterStep(float lr) {
        lastLr = lr;
    }

    @Override
    public NDList stateArrays() {
        return state == null ? new NDList() : state;
    }

    @Override
    public JsonObject stateScalars() {
        JsonObject o = super.stateScalars();
        o.addProperty("last_lr", lastLr);
        return o;
    }

    @Override
    public void restore(List<Parameter> params, NDList arrays, JsonObject scalars, NDManager m) {
        if (arrays.isEmpty() && scalars.get("updates").getAsLong() == 0) {
            return;
        }
        checkRestored("SGD", arrays, params.size());
        close();
        stateManager = m.newSubManager();
        state = new NDList(arrays.size());
        for (NDArray a : arrays) {
            a.attach(stateManager);
            state.add(a);
        }
        updates = scalars.get("updates").getAsLong();
        lastLr = scalars.get("last_lr").getAsFloat();
        slots = params.size();
    }

    @Override
    public String type() {
        return "sgd";
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
