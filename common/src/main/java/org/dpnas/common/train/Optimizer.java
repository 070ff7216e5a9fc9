package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import java.util.List;

/**
 * An optimizer with PyTorch update semantics whose state can be saved and restored exactly, so that
 * a resumed run continues bit for bit. Updates run outside any gradient collector, in place, with
 * the engine's fused update kernels; each update zeroes the parameter's gradient.
 */
public abstract class Optimizer {

    /** Number of updates applied so far (PyTorch's {@code step} counter). */
    protected long updates;

    /**
     * Updates every parameter from its gradient at learning rate {@code lr}, then zeroes the
     * gradients.
     */
    public final void step(List<Parameter> params, float lr) {
        if (!(lr > 0f) || Float.isInfinite(lr)) {
            throw new IllegalArgumentException(
                    "learning rate must be positive and finite, got " + lr);
        }
        updates++;
        ensureState(params);
        for (int i = 0; i < params.size(); i++) {
            update(i, params.get(i).getArray(), lr);
        }
        afterStep(lr);
    }

    /** Allocates per-parameter state on first use. */
    protected abstract void ensureState(List<Parameter> params);

    /** Updates parameter {@code index}, whose array is {@code weight}, and zeroes its gradient. */
    protected abstract void update(int index, NDArray weight, float lr);

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
