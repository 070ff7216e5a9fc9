package org.dpnas.common.search.strategies;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.SearchSpace;

/**
 * A {@link LatencyProbe} that builds the child's fixed network from its space, initialises it on
 * the run's device and times it with the core's {@link LatencyMeter} (the measurement {@code dpnas
 * cost} reports) on one input of the given shape. The result goes to {@code latency.json} in the
 * child's run directory, so a resumed child reuses its measurement instead of timing again.
 *
 * @param <G> the genotype type
 */
public final class BuiltLatency<G extends Genotype> implements LatencyProbe<G> {

    /** The file in a child's run directory that keeps its measurement. */
    public static final String FILE = "latency.json";

    private final SearchSpace<G> space;
    private final int numClasses;
    private final Shape input;
    private final Device device;
    private final LatencyMeter meter;

    /**
     * Creates the probe.
     *
     * @param space builds the child's network
     * @param numClasses the network's output classes
     * @param input the input shape, e.g. (1, 3, H, W)
     * @param device the run's device
     * @param warmup untimed passes
     * @param runs timed passes
     */
    public BuiltLatency(
            SearchSpace<G> space,
            int numClasses,
            Shape input,
            Device device,
            int warmup,
            int runs) {
        this.space = space;
        this.numClasses = numClasses;
        this.input = input;
        this.device = device;
        this.meter = new LatencyMeter(warmup, runs);
    }

    @Override
    public double latencyMs(G genotype, Path runDir) throws Exception {
        Path file = runDir.resolve(FILE);
        if (Files.exists(file)) {
            JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            if (o.has("median_ms")) {
                return o.get("median_ms").getAsDouble();
            }
        }
        Block block = space.build(genotype, numClasses);
        LatencyMeter.Result r;
        try (NDManager base = NDManager.newBaseManager(device)) {
            block.initialize(base, DataType.FLOAT32, input);
            r = meter.measure(block, base, input);
        }
        JsonObject o = new JsonObject();
        o.addProperty("median_ms", r.medianMs());
        o.addProperty("p10_ms", r.p10Ms());
        o.addProperty("p90_ms", r.p90Ms());
        o.addProperty("runs", r.runs());
        o.addProperty("warmup", r.warmup());
        o.addProperty("threads", r.threads());
        o.addProperty("device", r.device());
        o.addProperty("input", org.dpnas.common.cost.LatencyTable.dims(input));
        Files.createDirectories(runDir);
        AtomicFiles.writeString(file, o + "\n");
        return r.medianMs();
    }
}
