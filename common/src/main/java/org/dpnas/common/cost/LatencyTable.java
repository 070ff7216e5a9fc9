package org.dpnas.common.cost;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.dpnas.common.run.AtomicFiles;

/**
 * A per-op latency lookup table for one device and thread count: median milliseconds of single-op
 * blocks keyed by op kind, configuration and input shape (for example {@code "conv k3 s1 d2 g1
 * cin32 cout32 @1x32x48x48"}), measured once with a {@link LatencyMeter} so that a search can price
 * candidate ops without running them. Saved as JSON atomically, with the device, the thread count
 * and the engine version it was measured with.
 *
 * <p>Not thread-safe.
 */
public final class LatencyTable {

    private final String device;
    private final int threads;
    private final String engineVersion;
    private final SortedMap<String, Double> entries = new TreeMap<>();

    /**
     * Creates an empty table.
     *
     * @param device the device entries are measured on, as {@link ai.djl.Device#toString()}
     * @param threads libtorch intra-op threads
     * @param engineVersion the engine's version, for example {@code "2.7.1"}
     */
    public LatencyTable(String device, int threads, String engineVersion) {
        this.device = Objects.requireNonNull(device, "device");
        this.threads = threads;
        this.engineVersion = Objects.requireNonNull(engineVersion, "engineVersion");
    }

    /**
     * Creates an empty table for a device with the engine's current thread count and version.
     *
     * @param device the device
     * @return the table
     */
    public static LatencyTable forDevice(ai.djl.Device device) {
        Engine engine = Engine.getInstance();
        return new LatencyTable(device.toString(), JniUtils.getNumThreads(), engine.getVersion());
    }

    /**
     * A table for a device with the engine's current thread count and version, holding the entries
     * of every file in {@code files} that exists and was measured under the same conditions (a
     * run's cached table, one the user names); a file measured elsewhere is reported and skipped,
     * so a search never prices ops with another machine's numbers.
     *
     * @param device the device
     * @param files candidate tables, read in order (later entries win)
     * @param console where reuse or skipping is reported
     * @return the table
     * @throws IOException if an existing file is not a latency table
     */
    public static LatencyTable reuse(ai.djl.Device device, List<Path> files, PrintStream console)
            throws IOException {
        LatencyTable table = forDevice(device);
        for (Path p : files) {
            if (!Files.isRegularFile(p)) {
                continue;
            }
            LatencyTable t = load(p);
            if (t.matches(table.device(), table.threads(), table.engineVersion())) {
                t.entries().forEach(table::put);
                console.println(
                        "latency table: reusing " + t.entries().size() + " entries from " + p);
            } else {
                console.println(
                        "latency table: "
                                + p
                                + " was measured on "
                                + t.device()
                                + " with "
                                + t.threads()
                                + " threads (engine "
                                + t.engineVersion()
                                + "); measuring anew");
            }
        }
        return table;
    }

    /**
     * The key of a 2-d convolution.
     *
     * @param kernel square kernel size
     * @param stride stride
     * @param dilation dilation
     * @param groups groups
     * @param cin input channels
     * @param cout output channels
     * @param input input shape (N, Cin, H, W)
     * @return for example {@code "conv k3 s1 d2 g1 cin32 cout32 @1x32x48x48"}
     */
    public static String convKey(
            int kernel, int stride, int dilation, int groups, long cin, long cout, Shape input) {
        return key(
                "conv k" + kernel + " s" + stride + " d" + dilation + " g" + groups + " cin" + cin
                        + " cout" + cout,
                input);
    }

    /**
     * The key of any op: its kind and configuration, then {@code @} and the input shape.
     *
     * @param opAndConfig op kind and configuration, for example {@code "avgpool k3 s1"}
     * @param input the input shape
     * @return for example {@code "avgpool k3 s1 @1x32x48x48"}
     */
    public static String key(String opAndConfig, Shape input) {
        return opAndConfig.strip() + " @" + dims(input);
    }

    /**
     * Formats a shape as {@code 1x32x48x48}.
     *
     * @param shape the shape
     * @return its dimensions joined by {@code x}
     */
    public static String dims(Shape shape) {
        StringBuilder b = new StringBuilder();
        for (long d : shape.getShape()) {
            if (b.length() > 0) {
                b.append('x');
            }
            b.append(d);
        }
        return b.toString();
    }

    /** The device entries were measured on. */
    public String device() {
        return device;
    }

    /** The libtorch intra-op thread count entries were measured with. */
    public int threads() {
        return threads;
    }

    /** The engine version entries were measured with. */
    public String engineVersion() {
        return engineVersion;
    }

    /** All entries, key to median milliseconds, sorted by key (unmodifiable view). */
    public SortedMap<String, Double> entries() {
        return Collections.unmodifiableSortedMap(entries);
    }

    /**
     * Returns the measured latency of an op.
     *
     * @param key the op's key
     * @return median milliseconds, or empty if the op was never measured
     */
    public OptionalDouble lookup(String key) {
        Double ms = entries.get(key);
        return ms == null ? OptionalDouble.empty() : OptionalDouble.of(ms);
    }

    /**
     * Records a latency.
     *
     * @param key the op's key
     * @param ms median milliseconds, finite and ≥ 0
     */
    public void put(String key, double ms) {
        if (!(ms >= 0) || Double.isInfinite(ms)) {
            throw new IllegalArgumentException("latency must be finite and >= 0, got " + ms);
        }
        entries.put(Objects.requireNonNull(key, "key"), ms);
    }

    /**
     * Returns an op's latency from the table, measuring and recording it first if it is missing:
     * the block is built, initialised in a sub-manager of {@code manager} for {@code input} and
     * timed with {@code meter}.
     *
     * @param key the op's key
     * @param op builds the single-op block, uninitialised
     * @param input the op's input shape
     * @param manager where the block and its inputs live (its device should be this table's)
     * @param meter the meter
     * @return median milliseconds
     */
    public double getOrMeasure(
            String key, Supplier<Block> op, Shape input, NDManager manager, LatencyMeter meter) {
        OptionalDouble known = lookup(key);
        if (known.isPresent()) {
            return known.getAsDouble();
        }
        try (NDManager sub = manager.newSubManager()) {
            Block block = op.get();
            block.initialize(sub, DataType.FLOAT32, input);
            double ms = meter.measure(block, sub, input).medianMs();
            put(key, ms);
            return ms;
        }
    }

    /**
     * Returns whether this table was measured under the given conditions, so that its numbers
     * apply.
     *
     * @param device the device, as {@link ai.djl.Device#toString()}
     * @param threads the thread count
     * @param engineVersion the engine version
     * @return {@code true} if all three match
     */
    public boolean matches(String device, int threads, String engineVersion) {
        return this.device.equals(device)
                && this.threads == threads
                && this.engineVersion.equals(engineVersion);
    }

    /**
     * The table as JSON: {@code device}, {@code threads}, {@code engine_version} and {@code
     * entries} (key to milliseconds, sorted).
     *
     * @return a new JSON object
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("device", device);
        o.addProperty("threads", threads);
        o.addProperty("engine_version", engineVersion);
        JsonObject e = new JsonObject();
        entries.forEach(e::addProperty);
        o.add("entries", e);
        return o;
    }

    /**
     * Writes the table atomically (temporary file, then rename): a reader never sees half a table.
     *
     * @param file the target
     * @throws IOException if writing fails
     */
    public void save(Path file) throws IOException {
        AtomicFiles.writeString(
                file, new GsonBuilder().setPrettyPrinting().create().toJson(toJson()) + "\n");
    }

    /**
     * Reads a table written by {@link #save}.
     *
     * @param file the file
     * @return the table
     * @throws IOException if reading fails or the file is not a latency table
     */
    public static LatencyTable load(Path file) throws IOException {
        try {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            LatencyTable t =
                    new LatencyTable(
                            o.get("device").getAsString(),
                            o.get("threads").getAsInt(),
                            o.get("engine_version").getAsString());
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("entries").entrySet()) {
                t.put(e.getKey(), e.getValue().getAsDouble());
            }
            return t;
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a latency table (" + e.getMessage() + ")", e);
        }
    }
}
