package org.dpnas.common.cost;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.util.Arrays;

/**
 * Measures the inference latency of an initialised block: {@code warmup} untimed forward passes,
 * then {@code runs} timed ones, each inside its own sub-manager (so intermediates are freed per
 * pass) and ended by reading one element of every output, which waits for an asynchronous device.
 * Reports the median and the 10th and 90th percentiles, with the libtorch thread count and the
 * device.
 */
public final class LatencyMeter {

    /**
     * One measurement.
     *
     * @param medianMs median latency of a forward pass, milliseconds
     * @param p10Ms 10th percentile, milliseconds
     * @param p90Ms 90th percentile, milliseconds
     * @param runs timed passes
     * @param warmup untimed passes before them
     * @param threads libtorch intra-op threads during the measurement
     * @param device the device the block ran on, for example {@code "cpu()"}
     */
    public record Result(
            double medianMs,
            double p10Ms,
            double p90Ms,
            int runs,
            int warmup,
            int threads,
            String device) {}

    private final int warmup;
    private final int runs;

    /**
     * Creates a meter.
     *
     * @param warmup untimed passes, ≥ 0
     * @param runs timed passes, ≥ 1
     */
    public LatencyMeter(int warmup, int runs) {
        if (warmup < 0 || runs < 1) {
            throw new IllegalArgumentException(
                    "need warmup >= 0 and runs >= 1, got " + warmup + ", " + runs);
        }
        this.warmup = warmup;
        this.runs = runs;
    }

    /**
     * Times an initialised block on uniform random inputs of the given shapes created on {@code
     * manager}'s device; the inputs are created once, outside the timed region.
     *
     * @param block the block, initialised on {@code manager}'s device
     * @param manager where inputs and per-pass sub-managers come from
     * @param inputShapes the input shapes
     * @return the measurement
     */
    public Result measure(Block block, NDManager manager, Shape... inputShapes) {
        try (NDManager inputs = manager.newSubManager()) {
            NDList x = new NDList(inputShapes.length);
            for (Shape s : inputShapes) {
                x.add(inputs.randomUniform(-1, 1, s));
            }
            sync(x);
            return measure(block, x);
        }
    }

    /**
     * Times an initialised block on the given inputs, which stay owned by their manager.
     *
     * @param block the block
     * @param inputs the inputs, on the block's device
     * @return the measurement
     */
    public Result measure(Block block, NDList inputs) {
        Engine.getInstance(); // libtorch is loaded before its thread count is read
        NDManager owner = inputs.head().getManager();
        ParameterStore store = new ParameterStore(owner, false);
        for (int i = 0; i < warmup; i++) {
            once(block, store, inputs, owner);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = once(block, store, inputs, owner);
        }
        Arrays.sort(ms);
        Device device = inputs.head().getDevice();
        return new Result(
                percentile(ms, 0.5),
                percentile(ms, 0.1),
                percentile(ms, 0.9),
                runs,
                warmup,
                JniUtils.getNumThreads(),
                device.toString());
    }

    /**
     * The p-quantile of sorted samples, interpolating linearly between order statistics at position
     * {@code p·(n−1)} (NumPy's default).
     *
     * @param sorted samples in ascending order, at least one
     * @param p the quantile in [0, 1]
     * @return the quantile
     */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0 || p < 0 || p > 1) {
            throw new IllegalArgumentException("need samples and p in [0, 1], got p = " + p);
        }
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double once(Block block, ParameterStore store, NDList inputs, NDManager owner) {
        try (NDManager pass = owner.newSubManager()) {
            inputs.tempAttach(pass);
            long start = System.nanoTime();
            NDList out = block.forward(store, inputs, false);
            sync(out);
            return (System.nanoTime() - start) / 1e6;
        }
    }

    /** Waits for the arrays by copying one element of each to the host. */
    private static void sync(NDList arrays) {
        for (NDArray a : arrays) {
            if (a.size() > 0) {
                a.reshape(-1).get(0).toByteArray();
            }
        }
    }
}
