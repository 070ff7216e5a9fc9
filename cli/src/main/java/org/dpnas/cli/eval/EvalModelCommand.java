package org.dpnas.cli.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.JobOptions;
import org.dpnas.cli.Opts;
import org.dpnas.cli.RunCheckpoints;
import org.dpnas.cli.predict.MaskPng;
import org.dpnas.cli.train.Models;
import org.dpnas.cli.train.SegTrainJob;
import org.dpnas.cli.train.TrainConfigs;
import org.dpnas.cli.train.TrainTasks;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.run.RunLock;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.TrainTask;
import org.dpnas.common.train.ParamIO;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.augment.SegPipeline;
import org.dpnas.eval.seg.SegEvaluator;
import org.dpnas.eval.seg.SegMetrics;

/**
 * {@code dpnas eval model}: evaluates a finished run's checkpoint on a dataset split and writes
 * mIoU, per-class IoU, pixel accuracy, mean class accuracy and frequency-weighted IoU.
 *
 * <p>A run of a registered {@link TrainTask} (a detector) is evaluated by its task: COCO AP with
 * {@code --exit K} and {@code --detections FILE}. Every other kind of run: a training run (baseline
 * or a retrained genotype) evaluates its network; a one-shot search run evaluates its supernet with
 * the checkpoint's weights and architecture parameters (the network the derived genotype was read
 * from; retrain the genotype for its own score); a multi-trial search run has no network of its
 * own, and the message names a trial's run to evaluate instead.
 */
public final class EvalModelCommand implements Command {

    @Override
    public String name() {
        return "model";
    }

    @Override
    public String summary() {
        return "evaluate a run's checkpoint on a dataset split (mIoU, per-class IoU, accuracies)";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("run", "DIR", "the run directory written by dpnas train"),
                Opts.value("checkpoint", "DIR", "checkpoint directory to load", "the run's newest"),
                Opts.value("dataset", "NAME", "dataset to evaluate on", "the run's"),
                Opts.value("root", "DIR", "dataset root directory", "the run's"),
                Opts.value("split", "S", "split to evaluate", "the run's validation split"),
                Opts.value(
                        "batch-size", "N", "images per forward pass", "the run's eval.batch_size"),
                Opts.value("device", "D", "auto, cpu, gpu or gpu:N", "the run's"),
                Opts.value("json", "FILE", "also write the metrics as JSON", null),
                Opts.value(
                        "exit",
                        "K",
                        "a detector with stacked pyramids: evaluate its K-th exit (anytime"
                                + " detection)",
                        "the last"),
                Opts.value(
                        "detections",
                        "FILE",
                        "a detector: also write its detections in COCO results format (and the"
                                + " ground truth as FILE.gt.json)",
                        null),
                Opts.value(
                        "save-pred",
                        "DIR",
                        "also write each prediction as a palette PNG named by the sample",
                        null));
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        RunDirectory run = new RunDirectory(Path.of(Args.requiredString(cl, "run")));
        if (!Files.exists(run.resolvedConfig())) {
            throw new CliException(
                    "--run " + run.root() + ": no config.resolved.json, not a dpnas run directory");
        }
        if (Files.exists(run.root().resolve("search/history.jsonl"))) {
            throw new CliException(
                    "--run "
                            + run.root()
                            + " is a multi-trial search: it has no model of its own; evaluate one"
                            + " of its trials, e.g. --run "
                            + run.root().resolve("trials/trial-0000")
                            + " (the best is named in best/trial.json)");
        }
        Optional<TrainTask> task = TrainTasks.ofRun(run.resolvedConfig());
        if (task.isPresent()) {
            return runTask(task.get(), run, cl, out);
        }
        for (String opt : new String[] {"exit", "detections"}) {
            if (cl.hasOption(opt)) {
                throw new CliException(
                        "--" + opt + " applies to a detector run; " + run.root() + " is not one");
            }
        }
        SearchMethod searched = searchMethodOf(run);
        Path out0 = Args.path(cl, "json", null);
        if (out0 != null && out0.toAbsolutePath().normalize().startsWith(run.root())) {
            // writing into the run: the run directory has one owner at a time
            RunLock.acquire(run.root(), String.join(" ", JobOptions.words("eval model", cl)));
        }
        List<String> sets = new ArrayList<>();
        set(cl, "dataset", "data.dataset", sets);
        set(cl, "root", "data.root", sets);
        set(cl, "device", "device", sets);
        Path pinned = run.root().resolve(Models.GENOTYPE_FILE);
        if (searched == null && Files.exists(pinned)) {
            // the run's own copy, so a moved run directory still evaluates
            sets.add("model.genotype=" + new JsonPrimitive(pinned.toString()));
        }
        if (cl.hasOption("batch-size")) {
            sets.add("eval.batch_size=" + Args.intValue(cl, "batch-size", 1));
        }
        Config config =
                ConfigLoader.load(
                        searched != null ? searched.searchDefaults() : TrainConfigs.defaults(),
                        run.resolvedConfig(),
                        sets);
        String split = Args.string(cl, "split", config.getString("data.val_split"));
        Path checkpoint = Args.path(cl, "checkpoint", null);
        checkpoint = RunCheckpoints.resolve(run, checkpoint);
        Path params = checkpoint.resolve("model.params");
        Device device = SegTrainJob.setUp(config);
        SegDataset ds =
                SegPipeline.evaluation(
                        config.sub("data"),
                        SegDatasets.open(config.sub("data"), split, config.getLong("seed")));
        SegMetrics m;
        try (NDManager base = NDManager.newBaseManager(device)) {
            Block model;
            try {
                model =
                        searched != null
                                ? searched.searchNetwork(config)
                                : Models.build(config.sub("model"), ds.numClasses());
            } catch (UnsupportedOperationException e) {
                throw new CliException("--run " + run.root() + ": " + e.getMessage());
            }
            model.initialize(
                    base, DataType.FLOAT32, new Shape(1, 3, ds.get(0).height(), ds.get(0).width()));
            try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
                ParamIO.load(model, new DataInputStream(in), params.toString());
            }
            SegBatcher batcher =
                    new SegBatcher(
                            ds,
                            config.getFloatArray("data.mean"),
                            config.getFloatArray("data.std"));
            Path predDir = Args.path(cl, "save-pred", null);
            SegEvaluator.PredictionSink sink = null;
            if (predDir != null) {
                Files.createDirectories(predDir);
                SegDataset shown = ds;
                sink =
                        (i, h, w, labels) -> {
                            int[][] mask = new int[h][w];
                            for (int y = 0; y < h; y++) {
                                for (int x = 0; x < w; x++) {
                                    mask[y][x] = (int) labels[y * w + x];
                                }
                            }
                            MaskPng.write(mask, predDir.resolve(shown.get(i).id() + ".png"));
                        };
            }
            m =
                    SegEvaluator.evaluate(
                            model,
                            batcher,
                            config.getInt("eval.batch_size"),
                            base,
                            new ParameterStore(base, false),
                            sink);
        }
        out.println(
                config.getString("data.dataset")
                        + " "
                        + split
                        + " ("
                        + ds.size()
                        + " images), checkpoint "
                        + checkpoint
                        + (searched != null
                                ? " (the "
                                        + searched.name()
                                        + " supernet of a search run, with its architecture"
                                        + " weights)"
                                : ""));
        out.println(m.table(ds.classNames()));
        Path json = Args.path(cl, "json", null);
        if (json != null) {
            JsonObject o = m.toJson(ds.classNames());
            o.addProperty("dataset", config.getString("data.dataset"));
            o.addProperty("split", split);
            o.addProperty("images", ds.size());
            o.addProperty("checkpoint", checkpoint.toString());
            RunDirectory.writeJson(json, o);
            out.println("wrote " + json);
        }
        return 0;
    }

    /** Evaluates a run of a registered training task (e.g. a detector). */
    private static int runTask(TrainTask task, RunDirectory run, CommandLine cl, PrintStream out)
            throws Exception {
        for (String opt : new String[] {"save-pred", "batch-size"}) {
            if (cl.hasOption(opt)) {
                throw new CliException("--" + opt + " does not apply to a " + task.name() + " run");
            }
        }
        Path json = Args.path(cl, "json", null);
        Path dets = Args.path(cl, "detections", null);
        for (Path f : new Path[] {json, dets}) {
            if (f != null
                    && f.toAbsolutePath()
                            .normalize()
                            .startsWith(run.root().toAbsolutePath().normalize())) {
                RunLock.acquire(run.root(), String.join(" ", JobOptions.words("eval model", cl)));
                break;
            }
        }
        List<String> sets = new ArrayList<>();
        set(cl, "dataset", "data.dataset", sets);
        set(cl, "root", "data.root", sets);
        set(cl, "device", "device", sets);
        Config config;
        try {
            config = ConfigLoader.load(task.trainDefaults(), run.resolvedConfig(), sets);
        } catch (RuntimeException e) {
            throw new CliException("--run " + run.root() + ": " + e.getMessage());
        }
        String split = Args.string(cl, "split", config.getString("data.val_split"));
        Path checkpoint = Args.path(cl, "checkpoint", null);
        checkpoint = RunCheckpoints.resolve(run, checkpoint);
        int exit = Args.intValue(cl, "exit", 0);
        if (cl.hasOption("exit") && exit < 1) {
            throw new CliException("--exit must be >= 1 (exits count from 1), got " + exit);
        }
        TrainTask.Report r;
        try {
            r =
                    task.evaluate(
                            config, new TrainTask.EvalRequest(checkpoint, split, exit, dets), out);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        out.print(r.text());
        if (json != null) {
            RunDirectory.writeJson(json, r.json());
            out.println("wrote " + json);
        }
        return 0;
    }

    /**
     * The method of a one-shot search run (its {@code best/genotype.json} names it), or null for a
     * training run.
     */
    private static SearchMethod searchMethodOf(RunDirectory run) throws java.io.IOException {
        JsonObject c =
                com.google.gson.JsonParser.parseString(Files.readString(run.resolvedConfig()))
                        .getAsJsonObject();
        if (c.has("model") || !c.has("search")) {
            return null;
        }
        Path genotype = run.best().resolve("genotype.json");
        if (!Files.exists(genotype)) {
            throw new CliException(
                    "--run "
                            + run.root()
                            + " is a search run without best/genotype.json yet: nothing to"
                            + " evaluate");
        }
        try {
            return Registry.methodOf(genotype);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static void set(CommandLine cl, String opt, String key, List<String> sets) {
        if (cl.hasOption(opt)) {
            sets.add(key + "=" + new JsonPrimitive(Args.string(cl, opt, null)));
        }
    }
}
