package org.dpnas.common.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dpnas.common.run.AtomicFiles;

/**
 * A safetensors file (https://github.com/huggingface/safetensors, the format PyTorch users share
 * weights in): an 8-byte little-endian header length N, N bytes of a UTF-8 JSON object mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (plus an optional {@code
 * "__metadata__"} map of strings), then the raw little-endian data, offsets relative to its start.
 *
 * <p>{@link #open} validates the whole header before any data is read: a header length beyond the
 * file or above {@value #MAX_HEADER_BYTES} bytes, a header that is not a JSON object, an unknown
 * dtype, a malformed shape or offset pair, a byte span that does not match dtype and shape, data
 * beyond the end of the file and overlapping tensors are each refused with a {@link
 * SafeTensorsException} naming the file and the tensor. Values are read on demand as floats or
 * doubles from F32, F64, F16 and BF16; {@link #write} writes F32.
 */
public final class SafeTensors implements AutoCloseable {

    /** The largest header accepted (the reference implementation's limit, 100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The header key of the free-form string metadata. */
    public static final String METADATA = "__metadata__";

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(
            Path file,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens a file and validates its header.
     *
     * @param file the file
     * @return the open file; close it when done
     * @throws SafeTensorsException when the file is missing, unreadable or not a valid safetensors
     *     file (the message names the file and the tensor)
     */
    public static SafeTensors open(Path file) throws SafeTensorsException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafeTensorsException(file, null, "no such file");
        } catch (IOException e) {
            throw new SafeTensorsException(file, null, "cannot open: " + e.getMessage());
        }
        try {
            SafeTensors st = parse(file, ch);
            ch = null;
            return st;
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the parse error is the one to report
                }
            }
        }
    }

    private static SafeTensors parse(Path file, FileChannel ch) throws SafeTensorsException {
        long fileSize;
        try {
            fileSize = ch.size();
        } catch (IOException e) {
            throw new SafeTensorsException(file, null, "cannot read: " + e.getMessage());
        }
        if (fileSize < 8) {
            throw new SafeTensorsException(
                    file,
                    null,
                    "truncated: " + fileSize + " bytes, shorter than the 8-byte header length");
        }
        long n = readAt(file, ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER_BYTES || n > fileSize - 8) {
            throw new SafeTensorsException(
                    file,
                    null,
                    "header length "
                            + Long.toUnsignedString(n)
                            + " is impossible for a file of "
                            + fileSize
                            + " bytes (at most "
                            + Math.min(MAX_HEADER_BYTES, fileSize - 8)
                            + "): not a safetensors file, or truncated");
        }
        ByteBuffer headerBytes = readAt(file, ch, 8, (int) n);
        String text;
        try {
            text =
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(headerBytes)
                            .toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, null, "header is not UTF-8 text");
        }
        JsonObject header = parseHeader(file, text);
        long dataStart = 8 + n;
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                tensors.put(e.getKey(), entry(file, e.getKey(), e.getValue(), dataSize));
            }
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparing(TensorInfo::end));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo prev = byOffset.get(i - 1);
            TensorInfo cur = byOffset.get(i);
            if (cur.begin() < prev.end() && cur.end() > cur.begin()) {
                throw new SafeTensorsException(
                        file,
                        cur.name(),
                        "data_offsets ["
                                + cur.begin()
                                + ", "
                                + cur.end()
                                + ") overlap tensor '"
                                + prev.name()
                                + "' at ["
                                + prev.begin()
                                + ", "
                                + prev.end()
                                + ")");
            }
        }
        return new SafeTensors(
                file,
                ch,
                dataStart,
                Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static JsonObject parseHeader(Path file, String text) throws SafeTensorsException {
        JsonElement root;
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setLenient(false);
            root = new Gson().getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new SafeTensorsException(file, null, "header has text after its JSON object");
            }
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SafeTensorsException(
                    file, null, "header is not valid JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isJsonObject()) {
            throw new SafeTensorsException(file, null, "header is not a JSON object");
        }
        return root.getAsJsonObject();
    }

    private static void readMetadata(Path file, JsonElement value, Map<String, String> out)
            throws SafeTensorsException {
        if (!value.isJsonObject()) {
            throw new SafeTensorsException(file, null, METADATA + " is not a JSON object");
        }
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new SafeTensorsException(
                        file, null, METADATA + " value of '" + m.getKey() + "' is not a string");
            }
            out.put(m.getKey(), v.getAsString());
        }
    }

    private static TensorInfo entry(Path file, String name, JsonElement value, long dataSize)
            throws SafeTensorsException {
        if (!value.isJsonObject()) {
            throw new SafeTensorsException(file, name, "header entry is not a JSON object");
        }
        JsonObject o = value.getAsJsonObject();
        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
            throw new SafeTensorsException(file, name, "missing or non-string 'dtype'");
        }
        DType dtype = DType.parse(dt.getAsString());
        if (dtype == null) {
            throw new SafeTensorsException(
                    file, name, "unsupported dtype '" + dt.getAsString() + "'");
        }
        long[] shape = longs(file, name, o.get("shape"), "shape", -1);
        long[] offsets = longs(file, name, o.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafeTensorsException(
                    file, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long bytes;
        try {
            long count = 1;
            for (long d : shape) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(
                    file, name, "shape " + shapeText(shape) + " is too large");
        }
        if (end - begin != bytes) {
            throw new SafeTensorsException(
                    file,
                    name,
                    "data_offsets ["
                            + begin
                            + ", "
                            + end
                            + "] span "
                            + (end - begin)
                            + " bytes, but "
                            + dtype
                            + " "
                            + shapeText(shape)
                            + " needs "
                            + bytes);
        }
        if (end > dataSize) {
            throw new SafeTensorsException(
                    file,
                    name,
                    "data out of range: ends at byte "
                            + end
                            + " of a data section of "
                            + dataSize
                            + " bytes (truncated file?)");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] longs(Path file, String name, JsonElement e, String key, int length)
            throws SafeTensorsException {
        if (e == null || !e.isJsonArray()) {
            throw new SafeTensorsException(file, name, "missing or non-array '" + key + "'");
        }
        JsonArray a = e.getAsJsonArray();
        if (length >= 0 && a.size() != length) {
            throw new SafeTensorsException(
                    file, name, "'" + key + "' must have " + length + " entries, has " + a.size());
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = a.get(i);
            long x;
            try {
                JsonPrimitive p = v.getAsJsonPrimitive();
                if (!p.isNumber()) {
                    throw new NumberFormatException();
                }
                x = p.getAsBigDecimal().longValueExact();
            } catch (RuntimeException ex) {
                throw new SafeTensorsException(
                        file, name, "'" + key + "' entry " + v + " is not an integer");
            }
            if (x < 0) {
                throw new SafeTensorsException(
                        file, name, "'" + key + "' entry " + x + " is negative");
            }
            out[i] = x;
        }
        return out;
    }

    private static ByteBuffer readAt(Path file, FileChannel ch, long position, int length)
            throws SafeTensorsException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        try {
            while (buf.hasRemaining()) {
                int r = ch.read(buf, position + buf.position());
                if (r < 0) {
                    throw new SafeTensorsException(
                            file, null, "truncated: ends at byte " + (position + buf.position()));
                }
            }
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsException(file, null, "cannot read: " + e.getMessage());
        }
        buf.flip();
        return buf;
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The tensors in header order, by name. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * A tensor's header entry.
     *
     * @param name the tensor name
     * @return the entry
     * @throws SafeTensorsException when the file has no such tensor
     */
    public TensorInfo info(String name) throws SafeTensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafeTensorsException(file, name, "no such tensor in the file");
        }
        return t;
    }

    /**
     * Reads a tensor's values as floats (F16 and BF16 widened exactly, F64 rounded).
     *
     * @param name the tensor name
     * @return the values in row-major order
     * @throws SafeTensorsException for a missing tensor, a dtype that is not a float type, or a
     *     read error
     */
    public float[] readFloats(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        ByteBuffer b = data(t);
        int n = (int) t.size();
        float[] out = new float[n];
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16);
                }
            }
            default -> throw unreadable(t);
        }
        return out;
    }

    /**
     * Reads a tensor's values as doubles (every float type converted exactly).
     *
     * @param name the tensor name
     * @return the values in row-major order
     * @throws SafeTensorsException as {@link #readFloats}
     */
    public double[] readDoubles(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        if (t.dtype() == DType.F64) {
            double[] out = new double[(int) t.size()];
            data(t).asDoubleBuffer().get(out);
            return out;
        }
        float[] f = readFloats(name);
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    private SafeTensorsException unreadable(TensorInfo t) {
        return new SafeTensorsException(
                file,
                t.name(),
                "unsupported dtype " + t.dtype() + " (readable: F32, F64, F16, BF16)");
    }

    private ByteBuffer data(TensorInfo t) throws SafeTensorsException {
        if (!t.dtype().isReadableFloat()) {
            throw unreadable(t);
        }
        long bytes = t.end() - t.begin();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsException(
                    file, t.name(), "tensor of " + bytes + " bytes is too large to read");
        }
        return readAt(file, channel, dataStart + t.begin(), (int) bytes)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Converts an IEEE 754 half-precision value to a float, exactly. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * A float32 tensor to write.
     *
     * @param shape its shape
     * @param data its values in row-major order
     */
    public record Tensor(long[] shape, float[] data) {

        /**
         * Checks that the shape holds exactly the values.
         *
         * @throws IllegalArgumentException when it does not
         */
        public Tensor {
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in " + shapeText(shape));
                }
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "shape "
                                + shapeText(shape)
                                + " holds "
                                + n
                                + " values, got "
                                + data.length);
            }
        }
    }

    /**
     * Writes float32 tensors to a file atomically (temporary file, then rename), in the given
     * order, with the header padded by spaces to a multiple of 8 bytes as the reference writer
     * does.
     *
     * @param file the file
     * @param tensors the tensors by name (insertion order is kept)
     * @param metadata string metadata, may be empty
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add(METADATA, m);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("a tensor may not be named " + METADATA);
            }
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4L * e.getValue().data().length;
            offsets.add(offset);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        AtomicFiles.write(
                file,
                out -> {
                    out.write(head.array());
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                    for (Tensor t : tensors.values()) {
                        for (float v : t.data()) {
                            if (!chunk.hasRemaining()) {
                                out.write(chunk.array(), 0, chunk.position());
                                chunk.clear();
                            }
                            chunk.putFloat(v);
                        }
                    }
                    out.write(chunk.array(), 0, chunk.position());
                });
    }

    /** A shape as text, for example {@code (64, 3, 7, 7)}. */
    public static String shapeText(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }
}
