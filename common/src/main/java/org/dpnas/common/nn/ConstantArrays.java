package org.dpnas.common.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A bounded, least-recently-used cache of constant arrays (pooling divisors, interpolation
 * matrices, selection matrices, BN's constant γ and β) keyed by name, device and data type.
 *
 * <p>A supernet asks for one constant per input size, so an unbounded cache grows with every new
 * image size a run sees. This one holds at most {@link #capacity()} arrays; the least recently used
 * is closed when a new one would exceed it. The capacity is far above the number of constants one
 * training step uses, so an evicted array is never one that a live autograd graph still reads.
 */
public final class ConstantArrays {

    /** The cache shared by the suite's blocks; 512 arrays is far above one network's needs. */
    private static final ConstantArrays SHARED = new ConstantArrays(512);

    /** A constant's values and shape. */
    public record Values(float[] data, Shape shape) {}

    private final int capacity;
    private final Map<Device, NDManager> managers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Held> arrays = new LinkedHashMap<>(16, 0.75f, true);

    /** A constant and the manager that owns it (and the buffer it was made from). */
    private record Held(NDManager owner, NDArray array) {}

    /**
     * Creates a cache.
     *
     * @param capacity the most arrays kept at once (≥ 1)
     */
    public ConstantArrays(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** The cache shared by the suite's blocks. */
    public static ConstantArrays shared() {
        return SHARED;
    }

    /**
     * The constant named {@code key} on {@code device} in {@code type}, computed by {@code values}
     * (as float32 values, converted) the first time or after it was evicted.
     *
     * @param key what the constant is, including every size it depends on
     * @param device the device
     * @param type the data type
     * @param values computes the values
     * @return the cached array; do not close it
     */
    public synchronized NDArray get(
            String key, Device device, DataType type, Supplier<Values> values) {
        String full = key + "@" + device + ":" + type;
        Held held = arrays.get(full);
        if (held != null) {
            return held.array();
        }
        NDManager m = managers.computeIfAbsent(device, NDManager::newBaseManager);
        Values v = values.get();
        // one sub-manager per constant: closing it frees the array and the buffer it was made from
        NDManager own = m.newSubManager();
        NDArray src = own.create(v.data(), v.shape());
        NDArray a = src.getDataType() == type ? src : src.toType(type, false);
        // a constant outlives any NDScope it happens to be first asked for in
        NDScope.unregister(src, a);
        arrays.put(full, new Held(own, a));
        Iterator<Map.Entry<String, Held>> it = arrays.entrySet().iterator();
        while (arrays.size() > capacity && it.hasNext()) {
            Held oldest = it.next().getValue();
            it.remove();
            oldest.owner().close();
        }
        return a;
    }

    /** Constant ones (or zeros) of one length: γ and β of a non-affine BatchNorm. */
    public NDArray filled(Device device, DataType type, long size, boolean ones) {
        return get(
                (ones ? "ones" : "zeros") + ":" + size,
                device,
                type,
                () -> {
                    float[] d = new float[Math.toIntExact(size)];
                    if (ones) {
                        java.util.Arrays.fill(d, 1f);
                    }
                    return new Values(d, new Shape(size));
                });
    }

    /** The most arrays kept at once. */
    public int capacity() {
        return capacity;
    }

    /** Arrays held now. */
    public synchronized int size() {
        return arrays.size();
    }
}
