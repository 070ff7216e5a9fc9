package org.dpnas.nasfpn;

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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.GenotypeFiles;

/**
 * A feature-pyramid architecture as a list of merging cells (Ghiasi et al., "NAS-FPN", CVPR 2019,
 * section 3.1), saved as {@code genotype.json} with {@code "schema": 1} and {@code "method":
 * "nasfpn"}. The last {@code L = maxLevel − minLevel + 1} cells are the output pyramid and must
 * cover every level once; when such an output cell is built, every earlier node of its level that
 * no cell has read yet is added to it ("outputs absorb unused nodes").
 *
 * @param minLevel lowest level (3)
 * @param maxLevel highest level (7)
 * @param cells the merging cells in build order
 */
public record PyramidGenotype(int minLevel, int maxLevel, List<MergingCell> cells)
        implements Genotype {

    /** The schema version written and accepted. */
    public static final int SCHEMA = 1;

    /** The method name written and accepted. */
    public static final String METHOD = "nasfpn";

    /** Validates the genotype, naming the first problem. */
    public PyramidGenotype {
        if (minLevel < 1 || maxLevel < minLevel || maxLevel > 10) {
            throw new IllegalArgumentException(
                    "pyramid levels must satisfy 1 <= min <= max <= 10, got "
                            + minLevel
                            + ".."
                            + maxLevel);
        }
        cells = List.copyOf(cells);
        int levels = maxLevel - minLevel + 1;
        if (cells.size() < levels) {
            throw new IllegalArgumentException(
                    "a pyramid needs at least "
                            + levels
                            + " cells (one per output level), got "
                            + cells.size());
        }
        for (int i = 0; i < cells.size(); i++) {
            MergingCell c = cells.get(i);
            int nodes = levels + i;
            for (int in : new int[] {c.input1(), c.input2()}) {
                if (in < 0 || in >= nodes) {
                    throw new IllegalArgumentException(
                            "cell " + i + " reads node " + in + " outside [0, " + nodes + ")");
                }
            }
            if (c.level() < minLevel || c.level() > maxLevel) {
                throw new IllegalArgumentException(
                        "cell "
                                + i
                                + " outputs level "
                                + c.level()
                                + " outside "
                                + minLevel
                                + ".."
                                + maxLevel);
            }
        }
        Set<Integer> outs = new HashSet<>();
        for (int i = cells.size() - levels; i < cells.size(); i++) {
            if (!outs.add(cells.get(i).level())) {
                throw new IllegalArgumentException(
                        "output cells repeat level "
                                + cells.get(i).level()
                                + ": the last "
                                + levels
                                + " cells must cover each level once");
            }
        }
    }

    /**
     * The published NAS-FPN pyramid: the 7 merging cells of the paper's Figure 7(f), node numbering
     * as tensorflow/tpu's {@code NASFPN_BLOCK_SPECS} (0–4 = P3–P7).
     */
    public static PyramidGenotype nasFpn() {
        return new PyramidGenotype(
                3,
                7,
                List.of(
                        new MergingCell(1, 3, 4, "attention"),
                        new MergingCell(1, 5, 4, "sum"),
                        new MergingCell(0, 6, 3, "sum"),
                        new MergingCell(6, 7, 4, "sum"),
                        new MergingCell(7, 8, 5, "attention"),
                        new MergingCell(6, 9, 7, "attention"),
                        new MergingCell(9, 10, 6, "attention")));
    }

    /**
     * Plain FPN's top-down path (Lin et al., CVPR 2017) as merging cells, so FPN and NAS-FPN share
     * one code path: P6' = P6 + up(P7), P5' = P5 + up(P6'), P4', P3' likewise, and P7' = P7 +
     * down(P6') to give the fifth output level. Each cell ends in the ReLU-conv-BN every merging
     * cell has (FPN's 3×3 output conv).
     */
    public static PyramidGenotype fpn() {
        return new PyramidGenotype(
                3,
                7,
                List.of(
                        new MergingCell(3, 4, 6, "sum"),
                        new MergingCell(2, 5, 5, "sum"),
                        new MergingCell(1, 6, 4, "sum"),
                        new MergingCell(0, 7, 3, "sum"),
                        new MergingCell(4, 5, 7, "sum")));
    }

    /** A built-in genotype by name ({@code fpn}, {@code nasfpn}). */
    public static PyramidGenotype builtIn(String name) {
        return switch (name) {
            case "fpn" -> fpn();
            case "nasfpn" -> nasFpn();
            default ->
                    throw new IllegalArgumentException(
                            "unknown built-in pyramid '" + name + "': expected fpn or nasfpn");
        };
    }

    /** Number of pyramid levels. */
    public int levels() {
        return maxLevel - minLevel + 1;
    }

    /** The level of a node. */
    public int levelOf(int node) {
        return node < levels() ? minLevel + node : cells.get(node - levels()).level();
    }

    /**
     * For every cell, the earlier nodes its output absorbs: for output cells, the nodes of the same
     * level that no cell read before it (and no earlier output absorbed); empty for other cells.
     */
    public List<List<Integer>> absorbed() {
        int l = levels();
        int total = l + cells.size();
        int[] reads = new int[total];
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < cells.size(); i++) {
            MergingCell c = cells.get(i);
            reads[c.input1()]++;
            reads[c.input2()]++;
            List<Integer> a = new ArrayList<>();
            if (i >= cells.size() - l) {
                for (int j = 0; j < l + i; j++) {
                    if (reads[j] == 0 && levelOf(j) == c.level()) {
                        reads[j]++;
                        a.add(j);
                    }
                }
            }
            out.add(List.copyOf(a));
        }
        return out;
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public int schema() {
        return SCHEMA;
    }

    @Override
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("schema", SCHEMA);
        o.addProperty("method", METHOD);
        o.addProperty("min_level", minLevel);
        o.addProperty("max_level", maxLevel);
        JsonArray a = new JsonArray();
        for (MergingCell c : cells) {
            JsonObject e = new JsonObject();
            e.addProperty("input1", c.input1());
            e.addProperty("input2", c.input2());
            e.addProperty("level", c.level());
            e.addProperty("op", c.op());
            a.add(e);
        }
        o.add("cells", a);
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        return gson.toJson(o) + "\n";
    }

    /**
     * Parses {@code genotype.json} text.
     *
     * @throws IllegalArgumentException for another schema or method, a missing field or an invalid
     *     pyramid
     */
    public static PyramidGenotype fromJson(String json) {
        JsonObject o = GenotypeFiles.parse(json);
        int schema = GenotypeFiles.integer(o, "schema");
        if (schema != SCHEMA) {
            throw new IllegalArgumentException(
                    "genotype schema " + schema + " is not supported (expected " + SCHEMA + ")");
        }
        String method = GenotypeFiles.field(o, "method").getAsString();
        if (!METHOD.equals(method)) {
            throw new IllegalArgumentException(
                    "genotype is for method '" + method + "', not '" + METHOD + "'");
        }
        List<MergingCell> cells = new ArrayList<>();
        for (JsonElement e : GenotypeFiles.field(o, "cells").getAsJsonArray()) {
            JsonObject c = e.getAsJsonObject();
            cells.add(
                    new MergingCell(
                            GenotypeFiles.integer(c, "input1"),
                            GenotypeFiles.integer(c, "input2"),
                            GenotypeFiles.integer(c, "level"),
                            GenotypeFiles.field(c, "op").getAsString()));
        }
        return new PyramidGenotype(
                GenotypeFiles.integer(o, "min_level"),
                GenotypeFiles.integer(o, "max_level"),
                cells);
    }

    /** Writes {@code genotype.json} atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    /** Reads a {@code genotype.json}. */
    public static PyramidGenotype read(Path file) throws IOException {
        return fromJson(Files.readString(file, StandardCharsets.UTF_8));
    }
}
