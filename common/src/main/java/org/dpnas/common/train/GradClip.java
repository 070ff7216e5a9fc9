package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;

/**
 * Gradient-norm clipping as PyTorch's {@code clip_grad_norm_}: when the global L2 norm of all
 * gradients exceeds {@code maxNorm}, every gradient is scaled by {@code maxNorm/(norm + 1e-6)}.
 * DJL's {@code optClipGrad} clamps element-wise instead, which is not the same thing. The scale is
 * computed on the device, so clipping costs no host synchronisation.
 */
public final class GradClip {

    private GradClip() {}

    /**
     * Clips the gradients of {@code params} in place.
     *
     * @param params parameters whose gradients to clip together
     * @param maxNorm the largest allowed global norm
     * @param scratch a manager for the temporaries (the step's manager)
     * @param constants the run's constant cache
     * @return the global norm before clipping (0-d, in {@code scratch}), e.g. for logging
     */
    public static NDArray clipByGlobalNorm(
            List<Parameter> params, float maxNorm, NDManager scratch, Constants constants) {
        NDList grads = new NDList(params.size());
        for (Parameter p : params) {
            NDArray g = p.getArray().getGradient();
            g.attach(scratch);
            grads.add(g);
        }
        return clip(grads, maxNorm, scratch, constants);
    }

    /**
     * Clips the flat gradient of a packed group's open step in place: the same clipping as {@link
     * #clipByGlobalNorm(List, float, NDManager, Constants)} over the group's parameters, in a few
     * calls on one array.
     *
     * @param group the packed group (its step must be open and its backward pass done)
     * @param maxNorm the largest allowed global norm
     * @param scratch a manager for the temporaries (the step's manager)
     * @param constants the run's constant cache
     * @return the global norm before clipping (0-d, in {@code scratch})
     */
    public static NDArray clipByGlobalNorm(
            PackedParams group, float maxNorm, NDManager scratch, Constants constants) {
        return clip(new NDList(group.gradient()), maxNorm, scratch, constants);
    }

    private static NDArray clip(
            NDList grads, float maxNorm, NDManager scratch, Constants constants) {
        NDArray norm;
        if (grads.size() == 1) {
            norm = grads.get(0).square().sum().sqrt();
        } else {
            NDList squares = new NDList(grads.size());
            for (NDArray g : grads) {
                squares.add(g.square().sum());
            }
            norm = NDArrays.stack(squares).sum().sqrt();
        }
        norm.attach(scratch);
        // every temporary's first operand lives in scratch, so the temporaries land there
        NDArray factor =
                scratch.create(maxNorm)
                        .toDevice(norm.getDevice(), false)
                        .div(norm.add(constants.scalar(1e-6f)))
                        .minimum(constants.scalar(1f));
        for (NDArray g : grads) {
            g.muli(factor);
        }
        return norm;
    }
}
