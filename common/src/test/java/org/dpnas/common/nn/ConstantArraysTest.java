package org.dpnas.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.dpnas.common.nn.ops.Pool3x3;
import org.junit.jupiter.api.Test;

class ConstantArraysTest {

    /** Many input sizes never hold more than the capacity, and a hit returns the same array. */
    @Test
    void staysBoundedOverManySizes() {
        ConstantArrays cache = new ConstantArrays(8);
        Device cpu = Device.cpu();
        NDArray first = null;
        for (int n = 1; n <= 200; n++) {
            int size = n;
            NDArray a =
                    cache.get(
                            "ramp:" + n,
                            cpu,
                            DataType.FLOAT32,
                            () -> new ConstantArrays.Values(new float[size], new Shape(size)));
            assertEquals(new Shape(n), a.getShape());
            assertTrue(cache.size() <= 8, "held " + cache.size());
            if (n == 200) {
                first = a;
            }
        }
        assertSame(first, cache.get("ramp:200", cpu, DataType.FLOAT32, () -> null));
        assertThrows(IllegalArgumentException.class, () -> new ConstantArrays(0));
    }

    /** The same key in another data type is another array with the same values. */
    @Test
    void keysIncludeTheDataType() {
        ConstantArrays cache = new ConstantArrays(4);
        NDArray f = cache.filled(Device.cpu(), DataType.FLOAT32, 3, true);
        NDArray d = cache.filled(Device.cpu(), DataType.FLOAT64, 3, true);
        assertEquals(DataType.FLOAT32, f.getDataType());
        assertEquals(DataType.FLOAT64, d.getDataType());
        assertArrayEquals(new double[] {1, 1, 1}, d.toDoubleArray());
    }

    /** The shared cache (pooling divisors here) stays within its capacity over many sizes. */
    @Test
    void sharedCacheIsBoundedOverManyInputSizes() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int h = 1; h <= 40; h++) {
                for (int w = 1; w <= 20; w++) {
                    Pool3x3.rescale(m.getDevice(), DataType.FLOAT32, h, w, 1);
                }
            }
            NDArray r = Pool3x3.rescale(m.getDevice(), DataType.FLOAT32, 2, 2, 1);
            assertArrayEquals(new float[] {9f / 4, 9f / 4, 9f / 4, 9f / 4}, r.toFloatArray());
            assertTrue(ConstantArrays.shared().size() <= ConstantArrays.shared().capacity());
        }
    }
}
