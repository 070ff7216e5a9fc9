package org.dpnas.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Saves and restores every parameter of a block (weights and running statistics) by full name,
 * copying values in place on load so that the arrays keep their manager, device and gradient flag.
 * A checkpoint of another model is rejected with the first parameter that differs.
 */
public final class ParamIO {

    private static final String MAGIC = "dpnas-params";
    private static final int VERSION = 1;

    private ParamIO() {}

    /** Writes all parameters of {@code block} to {@code out}. */
    public static void save(Block block, DataOutputStream out) throws IOException {
        List<Pair<String, Parameter>> params = named(block);
        out.writeUTF(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(params.size());
        for (Pair<String, Parameter> p : params) {
            out.writeUTF(p.getKey());
            byte[] bytes = p.getValue().getArray().encode();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    /**
     * Reads parameters written by {@link #save} into {@code block}, in place.
     *
     * @param block an initialised block of the same architecture
     * @param in the stream
     * @param source the file name, for error messages
     * @throws IOException when the stream is unreadable or belongs to another model
     */
    public static void load(Block block, DataInputStream in, String source) throws IOException {
        List<Pair<String, Parameter>> params = named(block);
        if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) {
            throw new IOException(source + ": not a dpnas parameter file (or a newer version)");
        }
        int n = in.readInt();
        if (n != params.size()) {
            throw new IOException(
                    source + ": holds " + n + " parameters, the model has " + params.size());
        }
        NDManager scratchParent = params.get(0).getValue().getArray().getManager();
        try (NDManager scratch = scratchParent.newSubManager()) {
            for (Pair<String, Parameter> p : params) {
                String name = in.readUTF();
                if (!name.equals(p.getKey())) {
                    throw new IOException(
                            source
                                    + ": found parameter '"
                                    + name
                                    + "' where the model has '"
                                    + p.getKey()
                                    + "'");
                }
                byte[] bytes = new byte[in.readInt()];
                in.readFully(bytes);
                NDArray target = p.getValue().getArray();
                NDArray value = scratch.decode(bytes).toDevice(target.getDevice(), false);
                value.attach(scratch);
                if (!value.getShape().equals(target.getShape())) {
                    throw new IOException(
                            source
                                    + ": parameter '"
                                    + name
                                    + "' has shape "
                                    + value.getShape()
                                    + ", the model has "
                                    + target.getShape());
                }
                target.set(new NDIndex("..."), value);
            }
        }
    }

    /** All parameters of a block with their full names, in a stable order. */
    public static List<Pair<String, Parameter>> named(Block block) {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.add(p);
        }
        return out;
    }

    /** Trainable parameters of a block (those that need a gradient), in a stable order. */
    public static List<Parameter> trainable(Block block) {
        List<Parameter> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                out.add(p.getValue());
            }
        }
        return out;
    }

    /** Copies of all parameter values, keyed by position, for comparisons in tests and tools. */
    public static NDList snapshot(Block block, NDManager manager) {
        NDList out = new NDList();
        for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray copy = p.getValue().getArray().duplicate();
            copy.attach(manager);
            out.add(copy);
        }
        return out;
    }
}
