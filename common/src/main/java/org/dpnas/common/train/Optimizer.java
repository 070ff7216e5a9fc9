package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An optimizer with PyTorch update semantics whose state can be saved and restored exactly, so that
 * a resumed run continues bit for bit. Updates run outside any gradient collector, in place, with
 * the engine's update kernels; each update zeroes the gradient it read. It steps either a list of
 * parameters (one update per weight array) or a {@link PackedParams} group (one update on the flat
 * buffer with the step's flat gradient); one optimizer serves one of the two layouts.
 */
public abstract class Optimizer {

    /** Number of updates applied so far (PyTorch's {@code step} counter). */
    protected long updates;

    /**
     * Updates every parameter from its gradient at learning rate {@code lr}, then zeroes the
     * gradients.
     */
    public final void step(List<Parameter> params, float lr) {
        checkLr(lr);
        List<NDArray> weights = new ArrayList<>(params.size());
        for (Parameter p : params) {
            weights.add(p.getArray());
        }
        checkLayout(weights);
        updates++;
        ensureState(weights);
        for (int i = 0; i < params.size(); i++) {
            NDArray w = weights.get(i);
            try (NDArray grad = w.getGradient()) {
                update(i, w, grad, lr);
            }
        }
        afterStep(lr);
    }

    /**
     * Updates a packed group's flat buffer from the open step's flat gradient at learning rate
     * {@code lr}: the same update as {@link #step(List, float)} on the same values, in one call.
     */
    public final void step(PackedParams group, float lr) {
        checkLr(lr);
        List<NDArray> weights = List.of(group.flat());
        checkLayout(weights);
        NDArray grad = group.gradient();
        updates++;
        ensureState(weights);
        update(0, group.flat(), grad, lr);
        afterStep(lr);
    }

    private static void checkLr(float lr) {
        if (!(lr > 0f) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException(
                    "learning rate must be positive and finite, got " + lr);
        }
    }

    /** Rejects switching between layouts (the state is shaped by the first step's arrays). */
    private void checkLayout(List<NDArray> weights) {
        NDList state = stateArrays();
        if (state.isEmpty()) {
            return;
        }
        int perSlot = state.size() / Math.max(1, slots);
        if (slots != weights.size()) {
            throw new IllegalStateException(
                    "this "
                            + type()
                            + " optimizer holds state for "
                            + slots
                            + " arrays but is asked to step "
                            + weights.size()
                            + " (one optimizer per group and layout, packed or not)");
        }
        for (int i = 0; i < weights.size(); i++) {
            if (!state.get(i * perSlot).getShape().equals(weights.get(i).getShape())) {
                throw new IllegalStateException(
                        "optimizer state "
                                + i
                                + " has shape "
                                + state.get(i * perSlot).getShape()
                                + ", the array it updates "
                                + weights.get(i).getShape());
            }
        }
    }

    /** Number of arrays the state was made for (parameters, or 1 for a packed group). */
    protected int slots;

    /** Allocates state for {@code weights} (one slot per array) on first use. */
    protected abstract void ensureState(List<NDArray> weights);

    /**
     * Updates array {@code index}, {@code weight}, from {@code grad} in place and zeroes {@code
     * grad}.
     */
    protected abstract void update(int index, NDArray weight, NDArray grad, float lr);

    /** Hook after all parameters were updated. */
    protected void afterStep(float lr) {}

    /** The state arrays in a fixed order (for checkpoints). */
    public abstract NDList stateArrays();

    /** Scalar state (step counters etc.) for checkpoints. */
    public JsonObject stateScalars() {
        JsonObject o = new JsonObject();
        o.addProperty("type", type());
        o.addProperty("updates", updates);
        return o;
    }

    /**
     * Restores the state written by {@link #stateArrays()} and {@link #stateScalars()}.
     *
     * @param params the group's parameters (to size the state)
     * @param arrays the saved arrays, in the same order
     * @param scalars the saved scalars
     * @param manager the manager the restored arrays are attached to
     */
    public abstract void restore(
            List<Parameter> params, NDList arrays, JsonObject scalars, NDManager manager);

    /** Short type name ("sgd", "adam", "adamw"). */
    public abstract String type();

    /** Number of updates applied so far. */
    public long updates() {
        return updates;
    }

    /** Releases the state arrays. */
    public abstract void close();

    /**
     * Builds an optimizer by name.
     *
     * @param type {@code sgd}, {@code adam} or {@code adamw}
     * @param momentum SGD momentum (ignored by Adam)
     * @param weightDecay L2 weight decay (decoupled for AdamW)
     * @param beta1 Adam beta1
     * @param beta2 Adam beta2
     * @param eps Adam epsilon
     * @return the optimizer
     */
    public static Optimizer create(
            String type, float momentum, float weightDecay, float beta1, float beta2, float eps) {
        switch (type) {
            case "sgd":
                return new Sgd(momentum, weightDecay);
            case "adam":
                return new Adam(beta1, beta2, eps, weightDecay, false);
            case "adamw":
                return new Adam(beta1, beta2, eps, weightDecay, true);
            default:
                throw new IllegalArgumentException(
                        "unknown optimizer '" + type + "': expected sgd, adam or adamw");
        }
    }

    static void checkRestored(String what, NDList arrays, int expected) {
        if (arrays.size() != expected) {
            throw new IllegalStateException(
                    what
                            + " checkpoint holds "
                            + arrays.size()
                            + " state arrays, "
                            + expected
                            + " expected: the checkpoint belongs to another model");
        }
    }
}
