package org.dpnas.common.cost;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import java.util.Collections;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts the parameters and multiply-adds (MACs) of a DJL block for given input shapes, per {@link
 * OpType}, without running it (the block need not be initialised).
 *
 * <p>Known DJL leaf blocks are counted by type: {@link Convolution} ({@code MACs =
 * N·Cout·Hout·Wout·(Cin/groups)·kh·kw}, any number of spatial dimensions, stride, dilation and
 * groups taken into account through the output shape and the kernel; bias not counted), {@link
 * Linear} ({@code rows·in·out}), {@link BatchNorm} (one MAC per element), {@link Dropout} (free at
 * inference), and {@link LambdaBlock}s by name: activations one op per element, global pooling one
 * op per input element, identity and flatten free. DJL's windowed pooling blocks hide their kernel
 * inside a lambda; they are counted as one tap per input element (exact for kernel = stride) with a
 * warning. {@link SequentialBlock}s are counted child after child. Blocks implementing {@link
 * CostAware} count themselves. Any other block with children is counted as the chain of its
 * children and any other leaf as free, each with a warning naming its class, so that a number is
 * never silently wrong.
 *
 * <p>Parameters: a parameter's size comes from its shape when the block is initialised, otherwise
 * from the op's configuration; it is trainable when it {@link Parameter#requiresGradient() requires
 * a gradient} (BatchNorm running statistics do not). A block reached twice (shared weights) adds
 * its MACs each time and its parameters once.
 */
public final class CostCounter {

    private static final Set<String> ACTIVATIONS =
            Set.of(
                    "ReLU",
                    "ReLU6",
                    "sigmoid",
                    "Tanh",
                    "softPlus",
                    "softSign",
                    "LeakyReLU",
                    "ELU",
                    "SELU",
                    "GELU",
                    "Swish",
                    "Mish");
    private static final Set<String> FREE = Set.of("identity", "batchFlatten");
    private static final Set<String> WINDOW_POOLS =
            Set.of(
                    "maxPool1d",
                    "maxPool2d",
                    "maxPool3d",
                    "avgPool1d",
                    "avgPool2d",
                    "avgPool3d",
                    "lpPool1d",
                    "lpPool2d",
                    "lpPool3d");

    private final Map<OpType, Long> macs = new EnumMap<>(OpType.class);
    private final Map<OpType, Long> paramsByOp = new EnumMap<>(OpType.class);
    private final Set<Block> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<String> warnings = new LinkedHashSet<>();
    private long trainable;
    private long nonTrainable;
    private Shape[] lastOutput = new Shape[0];

    /** Creates an empty counter. */
    public CostCounter() {
        for (OpType t : OpType.values()) {
            macs.put(t, 0L);
            paramsByOp.put(t, 0L);
        }
    }

    /**
     * Counts a block on a fresh counter.
     *
     * @param block the block, initialised or not
     * @param inputShapes the shapes of its inputs
     * @return the counts
     */
    public static CostReport of(Block block, Shape... inputShapes) {
        CostCounter c = new CostCounter();
        c.count(block, inputShapes);
        return c.report();
    }

    /**
     * Adds a block's cost for the given input shapes (the entry point, also used by {@link
     * CostAware} blocks for their children).
     *
     * @param block the block
     * @param inputShapes the shapes of its inputs
     * @return the shapes of its outputs
     */
    public Shape[] count(Block block, Shape... inputShapes) {
        boolean first = seen.add(block);
        Shape[] out;
        if (block instanceof CostAware aware) {
            out = aware.countCost(this, inputShapes);
            if (first) {
                otherParameters(block);
            }
        } else if (block instanceof Convolution conv) {
            out = convolution(conv, inputShapes[0], first);
        } else if (block instanceof Linear linear) {
            out = linear(linear, inputShapes[0], first);
        } else if (block instanceof BatchNorm bn) {
            out = batchNorm(bn, inputShapes[0], first);
        } else if (block instanceof Dropout) {
            out = inputShapes.clone();
        } else if (block instanceof LambdaBlock lambda) {
            out = lambda(lambda, inputShapes);
        } else if (block instanceof SequentialBlock) {
            out = chain(block, inputShapes);
            if (first) {
                otherParameters(block);
            }
        } else if (block instanceof ParallelBlock) {
            warn(
                    "ParallelBlock: counted its branches; the join function is not counted"
                            + " (implement CostAware for an exact count)");
            for (Block child : block.getChildren().values()) {
                count(child, inputShapes);
            }
            out = block.getOutputShapes(inputShapes);
            if (first) {
                otherParameters(block);
            }
        } else if (!block.getChildren().isEmpty()) {
            warn(
                    block.getClass().getName()
                            + " is not CostAware: counted the chain of its children only, work"
                            + " outside them is missing");
            out = chain(block, inputShapes);
            if (first) {
                otherParameters(block);
            }
        } else {
            warn(
                    block.getClass().getName()
                            + " is an unknown leaf block: counted its parameters, 0 multiply-adds");
            out = block.getOutputShapes(inputShapes);
            if (first) {
                otherParameters(block);
            }
        }
        lastOutput = out;
        return out;
    }

    /**
     * Adds multiply-adds of one op type (for {@link CostAware} blocks).
     *
     * @param type the op type
     * @param count the number of multiply-adds, ≥ 0
     */
    public void addMacs(OpType type, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative MAC count " + count + " for " + type);
        }
        macs.merge(type, count, Long::sum);
    }

    /**
     * Adds an element-wise op (add, mul, activation) over a tensor: one op per element.
     *
     * @param shape the shape of the op's output
     */
    public void elementwise(Shape shape) {
        addMacs(OpType.ELEMENTWISE, shape.size());
    }

    /**
     * Adds a pooling op: one op per kernel tap per output element.
     *
     * @param output the shape of the pooled output
     * @param tapsPerOutput kernel taps each output element reads (H·W for global pooling)
     */
    public void pool(Shape output, long tapsPerOutput) {
        addMacs(OpType.POOL, output.size() * tapsPerOutput);
    }

    /**
     * Adds a bilinear resize: 4 MACs per output element; nothing when the size is unchanged.
     *
     * @param input the shape before resizing
     * @param output the shape after resizing
     */
    public void bilinear(Shape input, Shape output) {
        if (!input.equals(output)) {
            addMacs(OpType.INTERPOLATE, 4 * output.size());
        }
    }

    /**
     * Records why a count may be incomplete; repeated messages are kept once.
     *
     * @param message the warning
     */
    public void warn(String message) {
        warnings.add(message);
    }

    /**
     * Returns the counts so far.
     *
     * @return an immutable report; its output shapes are those of the last block counted
     */
    public CostReport report() {
        long total = 0;
        for (long v : macs.values()) {
            total += v;
        }
        return new CostReport(
                trainable,
                nonTrainable,
                total,
                macs,
                paramsByOp,
                List.copyOf(warnings),
                lastOutput);
    }

    private Shape[] chain(Block block, Shape[] inputShapes) {
        Shape[] s = inputShapes;
        for (Block child : block.getChildren().values()) {
            s = count(child, s);
        }
        return s;
    }

    private Shape[] convolution(Convolution conv, Shape in, boolean first) {
        Shape out = conv.getOutputShapes(new Shape[] {in})[0];
        long cinPerGroup = in.get(1) / conv.getGroups();
        long taps = conv.getKernelShape().size();
        addMacs(OpType.CONV, out.size() * cinPerGroup * taps);
        if (first) {
            long[] w = new long[2 + conv.getKernelShape().dimension()];
            w[0] = conv.getFilters();
            w[1] = cinPerGroup;
            System.arraycopy(conv.getKernelShape().getShape(), 0, w, 2, w.length - 2);
            knownParameters(conv, OpType.CONV, new Shape(w), new Shape(conv.getFilters()));
        }
        return new Shape[] {out};
    }

    private Shape[] linear(Linear linear, Shape in, boolean first) {
        Shape out = linear.getOutputShapes(new Shape[] {in})[0];
        long inFeatures = in.tail();
        long units = out.tail();
        addMacs(OpType.LINEAR, out.size() * inFeatures);
        if (first) {
            knownParameters(linear, OpType.LINEAR, new Shape(units, inFeatures), new Shape(units));
        }
        return new Shape[] {out};
    }

    private Shape[] batchNorm(BatchNorm bn, Shape in, boolean first) {
        addMacs(OpType.BATCH_NORM, in.size());
        if (first) {
            Shape c = new Shape(in.get(1));
            knownParameters(bn, OpType.BATCH_NORM, c, c);
        }
        return new Shape[] {in};
    }

    private Shape[] lambda(LambdaBlock lambda, Shape[] in) {
        String name = lambda.getName();
        if (ACTIVATIONS.contains(name)) {
            for (Shape s : in) {
                elementwise(s);
            }
            return in.clone();
        }
        if (FREE.contains(name)) {
            return lambda.getOutputShapes(in);
        }
        Shape[] out = lambda.getOutputShapes(in);
        if (name.startsWith("global") && name.contains("Pool")) {
            addMacs(OpType.POOL, in[0].size());
        } else if (WINDOW_POOLS.contains(name)) {
            addMacs(OpType.POOL, in[0].size());
            warn(
                    "LambdaBlock '"
                            + name
                            + "' hides its kernel: counted one tap per input element (exact when"
                            + " kernel = stride)");
        } else {
            warn("LambdaBlock '" + name + "' is unknown: counted as 0 multiply-adds");
        }
        return out;
    }

    /**
     * Counts the direct parameters of a known leaf op: weight and bias shapes as given when the
     * block is not initialised, BatchNorm's four vectors of shape {@code perChannel}.
     */
    private void knownParameters(Block block, OpType type, Shape weight, Shape perChannel) {
        for (Parameter p : block.getDirectParameters().values()) {
            Shape expected = p.getType() == Parameter.Type.WEIGHT ? weight : perChannel;
            long size = p.getShape() != null ? p.getShape().size() : expected.size();
            if (p.requiresGradient()) {
                trainable += size;
                paramsByOp.merge(type, size, Long::sum);
            } else {
                nonTrainable += size;
            }
        }
    }

    /** Counts the direct parameters of a block the counter does not know by type. */
    private void otherParameters(Block block) {
        for (Parameter p : block.getDirectParameters().values()) {
            if (p.getShape() == null) {
                warn(
                        "parameter '"
                                + p.getName()
                                + "' of "
                                + block.getClass().getName()
                                + " has no shape yet (initialise the block): not counted");
            } else if (p.requiresGradient()) {
                trainable += p.getShape().size();
            } else {
                nonTrainable += p.getShape().size();
            }
        }
    }
}
