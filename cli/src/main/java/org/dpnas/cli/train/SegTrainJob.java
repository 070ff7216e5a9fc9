package org.dpnas.cli.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import org.dpnas.cli.weights.TrainWeights;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.Devices;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.LrSchedule;
import org.dpnas.common.train.Optimizer;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.Seeds;
import org.dpnas.common.train.SegmentationStep;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.augment.BadSampleDataset;
import org.dpnas.datasets.augment.SegPipeline;
import org.dpnas.datasets.job.JobSetup;
import org.dpnas.eval.seg.SegEvaluator;
import org.dpnas.eval.seg.SegMetrics;

/**
 * Trains a fixed segmentation network from a resolved configuration: builds the data, the model and
 * the optimizer from the one seed, runs the shared {@link TrainLoop} (checkpoints, resume, NaN
 * guard, logs) with mIoU on the validation split, and writes {@code final_metrics.json}.
 *
 * <p>Data: the training split goes through {@code data.augment} (with the epoch of each step, so
 * the batch of step t stays a pure function of (seed, t)), the validation split through {@code
 * data.eval_resize}; both read the samples of a batch on {@code data.workers} threads and handle
 * unreadable samples as {@code data.on_bad_sample} says.
 */
public final class SegTrainJob {

    /**
     * The outcome.
     *
     * @param run the run directory
     * @param metrics the final validation metrics
     * @param classNames the dataset's class names
     * @param loop the loop's result
     */
    public record Outcome(
            RunDirectory run, SegMetrics metrics, List<String> classNames, TrainLoop.Result loop) {}

    private SegTrainJob() {}

    /** Applies {@code threads} and resolves {@code device} of a job's configuration. */
    public static Device setUp(Config config) {
        return Devices.setUp(config.getInt("threads"), config.getString("device"));
    }

    /**
     * Runs the job.
     *
     * @param config the resolved configuration
     * @param run the run directory
     * @param resume continue from the run's last checkpoint
     * @param args the command line, for provenance
     * @param console where progress goes
     * @return the outcome
     */
    public static Outcome run(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        Config train = config.sub("train");
        int batch = train.getInt("batch_size");
        long maxSteps = train.getLong("max_steps");
        JobSetup job = JobSetup.open(config, m -> console.println("WARNING: " + m));
        Device device = job.device();
        long seed = job.seed();
        Config data = job.data();
        BadSampleDataset trainRead = job.trainSet();
        BadSampleDataset valRead = job.readable(job.raw("val_split"));
        SegDataset trainSet = job.training(trainRead, batch, null);
        SegDataset valSet = SegPipeline.evaluation(data, valRead);

        // everything that can reject the configuration runs before the first file is written
        Block model = Models.build(config.sub("model"), trainSet.numClasses());
        TrainWeights.check(model, config);
        // a searched genotype is copied into the run, so that eval rebuilds the same network
        config = Models.pinGenotype(config, run.root());
        run.writeStart(
                config.asJsonObject(), resume, Provenance.collect(seed, device.toString(), args));
        float[] mean = data.getFloatArray("mean");
        float[] std = data.getFloatArray("std");
        ExecutorService pool = job.pool();
        try (NDManager base = NDManager.newBaseManager(device);
                Constants constants = new Constants(base)) {
            Seeds.seedEngine(seed);
            NDManager modelManager = base.newSubManager();

            SegSample first = trainSet.get(0);
            int h = first.height();
            int w = first.width();
            model.initialize(modelManager, DataType.FLOAT32, new Shape(batch, 3, h, w));
            TrainWeights.apply(model, config, console);
            float[] betas = train.getFloatArray("betas");
            List<ParamGroup> groups =
                    TrainWeights.groups(
                            model,
                            config,
                            () ->
                                    Optimizer.create(
                                            train.getString("optimizer"),
                                            train.getFloat("momentum"),
                                            train.getFloat("weight_decay"),
                                            betas[0],
                                            betas[1],
                                            train.getFloat("eps")));
            ParamGroup weights = groups.get(0);
            LrSchedule lr =
                    LrSchedule.create(
                                    train.getString("schedule"),
                                    train.getFloat("lr"),
                                    maxSteps,
                                    train.getFloat("poly_power"),
                                    train.getFloat("min_lr"))
                            .withWarmup(train.getLong("warmup_steps"));
            ParameterStore store = new ParameterStore(base, false);
            SegBatcher trainBatcher = new SegBatcher(trainSet, mean, std, pool);
            SegBatcher valBatcher = new SegBatcher(valSet, mean, std, pool);
            int evalBatch = config.getInt("eval.batch_size");
            TrainLoop.Options options =
                    new TrainLoop.Options(
                            maxSteps,
                            train.getLong("log_every"),
                            train.getLong("eval_every"),
                            train.getLong("checkpoint_every"),
                            train.getInt("keep_checkpoints"),
                            batch,
                            config.getString("model.name"),
                            "mIoU");
            TrainLoop loop =
                    new TrainLoop(base, model, groups, run, options, console)
                            .logFields(
                                    t -> {
                                        JsonObject f = new JsonObject();
                                        f.addProperty("lr", lr.at(t));
                                        return f;
                                    });
            SegMetrics[] last = new SegMetrics[1];
            TrainLoop.Evaluation evaluation =
                    step -> {
                        last[0] = SegEvaluator.evaluate(model, valBatcher, evalBatch, base, store);
                        return summary(last[0]);
                    };
            long start = loop.restore(resume);
            TrainLoop.Result result;
            try (SegmentationStep step =
                    new SegmentationStep(
                            model,
                            weights,
                            trainBatcher,
                            new EpochSampler(trainSet.size(), batch, seed),
                            lr,
                            train.getFloat("grad_clip_norm"),
                            constants,
                            store,
                            maxSteps)) {
                if (groups.size() > 1) {
                    step.alsoStep(groups.get(1), train.getFloat("backbone_lr_mult"));
                }
                result = loop.run(start, step, evaluation);
            }
            if (last[0] == null) {
                last[0] = SegEvaluator.evaluate(model, valBatcher, evalBatch, base, store);
            }
            writeFinal(run, last[0], valSet.classNames(), result);
            run.writeDataSkips(BadSampleDataset.report(Map.of("train", trainRead, "val", valRead)));
            long skips = trainRead.skips() + valRead.skips();
            if (skips > 0) {
                console.printf(
                        "skipped %d reads of bad samples (%d bad training, %d bad validation"
                                + " samples)%n",
                        skips, trainRead.badSamples(), valRead.badSamples());
            }
            return new Outcome(run, last[0], valSet.classNames(), result);
        } finally {
            job.close();
        }
    }

    /** The scalar metrics logged per evaluation. */
    public static Map<String, Double> summary(SegMetrics m) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("mIoU", m.mIoU());
        out.put("pixel_accuracy", m.pixelAccuracy());
        out.put("mean_class_accuracy", m.meanClassAccuracy());
        out.put("fw_iou", m.fwIoU());
        return out;
    }

    private static void writeFinal(
            RunDirectory run, SegMetrics m, List<String> names, TrainLoop.Result r)
            throws IOException {
        JsonObject o = m.toJson(names);
        o.addProperty("step", r.steps());
        o.addProperty("checkpoint", String.valueOf(r.lastCheckpoint()));
        RunDirectory.writeJson(run.root().resolve("final_metrics.json"), o);
    }
}
