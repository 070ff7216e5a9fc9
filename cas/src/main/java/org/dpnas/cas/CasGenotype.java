package org.dpnas.cas;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.nn.ops.OpSpec;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.GenotypeFiles;
import org.dpnas.common.search.darts.CellEdge;

/**
 * A CAS architecture (Zhang et al., CVPR 2019, Sec. 3): the normal cell and the reduction cell
 * (each shared by every cell of its type, DARTS edges: per block the kept inputs with their op),
 * the dilation rates of the multi-scale cell's kept branches (0 = identity branch), and the sizes
 * the network was searched at.
 *
 * @param normal the normal cell, one list of edges per block
 * @param reduce the reduction cell, one list of edges per block
 * @param multiscale kept branches of the multi-scale cell, by rate (0 = identity)
 * @param channels C of the first cell
 * @param layers number of normal and reduction cells
 * @param msChannels channels of the multi-scale cell
 */
public record CasGenotype(
        List<List<CellEdge>> normal,
        List<List<CellEdge>> reduce,
        List<Integer> multiscale,
        int channels,
        int layers,
        int msChannels)
        implements Genotype {

    /** The registered method name. */
    public static final String METHOD = "cas";

    /** The JSON schema version. */
    public static final int SCHEMA = 1;

    /** Validates every field, naming the one that is wrong. */
    public CasGenotype {
        normal = checkCell("normal", normal);
        reduce = checkCell("reduce", reduce);
        if (normal.size() != reduce.size()) {
            throw new IllegalArgumentException(
                    "'normal' has " + normal.size() + " blocks but 'reduce' has " + reduce.size());
        }
        if (multiscale == null || multiscale.isEmpty()) {
            throw new IllegalArgumentException("'multiscale' must list at least one rate");
        }
        for (Integer r : multiscale) {
            if (r == null || r < 0) {
                throw new IllegalArgumentException(
                        "'multiscale' rates must be >= 0 (0 = identity), got " + multiscale);
            }
        }
        multiscale = List.copyOf(multiscale);
        if (channels < 1) {
            throw new IllegalArgumentException("'channels' must be >= 1, got " + channels);
        }
        if (layers < 1) {
            throw new IllegalArgumentException("'layers' must be >= 1, got " + layers);
        }
        if (msChannels < 1) {
            throw new IllegalArgumentException("'ms_channels' must be >= 1, got " + msChannels);
        }
    }

    private static List<List<CellEdge>> checkCell(String field, List<List<CellEdge>> cell) {
        if (cell == null || cell.isEmpty()) {
            throw new IllegalArgumentException("'" + field + "' must have at least one block");
        }
        List<List<CellEdge>> out = new ArrayList<>();
        for (int i = 0; i < cell.size(); i++) {
            List<CellEdge> block = cell.get(i);
            if (block == null || block.isEmpty()) {
                throw new IllegalArgumentException(
                        "'" + field + "' block " + i + " has no input edge");
            }
            for (CellEdge e : block) {
                if (e.input() < 0 || e.input() >= i + 2) {
                    throw new IllegalArgumentException(
                            "'"
                                    + field
                                    + "' block "
                                    + i
                                    + " reads state "
                                    + e.input()
                                    + ", valid are 0.."
                                    + (i + 1));
                }
                OpSpec op;
                try {
                    op = OpSpec.fromName(e.op());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(
                            "'" + field + "' block " + i + ": " + ex.getMessage(), ex);
                }
                if (op == OpSpec.NONE) {
                    throw new IllegalArgumentException(
                            "'" + field + "' block " + i + " uses 'none', which is no edge");
                }
            }
            out.add(List.copyOf(block));
        }
        return List.copyOf(out);
    }

    /** B, blocks per cell. */
    public int blocks() {
        return normal.size();
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
        o.addProperty("channels", channels);
        o.addProperty("layers", layers);
        o.addProperty("ms_channels", msChannels);
        o.add("normal", cellJson(normal));
        o.add("reduce", cellJson(reduce));
        JsonArray ms = new JsonArray();
        multiscale.forEach(ms::add);
        o.add("multiscale", ms);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }

    private static JsonArray cellJson(List<List<CellEdge>> cell) {
        JsonArray a = new JsonArray();
        for (List<CellEdge> block : cell) {
            JsonArray b = new JsonArray();
            for (CellEdge e : block) {
                JsonArray edge = new JsonArray();
                edge.add(e.input());
                edge.add(e.op());
                b.add(edge);
            }
            a.add(b);
        }
        return a;
    }

    /**
     * Parses the JSON form.
     *
     * @throws IllegalArgumentException naming the missing or invalid field
     */
    public static CasGenotype fromJson(String json) {
        JsonObject o = GenotypeFiles.parse(json);
        GenotypeFiles.checkHeader(o, SCHEMA, METHOD);
        List<Integer> ms = new ArrayList<>();
        try {
            for (JsonElement e : GenotypeFiles.field(o, "multiscale").getAsJsonArray()) {
                ms.add(e.getAsInt());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'multiscale' must be an array of integers", e);
        }
        return new CasGenotype(
                cell(o, "normal"),
                cell(o, "reduce"),
                ms,
                GenotypeFiles.integer(o, "channels"),
                GenotypeFiles.integer(o, "layers"),
                GenotypeFiles.integer(o, "ms_channels"));
    }

    private static List<List<CellEdge>> cell(JsonObject o, String name) {
        List<List<CellEdge>> cell = new ArrayList<>();
        try {
            for (JsonElement b : GenotypeFiles.field(o, name).getAsJsonArray()) {
                List<CellEdge> block = new ArrayList<>();
                for (JsonElement e : b.getAsJsonArray()) {
                    JsonArray edge = e.getAsJsonArray();
                    if (edge.size() != 2) {
                        throw new IllegalArgumentException("an edge is [input, op]");
                    }
                    block.add(new CellEdge(edge.get(0).getAsInt(), edge.get(1).getAsString()));
                }
                cell.add(block);
            }
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("genotype lacks")) {
                throw e;
            }
            throw new IllegalArgumentException(
                    "'" + name + "' must be a list of blocks of [input, op] edges", e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "'" + name + "' must be a list of blocks of [input, op] edges", e);
        }
        return cell;
    }
}
