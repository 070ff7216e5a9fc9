package org.dpnas.autodeeplab;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.dpnas.autodeeplab.search.SearchJob;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.search.OneShotStrategy;
import org.dpnas.common.search.StepBench;
import org.dpnas.common.search.gdas.GdasSampler;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;

/**
 * Times the two halves of a first-order bilevel search step on the Auto-DeepLab supernet, on random
 * images and labels (about a tenth of the pixels set to the ignore label 255), with the search's
 * own step ({@link org.dpnas.common.search.OneShotSearch#weightStep(ai.djl.ndarray.NDManager, long,
 * ai.djl.ndarray.NDList)} and {@code archStep}) and the optimizer settings of the search defaults
 * ({@code search-defaults.json}: SGD momentum 0.9, weight decay 3e-4, lr 0.025, no gradient-norm
 * clipping (the reference's default); Adam (0.9, 0.999), weight decay 1e-3, lr 3e-3 on α and β).
 * The timing loop is the one every method's benchmark shares ({@link StepBench}); this class adds
 * the forward pass's share of the weight step, and GDAS's step (one sampled op per edge, plain
 * cells) beside the bilevel one.
 */
public final class SupernetBench {

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
     * @param timing the shared step timing (medians, images/s, peak RSS, arrays per weight step)
     * @param forwardMs median forward pass (with the loss) of the weight step, milliseconds
     */
    public record Result(StepBench.Timing timing, double forwardMs) {

        /** Median weight step, milliseconds. */
        public double weightStepMs() {
            return timing.weightStepMs();
        }

        /** Median architecture step, milliseconds. */
        public double archStepMs() {
            return timing.archStepMs();
        }
    }

    /**
     * Runs the benchmark of the bilevel step.
     *
     * @param preset the setting
     * @param impl the supernet implementation
     * @param warmup untimed iterations (each one weight and one architecture step)
     * @param iters timed iterations
     * @param seed seed of the weights and the data
     * @return the medians
     */
    public static Result run(Preset preset, SupernetImpl impl, int warmup, int iters, long seed) {
        return run(preset, impl, OneShotStrategy.BILEVEL, warmup, iters, seed);
    }

    /**
     * Runs the benchmark.
     *
     * @param preset the setting
     * @param impl the supernet implementation ({@link SupernetImpl#PLAIN} for GDAS)
     * @param strategy bilevel (every op of an edge) or GDAS (one sampled op per edge, τ = 10)
     * @param warmup untimed iterations (each one weight and one architecture step)
     * @param iters timed iterations
     * @param seed seed of the weights and the data
     * @return the medians
     */
    public static Result run(
            Preset preset,
            SupernetImpl impl,
            OneShotStrategy strategy,
            int warmup,
            int iters,
            long seed) {
        StepBench.check(warmup, iters);
        Engine.getInstance().setRandomSeed((int) seed);
        StepBench.Batch batch =
                StepBench.Batch.random(
                        preset.batch(),
                        preset.crop(),
                        preset.crop(),
                        preset.config().numClasses(),
                        seed);
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            AutoDeepLabSupernet net = new AutoDeepLabSupernet(preset.config(), impl);
            net.initialize(base, DataType.FLOAT32, batch.imageShape());
            if (strategy == OneShotStrategy.GDAS) {
                Config g =
                        ConfigLoader.load(SearchJob.defaults(), null, List.of()).sub("search.gdas");
                net.sampleOps(
                        new GdasSampler(
                                seed, g.getDouble("tau_max"), g.getDouble("tau_min"), 1, 1));
            }
            ParameterStore ps = new ParameterStore(base, false);
            // the search's own step and optimizer settings (search-defaults.json), not a copy
            Config search = ConfigLoader.load(SearchJob.defaults(), null, List.of()).sub("search");
            ParamGroup weights = OneShotJob.weightGroup(net.weightParameters(), search);
            ParamGroup arch = OneShotJob.archGroup("arch", net.archParameters(), search);
            double[] tf = new double[iters];
            StepBench.Timing timing;
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
                timing = StepBench.time(base, step, batch, warmup, iters);
            }
            weights.optimizer().close();
            arch.optimizer().close();
            return new Result(timing, StepBench.median(tf));
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
}
