package org.dpnas.datasets.job;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.Genotype;
import org.dpnas.common.search.OneShotJob;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.Seeds;
import org.dpnas.datasets.augment.BadSampleDataset;

/**
 * A one-shot search on segmentation data, as every supernet method runs it: the run set up by
 * {@link JobSetup}, the training set cut into two disjoint halves from the seed (A for the weights,
 * B for the architecture; each read through the bad-sample policy on its own and B augmented by its
 * own stream), the supernet's validation set at the search crop ({@link #validation}), the supernet
 * initialised at the first sample's size, then the shared {@link OneShotJob}; the bad-sample report
 * of both splits at the end.
 */
public final class SegOneShotJob {

    private SegOneShotJob() {}

    /** Evaluates a network on a validation batcher: metrics with {@code mIoU} first. */
    @FunctionalInterface
    public interface Evaluator {
        /**
         * Evaluates {@code net}.
         *
         * @param net the network
         * @param val the validation batches
         * @param batchSize images per forward pass
         * @param base a manager on the device
         * @param store the parameter store
         */
        Map<String, Double> evaluate(
                Block net, SegBatcher val, int batchSize, NDManager base, ParameterStore store);
    }

    /** What a method adds to the job once the supernet is initialised (phases, penalty, ...). */
    @FunctionalInterface
    public interface Prepare<G extends Genotype> {
        /** Configures {@code job} (e.g. prices ops in {@code ctx.base()}). */
        void prepare(OneShotJob<G> job, Context ctx) throws Exception;
    }

    /**
     * The initialised run, for {@link Prepare}.
     *
     * @param base the run's base manager
     * @param device the device
     * @param height the first training sample's height (the search's input size)
     * @param width its width
     * @param run the run directory
     * @param console where progress goes
     */
    public record Context(
            NDManager base,
            Device device,
            long height,
            long width,
            RunDirectory run,
            PrintStream console) {}

    /**
     * Runs (or resumes) a search.
     *
     * @param config the resolved configuration (sections {@code search}, {@code data}, {@code
     *     eval})
     * @param run the run directory
     * @param resume continue from the last checkpoint
     * @param args the command line, for provenance
     * @param console where progress goes
     * @param job the shared job over the method's supernet
     * @param spaceClasses the classes the supernet was built for ({@code space.num_classes})
     * @param prepare the method's additions once the supernet is initialised
     * @param evaluator the supernet's validation
     * @return the outcome
     */
    public static <G extends Genotype> OneShotJob.Outcome<G> run(
            Config config,
            RunDirectory run,
            boolean resume,
            List<String> args,
            PrintStream console,
            OneShotJob<G> job,
            int spaceClasses,
            Prepare<G> prepare,
            Evaluator evaluator)
            throws Exception {
        Config search = config.sub("search");
        int batch = search.getInt("batch_size");
        JobSetup setup = JobSetup.open(config, m -> console.println("WARNING: " + m));
        try {
            Device device = setup.device();
            long seed = setup.seed();
            Config data = setup.data();
            BadSampleDataset[] ab = setup.abSplit(splitA(search));
            SegDataset splitA = setup.training(ab[0], batch, null);
            SegDataset splitB = setup.training(ab[1], batch, "split-b-augment");
            SegDataset val = validation(setup.valSet(), data, search);
            int numClasses = ab[0].numClasses();
            if (spaceClasses != numClasses) {
                throw new IllegalArgumentException(
                        "space.num_classes is "
                                + spaceClasses
                                + " but dataset '"
                                + data.getString("dataset")
                                + "' has "
                                + numClasses
                                + " classes");
            }
            EpochSampler samplerA = new EpochSampler(splitA.size(), batch, seed);
            EpochSampler samplerB =
                    new EpochSampler(splitB.size(), batch, Seeds.mix(seed, "split-b"));
            run.writeStart(
                    config.asJsonObject(),
                    resume,
                    Provenance.collect(seed, device.toString(), args));
            ExecutorService pool = setup.pool();
            float[] mean = setup.mean();
            float[] std = setup.std();
            OneShotJob.Outcome<G> outcome;
            try (NDManager base = NDManager.newBaseManager(device);
                    Constants constants = new Constants(base)) {
                Seeds.seedEngine(seed);
                SegSample first = splitA.get(0);
                job.supernet()
                        .initialize(
                                base.newSubManager(),
                                DataType.FLOAT32,
                                new Shape(batch, 3, first.height(), first.width()));
                prepare.prepare(
                        job,
                        new Context(base, device, first.height(), first.width(), run, console));
                SegBatcher valBatcher = new SegBatcher(val, mean, std, pool);
                int evalBatch = config.getInt("eval.batch_size");
                outcome =
                        job.run(
                                base,
                                constants,
                                run,
                                new OneShotJob.Data(
                                        new SegBatcher(splitA, mean, std, pool),
                                        samplerA,
                                        new SegBatcher(splitB, mean, std, pool),
                                        samplerB,
                                        batch),
                                (b, store) ->
                                        evaluator.evaluate(
                                                job.supernet(), valBatcher, evalBatch, b, store),
                                seed,
                                resume,
                                console);
            }
            run.writeDataSkips(BadSampleDataset.report(Map.of("split_a", ab[0], "split_b", ab[1])));
            return outcome;
        } finally {
            setup.close();
        }
    }

    /**
     * The fraction of the training set in split A: {@code search.split_a} when the method has that
     * key (FBNet: 0.8), else one half.
     *
     * @throws IllegalArgumentException naming the key unless it is in (0, 1)
     */
    static double splitA(Config search) {
        if (!search.has("split_a")) {
            return 0.5;
        }
        double f = search.getDouble("split_a");
        if (!(f > 0 && f < 1)) {
            throw new IllegalArgumentException(
                    "search.split_a must be in (0, 1) (the weights' share of the training set), got "
                            + f);
        }
        return f;
    }

    /**
     * The supernet's validation set: the evaluation view of the val split, cut to its central
     * window of the search crop ({@code data.augment.crop}) when the search trains on crops, unless
     * {@code search.val_full_size} asks for whole images — so that the number measures the network
     * the search trains (at a 64-px crop Auto-DeepLab's level-0 ASPP rate 24 already exceeds a
     * 16-px map).
     */
    public static SegDataset validation(SegDataset evalView, Config data, Config search) {
        if (search.getBoolean("val_full_size")) {
            return evalView;
        }
        Config a = data.sub("augment");
        if (!a.getBoolean("enabled") || a.isNull("crop")) {
            return evalView;
        }
        int[] crop = a.getIntArray("crop");
        if (crop.length == 0) {
            return evalView;
        }
        return new CenterCropSegDataset(evalView, crop[0], crop[crop.length - 1]);
    }
}
