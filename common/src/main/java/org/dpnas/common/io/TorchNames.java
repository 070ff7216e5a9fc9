package org.dpnas.common.io;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * PyTorch {@code state_dict} names for the parameters of a DJL block: the path of child names
 * joined with dots (DJL's two-digit child prefix dropped), then the parameter's PyTorch name
 * (BatchNorm's {@code gamma}, {@code beta}, {@code runningMean}, {@code runningVar} become {@code
 * weight}, {@code bias}, {@code running_mean}, {@code running_var}). A block whose children are
 * named as a PyTorch module's attributes ({@code layer1}, {@code 0}, {@code downsample}) therefore
 * has exactly that module's names.
 */
public final class TorchNames {

    private TorchNames() {}

    /**
     * The parameters of a block by PyTorch name, in DJL's parameter order.
     *
     * @param block the block
     * @return the parameters by name
     * @throws IllegalStateException when two parameters map to the same name
     */
    public static Map<String, Parameter> of(Block block) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        walk(block, "", out);
        return out;
    }

    private static void walk(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            put(out, prefix + parameterName(p.getKey()), p.getValue());
        }
        int i = 0;
        for (Pair<String, Block> c : block.getChildren()) {
            i++;
            walk(c.getValue(), prefix + childName(c.getKey(), i) + ".", out);
        }
    }

    private static void put(Map<String, Parameter> out, String name, Parameter p) {
        if (out.put(name, p) != null) {
            throw new IllegalStateException("two parameters are named '" + name + "'");
        }
    }

    /** A child's own name: DJL stores child {@code i} (from 1) as {@code %02d} + name. */
    static String childName(String djlName, int index) {
        String prefix = String.format(Locale.ROOT, "%02d", index);
        return djlName.startsWith(prefix) ? djlName.substring(prefix.length()) : djlName;
    }

    /** The PyTorch name of a DJL parameter name. */
    static String parameterName(String djl) {
        return switch (djl) {
            case "gamma" -> "weight";
            case "beta" -> "bias";
            case "runningMean" -> "running_mean";
            case "runningVar" -> "running_var";
            default -> djl;
        };
    }
}
