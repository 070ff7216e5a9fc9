package org.dpnas.common.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * A {@link ParameterStore} for networks whose weights are {@link PackedParams}: inside an open step
 * it hands a block the step's differentiable view of a packed parameter (so that the gradient lands
 * in the group's flat gradient); otherwise, and for parameters in no group (e.g. BatchNorm running
 * statistics), the parameter's current array. It never caches an array, so it stays right when a
 * parameter's array is replaced by packing.
 */
public final class PackedStore extends ParameterStore {

    private final List<PackedParams> groups;

    /**
     * Creates the store.
     *
     * @param manager the manager of arrays copied to another device (as {@link ParameterStore})
     * @param groups the packed groups whose step views to serve
     */
    public PackedStore(NDManager manager, List<PackedParams> groups) {
        super(manager, false);
        this.groups = List.copyOf(groups);
    }

    @Override
    public NDArray getValue(Parameter parameter, Device device, boolean training) {
        if (parameter == null) {
            return null;
        }
        for (PackedParams g : groups) {
            NDArray v = g.stepValue(parameter);
            if (v != null && v.getDevice().equals(device)) {
                return v;
            }
        }
        NDArray a = parameter.getArray();
        if (a.getDevice().equals(device)) {
            return a;
        }
        return super.getValue(parameter, device, training);
    }
}
