package org.dpnas.autodeeplab;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.GenotypeFiles;
import org.dpnas.common.search.darts.CellEdge;

/**
 * An Auto-DeepLab architecture as plain data (Liu et al., CVPR 2019, Sec. 3.3): the cell — two
 * (input, op) pairs per block, input 0 = H^{l−2}, 1 = H^{l−1}, 2 + i = block i — and the network
 * path, the level (0..3 = stride 4..32) of each layer, with the sizes it was searched at. Saved as
 * {@code genotype.json} with {@code "schema": 1} and {@code "method": "autodeeplab"}.
 *
 * @param filterMultiplier F
 * @param blocks B, blocks per cell
 * @param layers L
 * @param cell per block, its two chosen inputs with their ops (strongest first)
 * @param networkPath the level of each of the L layers
 */
public record AutoDeepLabGenotype(
        int filterMultiplier,
        int blocks,
        int layers,
        List<List<CellEdge>> cell,
        List<Integer> networkPath)
        implements Genotype {

    /** The schema version written and accepted. */
    public static final int SCHEMA = 1;

    /** The method name written and accepted. */
    public static final String METHOD = "autodeeplab";

    /** The path the paper reports (TF DeepLab {@code hnasnet}), level per layer at L = 12. */
    public static final List<Integer> PAPER_PATH = List.of(0, 0, 0, 1, 2, 1, 2, 2, 3, 3, 2, 1);

    /** Validates the genotype, naming the first problem. */
    public AutoDeepLabGenotype {
        if (filterMultiplier < 1 || blocks < 1 || layers < 1) {
            throw new IllegalArgumentException(
                    "genotype sizes must be positive, got F="
                            + filterMultiplier
                            + ", B="
                            + blocks
                            + ", L="
                            + layers);
        }
        cell = List.copyOf(cell.stream().map(List::copyOf).toList());
        networkPath = List.copyOf(networkPath);
        if (cell.size() != blocks) {
            throw new IllegalArgumentException(
                    "cell has " + cell.size() + " blocks, expected " + blocks);
        }
        for (int i = 0; i < blocks; i++) {
            List<CellEdge> b = cell.get(i);
            if (b.size() != 2) {
                throw new IllegalArgumentException(
                        "block " + i + " has " + b.size() + " inputs, expected 2");
            }
            if (b.get(0).input() == b.get(1).input()) {
                throw new IllegalArgumentException("block " + i + " uses input twice");
            }
            for (CellEdge e : b) {
                if (e.input() < 0 || e.input() >= i + 2) {
                    throw new IllegalArgumentException(
                            "block " + i + " input " + e.input() + " outside [0, " + (i + 2) + ")");
                }
                OpSpec op = OpSpec.fromName(e.op());
                if (op == OpSpec.NONE) {
                    throw new IllegalArgumentException("block " + i + " chooses the op 'none'");
                }
            }
        }
        if (networkPath.size() != layers) {
            throw new IllegalArgumentException(
                    "network path has " + networkPath.size() + " layers, expected " + layers);
        }
        int prev = 0;
        for (int l = 0; l < layers; l++) {
            int s = networkPath.get(l);
            if (!NetworkSpace.exists(l, s) || Math.abs(s - prev) > 1) {
                throw new IllegalArgumentException(
                        "network path "
                                + networkPath
                                + " cannot reach level "
                                + s
                                + " at layer "
                                + l);
            }
            prev = s;
        }
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public int schema() {
        return SCHEMA;
    }

    /** The genotype as {@code genotype.json} text. */
    @Override
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("schema", SCHEMA);
        o.addProperty("method", METHOD);
        o.addProperty("filter_multiplier", filterMultiplier);
        o.addProperty("blocks", blocks);
        o.addProperty("layers", layers);
        JsonArray c = new JsonArray();
        for (List<CellEdge> b : cell) {
            JsonArray block = new JsonArray();
            for (CellEdge e : b) {
                JsonObject edge = new JsonObject();
                edge.addProperty("input", e.input());
                edge.addProperty("op", e.op());
                block.add(edge);
            }
            c.add(block);
        }
        o.add("cell", c);
        JsonArray p = new JsonArray();
        networkPath.forEach(p::add);
        o.add("network_path", p);
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        return gson.toJson(o) + "\n";
    }

    /**
     * Parses {@code genotype.json} text.
     *
     * @throws IllegalArgumentException for another schema or method, a missing field or an invalid
     *     architecture
     */
    public static AutoDeepLabGenotype fromJson(String json) {
        JsonObject o = GenotypeFiles.parse(json);
        GenotypeFiles.checkHeader(o, SCHEMA, METHOD);
        List<List<CellEdge>> cell = new ArrayList<>();
        for (JsonElement b : GenotypeFiles.field(o, "cell").getAsJsonArray()) {
            List<CellEdge> block = new ArrayList<>();
            for (JsonElement e : b.getAsJsonArray()) {
                JsonObject edge = e.getAsJsonObject();
                block.add(
                        new CellEdge(
                                GenotypeFiles.integer(edge, "input"),
                                GenotypeFiles.field(edge, "op").getAsString()));
            }
            cell.add(block);
        }
        List<Integer> path = new ArrayList<>();
        for (JsonElement s : GenotypeFiles.field(o, "network_path").getAsJsonArray()) {
            path.add(s.getAsInt());
        }
        return new AutoDeepLabGenotype(
                GenotypeFiles.integer(o, "filter_multiplier"),
                GenotypeFiles.integer(o, "blocks"),
                GenotypeFiles.integer(o, "layers"),
                cell,
                path);
    }

    /** Writes {@code genotype.json} atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    /** Reads a {@code genotype.json}. */
    public static AutoDeepLabGenotype read(Path file) throws IOException {
        return fromJson(Files.readString(file, StandardCharsets.UTF_8));
    }
}
