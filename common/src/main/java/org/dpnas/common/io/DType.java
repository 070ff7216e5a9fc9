package org.dpnas.common.io;

/**
 * The element types of the safetensors format (the names its header uses) and their sizes in bytes.
 * Only {@link #F32}, {@link #F64}, {@link #F16} and {@link #BF16} can be read as numbers here; the
 * others may appear in a file (PyTorch's {@code num_batches_tracked} is {@code I64}).
 */
public enum DType {
    /** IEEE 754 double. */
    F64(8),
    /** IEEE 754 single. */
    F32(4),
    /** IEEE 754 half. */
    F16(2),
    /** bfloat16: the upper half of an IEEE single. */
    BF16(2),
    /** 64-bit signed integer. */
    I64(8),
    /** 32-bit signed integer. */
    I32(4),
    /** 16-bit signed integer. */
    I16(2),
    /** 8-bit signed integer. */
    I8(1),
    /** 64-bit unsigned integer. */
    U64(8),
    /** 32-bit unsigned integer. */
    U32(4),
    /** 16-bit unsigned integer. */
    U16(2),
    /** 8-bit unsigned integer. */
    U8(1),
    /** boolean, one byte. */
    BOOL(1),
    /** 8-bit float, 4 exponent bits. */
    F8_E4M3(1),
    /** 8-bit float, 5 exponent bits. */
    F8_E5M2(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Whether values of this type can be read as floating-point numbers here. */
    public boolean isReadableFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * The type named in a header.
     *
     * @param name the header's name, for example {@code "F32"}
     * @return the type, or null when the name is unknown
     */
    public static DType parse(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
