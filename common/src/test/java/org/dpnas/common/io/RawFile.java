package org.dpnas.common.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds safetensors bytes by hand (any dtype, any header), for tests of the reader. */
final class RawFile {

    private final List<String> entries = new ArrayList<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** Adds a tensor with its raw little-endian bytes and a correct header entry. */
    RawFile add(String name, String dtype, long[] shape, byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (long d : shape) {
            s.append(s.length() == 0 ? "" : ",").append(d);
        }
        entries.add(
                String.format(
                        "\"%s\":{\"dtype\":\"%s\",\"shape\":[%s],\"data_offsets\":[%d,%d]}",
                        name, dtype, s, data.size(), data.size() + bytes.length));
        data.writeBytes(bytes);
        return this;
    }

    /** Adds a float32 tensor. */
    RawFile f32(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return add(name, "F32", shape, b.array());
    }

    /** The file's bytes with the given header text instead of the built one (null: built). */
    byte[] bytes(String header) {
        String h = header != null ? header : "{" + String.join(",", entries) + "}";
        byte[] json = h.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + json.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json).put(data.toByteArray());
        return b.array();
    }

    /** The file's bytes. */
    byte[] bytes() {
        return bytes(null);
    }

    static byte[] shorts(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    static byte[] longs(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }
}
