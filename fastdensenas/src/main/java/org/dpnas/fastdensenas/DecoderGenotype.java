package org.dpnas.fastdensenas;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.search.Genotype;

/**
 * A FastDenseNAS decoder (Nekrasov et al., CVPR 2019, §3.1): one cell structure (a first op on the
 * input, then layers of two chosen inputs × two ops, summed) shared by every decoder cell, and for
 * each decoder cell the two nodes it aggregates, chosen among the encoder outputs and the earlier
 * cells (cell {@code c} may read nodes {@code 0 … encoderOutputs+c−1}).
 *
 * @param encoderOutputs how many encoder outputs the decoder reads (4 in the paper)
 * @param firstOp the op of the cell's first layer (always on the cell input)
 * @param layers the cell's later layers (3 in the paper)
 * @param connections per decoder cell, its two inputs (3 cells in the paper)
 */
public record DecoderGenotype(
        int encoderOutputs, DecoderOp firstOp, List<CellLayer> layers, List<int[]> connections)
        implements Genotype {

    /** The method name in genotype files. */
    public static final String METHOD = "fastdensenas";

    /** The schema version of the JSON form. */
    public static final int SCHEMA = 1;

    /** Validates every index against its position; messages name the field. */
    public DecoderGenotype {
        if (encoderOutputs < 1) {
            throw new IllegalArgumentException(
                    "genotype field 'encoder_outputs' must be >= 1, got " + encoderOutputs);
        }
        if (firstOp == null) {
            throw new IllegalArgumentException("genotype field 'cell.first_op' is missing");
        }
        layers = List.copyOf(layers);
        for (int i = 0; i < layers.size(); i++) {
            CellLayer l = layers.get(i);
            int n = CellLayer.inputChoices(i + 1);
            if (l.in1() >= n || l.in2() >= n) {
                throw new IllegalArgumentException(
                        "genotype field 'cell.layers["
                                + i
                                + "].inputs' = ["
                                + l.in1()
                                + ", "
                                + l.in2()
                                + "] must be in [0, "
                                + n
                                + ")");
            }
        }
        if (connections.isEmpty()) {
            throw new IllegalArgumentException("genotype field 'connections' is empty");
        }
        List<int[]> copy = new ArrayList<>();
        for (int c = 0; c < connections.size(); c++) {
            int[] p = connections.get(c);
            int n = encoderOutputs + c;
            if (p == null || p.length != 2 || p[0] < 0 || p[1] < 0 || p[0] >= n || p[1] >= n) {
                throw new IllegalArgumentException(
                        "genotype field 'connections["
                                + c
                                + "]' must be two nodes in [0, "
                                + n
                                + ")");
            }
            copy.add(p.clone());
        }
        connections = List.copyOf(copy);
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
    public boolean equals(Object o) {
        return o instanceof DecoderGenotype g && toJson().equals(g.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toJson() {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"schema\": ").append(SCHEMA);
        b.append(",\n  \"method\": \"").append(METHOD).append('"');
        b.append(",\n  \"encoder_outputs\": ").append(encoderOutputs);
        b.append(",\n  \"cell\": {\n    \"first_op\": \"").append(firstOp.label()).append('"');
        b.append(",\n    \"layers\": [");
        for (int i = 0; i < layers.size(); i++) {
            CellLayer l = layers.get(i);
            b.append(i == 0 ? "\n" : ",\n");
            b.append("      {\"inputs\": [").append(l.in1()).append(", ").append(l.in2());
            b.append("], \"ops\": [\"").append(l.op1().label()).append("\", \"");
            b.append(l.op2().label()).append("\"]}");
        }
        b.append("\n    ]\n  },\n  \"connections\": [");
        for (int c = 0; c < connections.size(); c++) {
            int[] p = connections.get(c);
            b.append(c == 0 ? "" : ", ").append('[').append(p[0]).append(", ").append(p[1]);
            b.append(']');
        }
        b.append("]\n}\n");
        return b.toString();
    }

    /**
     * Reads the JSON form.
     *
     * @throws IllegalArgumentException naming the field that is missing or invalid
     */
    public static DecoderGenotype fromJson(String json) {
        JsonObject o;
        try {
            o = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonSyntaxException | IllegalStateException e) {
            throw new IllegalArgumentException("genotype is not a JSON object: " + e.getMessage());
        }
        try {
            int schema = field(o, "schema").getAsInt();
            if (schema != SCHEMA) {
                throw new IllegalArgumentException(
                        "genotype field 'schema' is " + schema + ", this version reads " + SCHEMA);
            }
            String method = field(o, "method").getAsString();
            if (!METHOD.equals(method)) {
                throw new IllegalArgumentException(
                        "genotype field 'method' is '" + method + "', expected '" + METHOD + "'");
            }
            int enc = field(o, "encoder_outputs").getAsInt();
            JsonObject cell = field(o, "cell").getAsJsonObject();
            DecoderOp first = DecoderOp.of(field(cell, "first_op").getAsString());
            List<CellLayer> layers = new ArrayList<>();
            JsonArray la = field(cell, "layers").getAsJsonArray();
            for (int i = 0; i < la.size(); i++) {
                JsonObject l = la.get(i).getAsJsonObject();
                JsonArray in = pair(l, "inputs", "cell.layers[" + i + "].inputs");
                JsonArray ops = pair(l, "ops", "cell.layers[" + i + "].ops");
                layers.add(
                        new CellLayer(
                                in.get(0).getAsInt(),
                                in.get(1).getAsInt(),
                                DecoderOp.of(ops.get(0).getAsString()),
                                DecoderOp.of(ops.get(1).getAsString())));
            }
            List<int[]> conns = new ArrayList<>();
            JsonArray ca = field(o, "connections").getAsJsonArray();
            for (int c = 0; c < ca.size(); c++) {
                JsonArray p = ca.get(c).getAsJsonArray();
                if (p.size() != 2) {
                    throw new IllegalArgumentException(
                            "genotype field 'connections[" + c + "]' must hold two nodes");
                }
                conns.add(new int[] {p.get(0).getAsInt(), p.get(1).getAsInt()});
            }
            return new DecoderGenotype(enc, first, layers, conns);
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw new IllegalArgumentException("genotype has a field of the wrong type: " + e);
        }
    }

    private static JsonElement field(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("genotype field '" + name + "' is missing");
        }
        return e;
    }

    private static JsonArray pair(JsonObject o, String name, String where) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() != 2) {
            throw new IllegalArgumentException("genotype field '" + where + "' must hold two");
        }
        return e.getAsJsonArray();
    }
}
