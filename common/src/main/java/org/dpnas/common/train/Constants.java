package org.dpnas.common.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scalar constants as 0-d arrays that live for the whole run.
 *
 * <p>DJL wraps a Java number passed to {@code mul}, {@code div} or {@code pow} in a tensor that it
 * frees at once, while the autograd graph still points at it: the backward pass then reads freed
 * memory (see docs/architecture.md, "DJL facts"). Every constant used on a differentiated path
 * comes from here instead, created once per (device, dtype, value) and closed with the owning
 * manager.
 */
public final class Constants implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> cache = new ConcurrentHashMap<>();

    /**
     * Creates a constant cache whose arrays live in a sub-manager of {@code parent}.
     *
     * @param parent a manager that outlives every step (the run's base manager)
     */
    public Constants(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** The 0-d FLOAT32 constant {@code value} on the cache's device. */
    public NDArray scalar(float value) {
        return scalar(value, DataType.FLOAT32);
    }

    /** The 0-d constant {@code value} of the given type on the cache's device. */
    public NDArray scalar(double value, DataType type) {
        String key = type + ":" + Double.doubleToLongBits(value);
        return cache.computeIfAbsent(
                key,
                k -> {
                    NDArray a = manager.create((float) value).toType(type, false);
                    a.attach(manager);
                    return a;
                });
    }

    /** The device the constants live on. */
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public void close() {
        manager.close();
        cache.clear();
    }
}
