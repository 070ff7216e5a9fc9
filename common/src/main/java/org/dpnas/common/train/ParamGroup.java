package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A named set of trainable parameters with its own optimizer, e.g. the network weights and the
 * architecture parameters of a bilevel search. Stepping one group never touches another group's
 * values; since a backward pass fills the gradients of every group, {@link #zeroGrad()} clears a
 * group's stale gradients before its own step.
 */
public final class ParamGroup {

    private final String name;
    private final List<Parameter> params;
    private final Optimizer optimizer;

    /**
     * Creates a group.
     *
     * @param name a short name used in logs and checkpoints ("weights", "arch")
     * @param params the parameters, in a stable order (checkpoints rely on it)
     * @param optimizer the optimizer that steps this group only
     */
    public ParamGroup(String name, List<Parameter> params, Optimizer optimizer) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("parameter group '" + name + "' is empty");
        }
        this.name = name;
        this.params = Collections.unmodifiableList(new ArrayList<>(params));
        this.optimizer = optimizer;
    }

    /** The group's name. */
    public String name() {
        return name;
    }

    /** The parameters, in checkpoint order. */
    public List<Parameter> params() {
        return params;
    }

    /** The optimizer stepping this group. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Number of scalar values in the group. */
    public long size() {
        long n = 0;
        for (Parameter p : params) {
            n += p.getArray().size();
        }
        return n;
    }

    /**
     * Applies one optimizer update at learning rate {@code lr} and zeroes the group's gradients.
     */
    public void step(float lr) {
        optimizer.step(params, lr);
    }

    /** Sets the gradients of this group's parameters to zero (in place, NaN-safe). */
    public void zeroGrad() {
        for (Parameter p : params) {
            zeroGrad(p.getArray());
        }
    }

    static void zeroGrad(NDArray array) {
        JniUtils.zeroGrad((PtNDArray) array);
    }
}
