package org.dpnas.autodeeplab;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dpnas.autodeeplab.search.SearchJob;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.OpProfile;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Sgd;

/**
 * Times the two halves of a first-order bilevel search step on the Auto-DeepLab supernet, on random
 * images and labels (about a tenth of the pixels set to the ignore label 255), with the search's
 * own step ({@link org.dpnas.common.search.OneShotSearch#weightStep(ai.djl.ndarray.NDManager, long,
 * ai.djl.ndarray.NDList)} and {@code archStep}) and the optimizer settings of the search defaults
 * ({@code search-defaults.json}: SGD momentum 0.9, weight decay 3e-4, lr 0.025, no gradient-norm
 * clipping (the reference's default); Adam (0.9, 0.999), weight decay 1e-3, lr 3e-3 on α and β).
 * Each step runs in its own sub-manager; the medians over the timed iterations are reported,
 * together with the number of arrays a weight step creates and the process's peak resident memory.
 */
public final class SupernetBench {

    /** The ignore label of the segmentation loss. */
    private static final int IGNORE = 255;

    private SupernetBench() {}

    /**
     * A benchmark setting.
     *
     * @param name preset name, reported as is
     * @param config the supernet size
     * @param crop square input size
     * @param batch images per step
     */
    public record Preset(String name, SupernetConfig config, int crop, int batch) {

        /**
         * Looks a preset up: {@code tiny} (L 2, F 4, B 3, 5 classes, crop 32), {@code small} (L 4,
         * F 8, B 5, 19 classes, crop 64) or {@code paper} (L 12, F 8, B 5, 19 classes, crop 321);
         * batch 2 for all. {@code paper@CROP} is the paper's supernet at another square crop: peak
         * memory grows with the crop's area, so a smaller crop is where memory work is iterated.
         */
        public static Preset named(String name) {
            if (name.startsWith("paper@")) {
                int crop;
                try {
                    crop = Integer.parseInt(name.substring(6));
                } catch (NumberFormatException e) {
                    crop = 0;
                }
                if (crop < 32) {
                    throw new IllegalArgumentException(
                            "preset '"
                                    + name
                                    + "': expected paper@CROP with a crop of at least 32");
                }
                return new Preset(name, SupernetConfig.paper(19), crop, 2);
            }
            return switch (name) {
                case "tiny" -> new Preset(name, new SupernetConfig(5, 2, 4, 3), 32, 2);
                case "small" -> new Preset(name, new SupernetConfig(19, 4, 8, 5), 64, 2);
                case "paper" -> new Preset(name, SupernetConfig.paper(19), 321, 2);
                default ->
                        throw new IllegalArgumentException(
                                "unknown preset '"
                                        + name
                                        + "', expected tiny, small, paper or paper@CROP");
            };
        }
    }

    /**
     * Measured numbers.
     *
     * @param weightStepMs median weight step (forward, backward, SGD update), milliseconds
     * @param archStepMs median architecture step (forward, backward, Adam update), milliseconds
     * @param imagesPerSecond batch / (weight step + architecture step)
     * @param peakRssMib the process's peak resident set (VmHWM), MiB; −1 when unknown
     * @param arraysPerStep arrays left in the step's manager by one weight step
     * @param forwardMs median forward pass (with the loss) of the weight step, milliseconds
     */
    public record Result(
            double weightStepMs,
            double archStepMs,
            double imagesPerSecond,
            double peakRssMib,
            int arraysPerStep,
            double forwardMs) {}

    /**
     * Runs the benchmark.
     *
     * @param preset the setting
     * @param impl the supernet implementation
     * @param warmup untimed iterations (each one weight and one architecture step)
     * @param iters timed iterations
     * @param seed seed of the weights and the data
     * @return the medians
     */
    public static Result run(Preset preset, SupernetImpl impl, int warmup, int iters, long seed) {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("need iters >= 1 and warmup >= 0");
        }
        Engine.getInstance().setRandomSeed((int) seed);
        int n = preset.batch();
        int crop = preset.crop();
        int classes = preset.config().numClasses();
        Random rnd = new Random(seed);
        float[] image = new float[n * 3 * crop * crop];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) rnd.nextGaussian();
        }
        int[] label = new int[n * crop * crop];
        for (int i = 0; i < label.length; i++) {
            label[i] = rnd.nextInt(10) == 0 ? IGNORE : rnd.nextInt(classes);
        }
        Shape xs = new Shape(n, 3, crop, crop);
        Shape ys = new Shape(n, crop, crop);
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(preset.config(), impl);
            net.initialize(base, DataType.FLOAT32, xs);
            ParameterStore ps = new ParameterStore(base, false);
            // the search's own step and optimizer settings (search-defaults.json), not a copy
            Config search = ConfigLoader.load(SearchJob.defaults(), null, List.of()).sub("search");
            float[] betas = search.getFloatArray("arch_betas");
            ParamGroup weights =
                    new ParamGroup(
                            "weights",
                            net.weightParameters(),
                            new Sgd(search.getFloat("momentum"), search.getFloat("weight_decay")));
            ParamGroup arch =
                    new ParamGroup(
                            "arch",
                            net.archParameters(),
                            new Adam(
                                    betas[0],
                                    betas[1],
                                    1e-8f,
                                    search.getFloat("arch_weight_decay"),
                                    false));
            double[] tw = new double[iters];
            double[] ta = new double[iters];
            double[] tf = new double[iters];
            int arrays = 0;
            // -Ddpnas.bench.profile=TRACE: the last weight step runs under libtorch's profiler
            String profile = System.getProperty("dpnas.bench.profile");
            OpProfile.Result ops = null;
            try (OneShotSearch step =
                    new OneShotSearch(
                            new Timed(net, tf, warmup),
                            weights,
                            arch,
                            null,
                            null,
                            LrSchedule.constant(search.getFloat("weight_lr")),
                            LrSchedule.constant(search.getFloat("arch_lr")),
                            0,
                            search.getFloat("grad_clip_norm"),
                            constants,
                            ps)) {
                for (int it = 0; it < warmup + iters; it++) {
                    long t0 = System.nanoTime();
                    try (NDManager sm = base.newSubManager()) {
                        NDList batch = new NDList(sm.create(image, xs), sm.create(label, ys));
                        int i = it;
                        if (profile != null && it == warmup + iters - 1) {
                            try {
                                ops =
                                        OpProfile.profile(
                                                () -> step.weightStep(sm, i, batch),
                                                Path.of(profile));
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        } else {
                            step.weightStep(sm, i, batch);
                        }
                        arrays = sm.getManagedArrays().size();
                    }
                    long t1 = System.nanoTime();
                    try (NDManager sm = base.newSubManager()) {
                        step.archStep(
                                sm, it, new NDList(sm.create(image, xs), sm.create(label, ys)));
                    }
                    long t2 = System.nanoTime();
                    if (it >= warmup) {
                        tw[it - warmup] = (t1 - t0) / 1e6;
                        ta[it - warmup] = (t2 - t1) / 1e6;
                    }
                }
            }
            weights.optimizer().close();
            arch.optimizer().close();
            double w = median(tw);
            double a = median(ta);
            if (ops != null) {
                System.err.println(
                        "profile of the last weight step: "
                                + ops.topLevelOps()
                                + " top-level engine ops; top ops (name, calls, ms):");
                ops.top(25).forEach(line -> System.err.println("  " + line));
            }
            return new Result(w, a, n / ((w + a) / 1e3), peakRssMib(), arrays, median(tf));
        }
    }

    /**
     * The supernet, timing the forward pass of every weight step (the first forward of each
     * iteration) into {@code ms[iteration − warmup]}.
     */
    private static final class Timed extends ai.djl.nn.AbstractBlock {
        private final AutoDeepLabSupernet net;
        private final double[] ms;
        private final int warmup;
        private int calls;

        Timed(AutoDeepLabSupernet net, double[] ms, int warmup) {
            this.net = net;
            this.ms = ms;
            this.warmup = warmup;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                ai.djl.util.PairList<String, Object> params) {
            long t0 = System.nanoTime();
            NDList out = net.forward(ps, inputs, training);
            int it = calls++ / 2 - warmup;
            if (calls % 2 == 1 && it >= 0 && it < ms.length) {
                ms[it] = (System.nanoTime() - t0) / 1e6;
            }
            return out;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return net.getOutputShapes(inputShapes);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /**
     * The process's peak resident set from {@code /proc/self/status} (VmHWM), MiB; −1 if absent.
     */
    public static double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
