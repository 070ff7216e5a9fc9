package org.dpnas.common.io;

/**
 * One tensor's entry in a safetensors header.
 *
 * @param name the tensor's name
 * @param dtype its element type
 * @param shape its shape (empty for a scalar)
 * @param begin offset of its first byte within the data section
 * @param end offset one past its last byte within the data section
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {

    /** Number of elements (1 for a scalar). */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The shape as text, for example {@code (64, 3, 7, 7)}. */
    public String shapeText() {
        return SafeTensors.shapeText(shape);
    }
}
