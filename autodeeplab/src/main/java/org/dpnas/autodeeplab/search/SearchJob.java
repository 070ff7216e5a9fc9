package org.dpnas.autodeeplab.search;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.dpnas.autodeeplab.AutoDeepLabGenotype;
import org.dpnas.autodeeplab.AutoDeepLabSpace;
import org.dpnas.autodeeplab.AutoDeepLabSupernet;
import org.dpnas.autodeeplab.BetaNormalisation;
import org.dpnas.autodeeplab.Decoder;
import org.dpnas.autodeeplab.DownTransition;
import org.dpnas.autodeeplab.SupernetConfig;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.run.MetricsLog;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.OneShotSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.BatchStream;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Seeds;
import org.dpnas.common.train.Sgd;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.augment.BadSampleDataset;
import org.dpnas.datasets.job.JobSetup;
import org.dpnas.eval.seg.SegEvaluator;
import org.dpnas.eval.seg.SegMetrics;

/**
 * The Auto-DeepLab search (Liu et al., CVPR 2019, §4): the run set up by {@link JobSetup}, the
 * training split cut into two disjoint halves from the seed (A for the weights, B for α and β), the
 * supernet searched by the shared {@link OneShotSearch} strategy: first-order bilevel optimisation
 * with SGD + cosine schedule on the weights and Adam on the architecture from {@code
 * arch_start_epoch}, and after every epoch the supernet's validation mIoU (at the search crop
 * unless {@code search.val_full_size}) and the decoded genotype, appended with that mIoU to {@code
 * search/genotypes.jsonl} and written to {@code last/genotype.json}; {@code best/genotype.json}
 * (with a picture, {@code genotype.svg}) holds the genotype of the epoch with the best supernet
 * validation mIoU (the first such epoch on a tie), as the reference keeps its best checkpoint.
 * Checkpoints hold the weights, α, β and both optimizers' state; {@code --resume} continues
 * exactly.
 */
public final class SearchJob {

    private static final String DEFAULTS = "/org/dpnas/autodeeplab/search-defaults.json";

    /** The run's folder of the last epoch's genotype ({@code best/} holds the best epoch's). */
    public static final String LAST = "last";

    /**
     * The outcome of a search.
     *
     * @param run the run directory
     * @param genotype the genotype of the epoch with the best supernet validation mIoU ({@code
     *     best/genotype.json})
     * @param loop the loop's result
     */
    public record Outcome(RunDirectory run, AutoDeepLabGenotype genotype, TrainLoop.Result loop) {}

    private SearchJob() {}

    /** The defaults of {@code dpnas search autodeeplab}, with the shared data section. */
    public static JsonObject defaults() {
        return SegDatasets.withData(
                ConfigLoader.defaultsFromResource(SearchJob.class, DEFAULTS), "space");
    }

    /** The supernet sizes of a configuration; opens the dataset only to count its classes. */
    public static SupernetConfig space(Config config) {
        Config s = config.sub("space");
        int classes = SegDatasets.spaceClasses(config);
        return new SupernetConfig(
                classes,
                s.getInt("layers"),
                s.getInt("filter_multiplier"),
                s.getInt("blocks"),
                BetaNormalisation.parse(
                        s.getString("beta_normalisation"), "space.beta_normalisation"),
                DownTransition.parse(s.getString("down"), "space.down"));
    }

    /**
     * Runs (or resumes) a search.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue from the last checkpoint
     * @param args the command line, for provenance
     * @param console where progress goes
     * @return the outcome
     */
    public static Outcome run(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        Config search = config.sub("search");
        int batch = search.getInt("batch_size");
        JobSetup job = JobSetup.open(config, m -> console.println("WARNING: " + m));
        Device device = job.device();
        long seed = job.seed();
        Config data = job.data();
        // A and B are disjoint, each read through the bad-sample policy on its own and augmented
        // by its own stream
        BadSampleDataset[] ab = job.abSplit();
        SegDataset splitA = job.training(ab[0], batch, null);
        SegDataset splitB = job.training(ab[1], batch, "split-b-augment");
        SegDataset val = validation(job.valSet(), data, search);
        SupernetConfig space = space(config);
        int numClasses = ab[0].numClasses();
        if (space.numClasses() != numClasses) {
            throw new IllegalArgumentException(
                    "space.num_classes is "
                            + space.numClasses()
                            + " but dataset '"
                            + data.getString("dataset")
                            + "' has "
                            + numClasses
                            + " classes");
        }
        EpochSampler samplerA = new EpochSampler(splitA.size(), batch, seed);
        EpochSampler samplerB = new EpochSampler(splitB.size(), batch, Seeds.mix(seed, "split-b"));
        long perEpoch = samplerA.stepsPerEpoch();
        long maxSteps =
                search.getLong("max_steps") > 0
                        ? search.getLong("max_steps")
                        : search.getLong("epochs") * perEpoch;
        long archStart = search.getLong("arch_start_epoch") * perEpoch;
        long ckptEvery =
                search.getLong("checkpoint_every") > 0
                        ? search.getLong("checkpoint_every")
                        : perEpoch;
        AutoDeepLabSupernet net = new AutoDeepLabSupernet(space);
        run.writeStart(
                config.asJsonObject(), resume, Provenance.collect(seed, device.toString(), args));

        ExecutorService pool = job.pool();
        float[] mean = job.mean();
        float[] std = job.std();
        try (NDManager base = NDManager.newBaseManager(device);
                Constants constants = new Constants(base)) {
            Seeds.seedEngine(seed);
            SegSample first = splitA.get(0);
            net.initialize(
                    base.newSubManager(),
                    DataType.FLOAT32,
                    new Shape(batch, 3, first.height(), first.width()));
            ParamGroup weights =
                    new ParamGroup(
                            "weights",
                            net.weightParameters(),
                            new Sgd(search.getFloat("momentum"), search.getFloat("weight_decay")));
            float[] betas = search.getFloatArray("arch_betas");
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
            LrSchedule weightLr =
                    LrSchedule.cosine(
                            search.getFloat("weight_lr"),
                            maxSteps,
                            search.getFloat("weight_min_lr"));
            LrSchedule archLr = LrSchedule.constant(search.getFloat("arch_lr"));
            ParameterStore store = new ParameterStore(base, false);
            SegBatcher valBatcher = new SegBatcher(val, mean, std, pool);
            int evalBatch = config.getInt("eval.batch_size");
            MetricsLog history = new MetricsLog(run.root().resolve("search/genotypes.jsonl"));
            TrainLoop.Options options =
                    new TrainLoop.Options(
                            maxSteps,
                            search.getLong("log_every"),
                            perEpoch,
                            ckptEvery,
                            search.getInt("keep_checkpoints"),
                            batch,
                            "autodeeplab search",
                            "mIoU");
            TrainLoop loop =
                    new TrainLoop(base, net, List.of(weights, arch), run, options, console)
                            .logFields(
                                    t -> {
                                        JsonObject f = new JsonObject();
                                        f.addProperty("epoch", samplerA.epochOf(t));
                                        f.addProperty("lr", weightLr.at(t));
                                        f.addProperty("arch_updates", t >= archStart);
                                        return f;
                                    });
            AutoDeepLabGenotype[] last = new AutoDeepLabGenotype[1];
            double[] bestMiou = {Double.NEGATIVE_INFINITY};
            TrainLoop.Evaluation evaluation =
                    step -> {
                        AutoDeepLabGenotype g = Decoder.decode(net);
                        last[0] = g;
                        long epoch = (step + perEpoch - 1) / perEpoch;
                        SegMetrics m =
                                SegEvaluator.evaluate(net, valBatcher, evalBatch, base, store);
                        String when = "epoch " + epoch + ", step " + step;
                        writeGenotype(run.root().resolve(LAST), g, when);
                        if (m.mIoU() > bestMiou[0]) {
                            bestMiou[0] = m.mIoU();
                            writeGenotype(
                                    run.best(),
                                    g,
                                    when
                                            + String.format(
                                                    Locale.ROOT, ", mIoU %.2f%%", 100 * m.mIoU()));
                        }
                        JsonObject rec = new JsonObject();
                        rec.addProperty("step", step);
                        rec.addProperty("epoch", epoch);
                        rec.addProperty("mIoU", m.mIoU());
                        rec.add("genotype", JsonParser.parseString(g.toJson()));
                        history.append(rec);
                        Map<String, Double> out = new LinkedHashMap<>();
                        out.put("mIoU", m.mIoU());
                        out.put("pixel_accuracy", m.pixelAccuracy());
                        return out;
                    };
            long start = loop.restore(resume);
            history.truncateAfter(start);
            for (JsonObject rec : history.read()) {
                if (rec.has("mIoU")) {
                    bestMiou[0] = Math.max(bestMiou[0], rec.get("mIoU").getAsDouble());
                }
            }
            TrainLoop.Result result;
            try (history;
                    OneShotSearch step =
                            new OneShotSearch(
                                    net,
                                    weights,
                                    arch,
                                    new BatchStream(
                                            new SegBatcher(splitA, mean, std, pool),
                                            samplerA,
                                            maxSteps,
                                            "a"),
                                    new BatchStream(
                                            new SegBatcher(splitB, mean, std, pool),
                                            samplerB,
                                            maxSteps,
                                            "b"),
                                    weightLr,
                                    archLr,
                                    archStart,
                                    search.getFloat("grad_clip_norm"),
                                    constants,
                                    store)) {
                result = loop.run(start, step, evaluation);
            }
            run.writeDataSkips(BadSampleDataset.report(Map.of("split_a", ab[0], "split_b", ab[1])));
            if (last[0] == null) {
                last[0] = Decoder.decode(net);
                writeGenotype(run.root().resolve(LAST), last[0], "step " + result.steps());
                if (!Files.exists(run.best().resolve("genotype.json"))) {
                    writeGenotype(run.best(), last[0], "step " + result.steps());
                }
            }
            AutoDeepLabGenotype best =
                    new AutoDeepLabSpace(1, 1, 1).read(run.best().resolve("genotype.json"));
            return new Outcome(run, best, result);
        } finally {
            job.close();
        }
    }

    /**
     * The supernet's validation set: the evaluation view of the val split, cut to its central
     * window of the search crop ({@code data.augment.crop}) when the search trains on crops, unless
     * {@code search.val_full_size} asks for whole images — so that the number measures the network
     * the search trains (at a 64-px crop the level-0 ASPP rate 24 already exceeds a 16-px map).
     */
    static SegDataset validation(SegDataset evalView, Config data, Config search) {
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

    /** Writes {@code genotype.json} and {@code genotype.svg} into {@code dir} atomically. */
    static void writeGenotype(Path dir, AutoDeepLabGenotype g, String when) throws IOException {
        g.write(dir.resolve("genotype.json"));
        AtomicFiles.writeString(
                dir.resolve("genotype.svg"),
                GenotypePicture.svg(g, "Auto-DeepLab genotype, " + when));
    }
}
