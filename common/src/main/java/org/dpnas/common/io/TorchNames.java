package org.dpnas.common.io;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PyTorch {@code state_dict} names for the parameters of a DJL block: the path of child names
 * joined with dots (DJL's two-digit child prefix dropped), then the parameter's PyTorch name
 * (BatchNorm's {@code gamma}, {@code beta}, {@code runningMean}, {@code runningVar} become {@code
 * weight}, {@code bias}, {@code running_mean}, {@code running_var}). A block whose children are
 * named as a PyTorch module's attributes ({@code layer1}, {@code 0}, {@code downsample}) therefore
 * has exactly that module's names. Children whose names would repeat (two {@code ConvBnAct} in one
 * {@code SequentialBlock}) are named by their index from 0 instead, as in {@code nn.Sequential}.
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
        List<String> names = new ArrayList<>();
        int i = 0;
        for (Pair<String, Block> c : block.getChildren()) {
            names.add(childName(c.getKey(), ++i));
        }
        if (new HashSet<>(names).size() < names.size()) {
            // siblings of one type in a SequentialBlock: index them as nn.Sequential does
            for (int k = 0; k < names.size(); k++) {
                names.set(k, Integer.toString(k));
            }
        }
        i = 0;
        for (Pair<String, Block> c : block.getChildren()) {
            walk(c.getValue(), prefix + names.get(i++) + ".", out);
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
