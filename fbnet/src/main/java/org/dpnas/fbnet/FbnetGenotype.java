package org.dpnas.fbnet;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.GenotypeFiles;

/**
 * An FBNet architecture (Wu et al., CVPR 2019, Sec. 3.1): the block chosen for every searchable
 * layer, and the macro sizes it was searched at (width multiplier, layers per stage, output stride,
 * the head's channels and ASPP rates), so that {@code train --genotype} rebuilds the same encoder.
 *
 * @param ops the block of each layer, Σ depths entries
 * @param width the channel multiplier
 * @param depths layers per stage (seven stages)
 * @param outputStride 16 or 32
 * @param headChannels channels of the ASPP head
 * @param asppRates dilation rates of the ASPP's 3×3 branches
 */
public record FbnetGenotype(
        List<FbnetOp> ops,
        double width,
        List<Integer> depths,
        int outputStride,
        int headChannels,
        List<Integer> asppRates)
        implements Genotype {

    /** The registered method name. */
    public static final String METHOD = "fbnet";

    /** The JSON schema version. */
    public static final int SCHEMA = 1;

    /** Validates every field, naming the one that is wrong. */
    public FbnetGenotype {
        try {
            new FbnetSizes(2, width, depths, outputStride, headChannels, asppRates);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "genotype " + e.getMessage().replaceFirst("^space\\.(\\w+)", "field '$1'"), e);
        }
        depths = List.copyOf(depths);
        asppRates = List.copyOf(asppRates);
        if (ops == null) {
            throw new IllegalArgumentException("genotype lacks the field 'ops'");
        }
        int layers = 0;
        for (int d : depths) {
            layers += d;
        }
        if (ops.size() != layers) {
            throw new IllegalArgumentException(
                    "genotype field 'ops' has "
                            + ops.size()
                            + " blocks but 'depths' "
                            + depths
                            + " has "
                            + layers
                            + " layers");
        }
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) == null) {
                throw new IllegalArgumentException("genotype field 'ops'[" + i + "] is null");
            }
        }
        ops = List.copyOf(ops);
    }

    /** The network sizes of this genotype for {@code numClasses} classes. */
    public FbnetSizes sizes(int numClasses) {
        return new FbnetSizes(numClasses, width, depths, outputStride, headChannels, asppRates);
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
        JsonArray a = new JsonArray();
        ops.forEach(op -> a.add(op.opName()));
        o.add("ops", a);
        o.addProperty("width", width);
        JsonArray d = new JsonArray();
        depths.forEach(d::add);
        o.add("depths", d);
        o.addProperty("output_stride", outputStride);
        o.addProperty("head_channels", headChannels);
        JsonArray r = new JsonArray();
        asppRates.forEach(r::add);
        o.add("aspp_rates", r);
        return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }

    /**
     * Parses the JSON form.
     *
     * @throws IllegalArgumentException naming the missing or invalid field
     */
    public static FbnetGenotype fromJson(String json) {
        JsonObject o = GenotypeFiles.parse(json);
        GenotypeFiles.checkHeader(o, SCHEMA, METHOD);
        List<FbnetOp> ops = new ArrayList<>();
        JsonArray a = array(o, "ops");
        for (int i = 0; i < a.size(); i++) {
            JsonElement e = a.get(i);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException("genotype field 'ops'[" + i + "] is not a name");
            }
            ops.add(FbnetOp.parse(e.getAsString(), "genotype field 'ops'[" + i + "]"));
        }
        double width;
        try {
            width = GenotypeFiles.field(o, "width").getAsDouble();
        } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException e) {
            throw new IllegalArgumentException("genotype field 'width' is not a number", e);
        }
        return new FbnetGenotype(
                ops,
                width,
                ints(o, "depths"),
                GenotypeFiles.integer(o, "output_stride"),
                GenotypeFiles.integer(o, "head_channels"),
                ints(o, "aspp_rates"));
    }

    private static JsonArray array(JsonObject o, String name) {
        JsonElement e = GenotypeFiles.field(o, name);
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException("genotype field '" + name + "' is not an array");
        }
        return e.getAsJsonArray();
    }

    private static List<Integer> ints(JsonObject o, String name) {
        List<Integer> out = new ArrayList<>();
        for (JsonElement e : array(o, name)) {
            try {
                double d = e.getAsDouble();
                if (d != Math.rint(d)) {
                    throw new NumberFormatException();
                }
                out.add(e.getAsInt());
            } catch (NumberFormatException
                    | UnsupportedOperationException
                    | IllegalStateException x) {
                throw new IllegalArgumentException(
                        "genotype field '" + name + "' must be an array of integers", x);
            }
        }
        return out;
    }
}
