package org.dpnas.cli.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.cli.RunCheckpoints;
import org.dpnas.cli.train.Models;
import org.dpnas.cli.train.SegTrainJob;
import org.dpnas.cli.train.TrainConfigs;
import org.dpnas.cli.train.TrainTasks;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.TrainTask;
import org.dpnas.common.train.ParamIO;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.augment.SegPipeline;
import org.dpnas.datasets.djl.ModelDir;

/**
 * {@code dpnas weights export}: writes the network of a run's checkpoint (any trained model: the
 * baseline, DeepLabv3+, a retrained search) as float32 safetensors under PyTorch names (see {@link
 * org.dpnas.common.io.TorchNames}), weights and BatchNorm statistics, with the model name, run and
 * step as metadata; or, with {@code --format djl}, as a DJL model directory ({@link ModelDir}) that
 * DJL's {@code Criteria} loads with the dpnas jars on the classpath.
 */
public final class ExportCommand implements Command {

    @Override
    public String name() {
        return "export";
    }

    @Override
    public String summary() {
        return "write a run's network as safetensors (PyTorch names)";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.required("run", "DIR", "the run directory"),
                Opts.required(
                        "out",
                        "PATH",
                        "the .safetensors file to write (--format djl: the model directory)"),
                Opts.value(
                        "format",
                        "F",
                        "safetensors, or djl: a DJL model directory that Criteria loads",
                        "safetensors"),
                Opts.value(
                        "checkpoint", "DIR", "checkpoint directory to export", "the run's newest"));
    }

    @Override
    public List<String> positionals() {
        return List.of();
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        RunDirectory run = new RunDirectory(Path.of(Args.requiredString(cl, "run")));
        Path target = Path.of(Args.requiredString(cl, "out"));
        String format = Args.string(cl, "format", "safetensors");
        if (!format.equals("safetensors") && !format.equals("djl")) {
            throw new CliException("--format must be safetensors or djl, got '" + format + "'");
        }
        Optional<TrainTask> task =
                Files.exists(run.resolvedConfig())
                        ? TrainTasks.ofRun(run.resolvedConfig())
                        : Optional.empty();
        if (task.isPresent()) {
            return exportTask(
                    task.get(), run, Args.path(cl, "checkpoint", null), target, format, out);
        }
        Prepared p = prepare(run, Args.path(cl, "checkpoint", null));
        Config config = p.config();
        Path checkpoint = p.checkpoint();
        Path params = p.params();
        SegDataset ds = p.dataset();
        if (format.equals("djl")) {
            writeDjl(p, target);
            out.printf(
                    Locale.ROOT,
                    "wrote %s: a DJL model directory (%s, %s); load it with"
                            + " Criteria.builder().setTypes(Image.class, CategoryMask.class)"
                            + ".optModelPath(Path.of(\"%s\"))%n",
                    target,
                    config.getString("model.name"),
                    checkpoint.getFileName(),
                    target);
            return 0;
        }
        try (NDManager base = NDManager.newBaseManager()) {
            Block model = Models.build(config.sub("model"), ds.numClasses());
            model.initialize(
                    base, DataType.FLOAT32, new Shape(1, 3, ds.get(0).height(), ds.get(0).width()));
            try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
                ParamIO.load(model, new DataInputStream(in), params.toString());
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("dpnas_model", config.getString("model.name"));
            meta.put("dpnas_run", run.root().toAbsolutePath().toString());
            meta.put("dpnas_checkpoint", checkpoint.getFileName().toString());
            meta.put("num_classes", String.valueOf(ds.numClasses()));
            long n = WeightFiles.save(model, target, meta);
            out.printf(
                    Locale.ROOT,
                    "wrote %s: %d tensors, %,d values (%s, %s)%n",
                    target,
                    ParamIO.named(model).size(),
                    n,
                    config.getString("model.name"),
                    checkpoint.getFileName());
        }
        return 0;
    }

    /** A run's configuration, checkpoint and evaluation dataset, ready to export. */
    record Prepared(
            RunDirectory run, Config config, Path checkpoint, Path params, SegDataset dataset) {}

    /**
     * Reads a run for export.
     *
     * @param run the run directory
     * @param checkpoint the checkpoint directory, or {@code null} for the newest
     * @throws CliException naming what is missing
     */
    static Prepared prepare(RunDirectory run, Path checkpoint) throws java.io.IOException {
        if (!Files.exists(run.resolvedConfig())) {
            throw new CliException(
                    "--run " + run.root() + ": no config.resolved.json, not a dpnas run directory");
        }
        List<String> sets = new ArrayList<>();
        Path pinned = run.root().resolve(Models.GENOTYPE_FILE);
        if (Files.exists(pinned)) {
            sets.add("model.genotype=" + new JsonPrimitive(pinned.toString()));
        }
        // the run's trained values replace any initial weights: never read those files again
        sets.add("model.init_weights=null");
        sets.add("model.backbone_weights=null");
        Config config = ConfigLoader.load(TrainConfigs.defaults(), run.resolvedConfig(), sets);
        checkpoint = RunCheckpoints.resolve(run, checkpoint);
        Path params = checkpoint.resolve("model.params");
        SegTrainJob.setUp(config);
        SegDataset ds =
                SegPipeline.evaluation(
                        config.sub("data"),
                        SegDatasets.open(
                                config.sub("data"),
                                config.getString("data.val_split"),
                                config.getLong("seed")));
        return new Prepared(run, config, checkpoint, params, ds);
    }

    /**
     * Writes {@code run}'s network as a DJL model directory ({@link ModelDir}).
     *
     * @param run the run directory
     * @param checkpoint the checkpoint directory, or {@code null} for the newest
     * @param target the directory to create (absent or empty)
     */
    public static void writeDjl(RunDirectory run, Path checkpoint, Path target)
            throws java.io.IOException {
        Optional<TrainTask> task =
                Files.exists(run.resolvedConfig())
                        ? TrainTasks.ofRun(run.resolvedConfig())
                        : Optional.empty();
        if (task.isPresent()) {
            TaskRun t = prepareTask(task.get(), run, checkpoint);
            writeTaskDjl(t, target);
            return;
        }
        writeDjl(prepare(run, checkpoint), target);
    }

    /** A run of a registered training task (e.g. a detector), ready to export. */
    private record TaskRun(
            TrainTask task,
            RunDirectory run,
            Config config,
            Path checkpoint,
            Path params,
            TrainTask.ExportInfo info) {}

    private static TaskRun prepareTask(TrainTask task, RunDirectory run, Path checkpoint)
            throws java.io.IOException {
        List<String> sets = new ArrayList<>();
        Path pinned = run.root().resolve(Models.GENOTYPE_FILE);
        if (Files.exists(pinned)) {
            sets.add("model.genotype=" + new JsonPrimitive(pinned.toString()));
        }
        Config config;
        try {
            config = ConfigLoader.load(task.trainDefaults(), run.resolvedConfig(), sets);
            if (config.has("model.backbone_weights")) {
                config = config.withOverrides(List.of("model.backbone_weights=null"));
            }
        } catch (RuntimeException e) {
            throw new CliException("--run " + run.root() + ": " + e.getMessage());
        }
        checkpoint = RunCheckpoints.resolve(run, checkpoint);
        Path params = checkpoint.resolve("model.params");
        TrainTask.ExportInfo info;
        try {
            info = task.exportInfo(config);
        } catch (IllegalArgumentException e) {
            throw new CliException("--run " + run.root() + ": " + e.getMessage());
        }
        return new TaskRun(task, run, config, checkpoint, params, info);
    }

    private static void writeTaskDjl(TaskRun t, Path target) throws java.io.IOException {
        JsonObject source = new JsonObject();
        source.addProperty("run", t.run().root().toAbsolutePath().toString());
        source.addProperty("checkpoint", t.checkpoint().getFileName().toString());
        source.addProperty("model", t.config().getString("model.name"));
        Path genotype =
                !t.config().has("model.genotype") || t.config().isNull("model.genotype")
                        ? null
                        : Path.of(t.config().getString("model.genotype"));
        if (genotype != null && !Files.isRegularFile(genotype)) {
            genotype = null; // a built-in name, not a file
        }
        try {
            ModelDir.write(
                    target,
                    t.config().asJsonObject(),
                    genotype,
                    t.params(),
                    t.task().name(),
                    t.info().classNames(),
                    t.info().height(),
                    t.info().width(),
                    source);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new CliException("--out " + target + " exists and is not empty");
        }
    }

    private static int exportTask(
            TrainTask task,
            RunDirectory run,
            Path checkpoint,
            Path target,
            String format,
            PrintStream out)
            throws Exception {
        TaskRun t = prepareTask(task, run, checkpoint);
        String model = t.config().getString("model.name");
        if (format.equals("djl")) {
            writeTaskDjl(t, target);
            out.printf(
                    Locale.ROOT,
                    "wrote %s: a DJL model directory (%s %s, %s); load it with"
                            + " Criteria.builder().setTypes(Image.class, DetectedObjects.class)"
                            + ".optModelPath(Path.of(\"%s\"))%n",
                    target,
                    task.name(),
                    model,
                    t.checkpoint().getFileName(),
                    target);
            return 0;
        }
        try (NDManager base = NDManager.newBaseManager()) {
            Block block = Models.build(t.config().sub("model"), t.info().classNames().size());
            block.initialize(
                    base, DataType.FLOAT32, new Shape(1, 3, t.info().height(), t.info().width()));
            try (InputStream in = new BufferedInputStream(Files.newInputStream(t.params()))) {
                ParamIO.load(block, new DataInputStream(in), t.params().toString());
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "pt");
            meta.put("dpnas_model", model);
            meta.put("dpnas_task", task.name());
            meta.put("dpnas_run", run.root().toAbsolutePath().toString());
            meta.put("dpnas_checkpoint", t.checkpoint().getFileName().toString());
            meta.put("num_classes", String.valueOf(t.info().classNames().size()));
            long n = WeightFiles.save(block, target, meta);
            out.printf(
                    Locale.ROOT,
                    "wrote %s: %d tensors, %,d values (%s, %s)%n",
                    target,
                    ParamIO.named(block).size(),
                    n,
                    model,
                    t.checkpoint().getFileName());
        }
        return 0;
    }

    private static void writeDjl(Prepared p, Path target) throws java.io.IOException {
        Config config = p.config();
        JsonObject source = new JsonObject();
        source.addProperty("run", p.run().root().toAbsolutePath().toString());
        source.addProperty("checkpoint", p.checkpoint().getFileName().toString());
        source.addProperty("model", config.getString("model.name"));
        Path genotype =
                !config.has("model.genotype") || config.isNull("model.genotype")
                        ? null
                        : Path.of(config.getString("model.genotype"));
        try {
            ModelDir.write(
                    target,
                    config.asJsonObject(),
                    genotype,
                    p.params(),
                    ModelDir.SEGMENTATION,
                    p.dataset().classNames(),
                    p.dataset().get(0).height(),
                    p.dataset().get(0).width(),
                    source);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new CliException("--out " + target + " exists and is not empty");
        }
    }
}
