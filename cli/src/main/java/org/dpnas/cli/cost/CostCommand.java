package org.dpnas.cli.cost;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.dpnas.cli.Args;
import org.dpnas.cli.CliException;
import org.dpnas.cli.Command;
import org.dpnas.cli.Opts;
import org.dpnas.cli.train.Models;
import org.dpnas.cli.train.SegTrainJob;
import org.dpnas.cli.train.TrainConfigs;
import org.dpnas.cli.train.TrainTasks;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigException;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.cost.CostCounter;
import org.dpnas.common.cost.CostReport;
import org.dpnas.common.cost.LatencyMeter;
import org.dpnas.common.cost.LatencyTable;
import org.dpnas.common.cost.OpType;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.search.TrainTask;
import org.dpnas.datasets.SegDatasets;

/**
 * {@code dpnas cost}: prints a model's trainable and non-trainable parameters, its multiply-adds in
 * total and per op type (see {@link OpType} for the conventions), and its measured inference
 * latency (median, p10, p90 of timed forward passes after warm-up, with thread count and device);
 * optionally writes them as JSON.
 *
 * <p>With {@code --genotype FILE} it costs the retrain network of that genotype (implies {@code
 * --model} of the genotype's method), built as {@code train --genotype} builds it: the genotype's
 * sizes unless {@code --filter-multiplier} or {@code --block-multiplier} override them. A missing
 * or invalid genotype file is a usage error naming the file.
 */
public final class CostCommand implements Command {

    private static final Pattern SHAPE = Pattern.compile("(\\d+)x(\\d+)x(\\d+)x(\\d+)");
    private static final String DEFAULT_INPUT = "1x3x512x1024";
    private static final int DEFAULT_CLASSES = 19;
    private static final int DEFAULT_RUNS = 10;
    private static final int DEFAULT_WARMUP = 2;

    /**
     * Parses a strict {@code NxCxHxW} shape of positive integers.
     *
     * @param option the option the text came from, for the message (for example {@code "--input"})
     * @param text the text
     * @return the shape
     * @throws CliException naming the option when the text is not four positive integers joined by
     *     {@code x}
     */
    public static Shape parseShape(String option, String text) {
        Matcher m = SHAPE.matcher(text);
        if (m.matches()) {
            long[] dims = new long[4];
            boolean ok = true;
            for (int i = 0; i < 4; i++) {
                String g = m.group(i + 1);
                // at most 9 digits keeps every dimension an int
                dims[i] = g.length() <= 9 ? Long.parseLong(g) : -1;
                ok &= dims[i] > 0;
            }
            if (ok) {
                return new Shape(dims);
            }
        }
        throw new CliException(
                "option '"
                        + option
                        + "' expects NxCxHxW with positive integers, e.g. "
                        + DEFAULT_INPUT
                        + ", got '"
                        + text
                        + "'");
    }

    @Override
    public String name() {
        return "cost";
    }

    @Override
    public String summary() {
        return "count a model's parameters and multiply-adds and measure its latency";
    }

    @Override
    public Options options() {
        return Opts.of(
                Opts.value(
                        "model",
                        "NAME",
                        "model to cost: " + String.join(", ", Models.names()),
                        TrainConfigs.defaultOf("model.name")),
                Opts.value(
                        "genotype",
                        "FILE",
                        "genotype.json to cost (implies --model of its 'method')",
                        null),
                Opts.value(
                        "config",
                        "FILE",
                        "a train config: cost the network its model section describes (e.g. a"
                                + " detector's pyramid width and head convs); the options below"
                                + " override it",
                        null),
                Opts.value(
                        "run",
                        "DIR",
                        "a training run: cost the network of its config.resolved.json",
                        null),
                Opts.value(
                        "filter-multiplier",
                        "F",
                        "filter multiplier of a genotype's network (default: the genotype's)",
                        null),
                Opts.value(
                        "block-multiplier",
                        "B",
                        "block multiplier of a genotype's network (default: the genotype's block"
                                + " count)",
                        null),
                Opts.value(
                        "backbone",
                        "ARCH",
                        "DeepLabv3+ backbone",
                        TrainConfigs.defaultOf("model.backbone")),
                Opts.value(
                        "output-stride",
                        "N",
                        "DeepLabv3+ output stride",
                        TrainConfigs.defaultOf("model.output_stride")),
                Opts.value("input", "NxCxHxW", "input shape", DEFAULT_INPUT),
                Opts.value(
                        "num-classes",
                        "N",
                        "number of output classes",
                        String.valueOf(DEFAULT_CLASSES)),
                Opts.value(
                        "width",
                        "W",
                        "base width of the baseline",
                        TrainConfigs.defaultOf("model.width")),
                Opts.value(
                        "device",
                        "D",
                        "auto, cpu, gpu or gpu:N for the latency",
                        TrainConfigs.defaultOf("device")),
                Opts.value(
                        "threads",
                        "T",
                        "libtorch intra-op threads, 0 keeps libtorch's",
                        TrainConfigs.defaultOf("threads")),
                Opts.value("runs", "N", "timed forward passes", String.valueOf(DEFAULT_RUNS)),
                Opts.value(
                        "warmup",
                        "N",
                        "untimed forward passes before them",
                        String.valueOf(DEFAULT_WARMUP)),
                Opts.flag("no-latency", "count only, do not build or time the model"),
                Opts.value("json", "FILE", "also write the numbers as JSON", null));
    }

    @Override
    public List<String> positionals() {
        return List.of();
    }

    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
        Args.atMostPositionals(cl, 0);
        Shape input = parseShape("--input", Args.string(cl, "input", DEFAULT_INPUT));
        Config config = resolve(cl);
        int classes = classes(cl, config);
        if (classes < 2) {
            throw new CliException("option '--num-classes' must be >= 2, got " + classes);
        }
        int runs = Args.intValue(cl, "runs", DEFAULT_RUNS);
        int warmup = Args.intValue(cl, "warmup", DEFAULT_WARMUP);
        if (runs < 1) {
            throw new CliException("option '--runs' must be >= 1, got " + runs);
        }
        if (warmup < 0) {
            throw new CliException("option '--warmup' must be >= 0, got " + warmup);
        }
        boolean latency = !Args.flag(cl, "no-latency");
        Path json = Args.path(cl, "json", null);
        String model = config.getString("model.name");
        Block block;
        try {
            block = Models.build(config.sub("model"), classes);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Device device = SegTrainJob.setUp(config);
        CostReport cost = CostCounter.of(block, input);

        LatencyMeter.Result lat = null;
        if (latency) {
            try (NDManager base = NDManager.newBaseManager(device)) {
                block.initialize(base, DataType.FLOAT32, input);
                lat = new LatencyMeter(warmup, runs).measure(block, base, input);
            }
        }
        int threads = lat != null ? lat.threads() : JniUtils.getNumThreads();

        Optional<SearchMethod> searched = Registry.method(model);
        String sizes =
                searched.isPresent()
                        ? "genotype "
                                + config.getString("model.genotype")
                                + ", "
                                + searched.get().sizes(block)
                        : Registry.model(model).map(f -> f.sizes(config.sub("model"))).orElse("");
        out.printf(
                Locale.ROOT,
                "%s (%s, %d classes) at %s -> %s%n",
                model,
                sizes,
                classes,
                LatencyTable.dims(input),
                LatencyTable.dims(cost.outputShapes()[0]));
        out.print(table(cost));
        if (lat != null) {
            out.printf(
                    Locale.ROOT,
                    "latency        %.2f ms median (p10 %.2f, p90 %.2f) over %d runs after %d"
                            + " warm-up, %d thread(s), %s%n",
                    lat.medianMs(),
                    lat.p10Ms(),
                    lat.p90Ms(),
                    lat.runs(),
                    lat.warmup(),
                    lat.threads(),
                    lat.device());
        }
        for (String w : cost.warnings()) {
            out.println("warning: " + w);
        }
        if (json != null) {
            JsonObject o = new JsonObject();
            o.addProperty("model", model);
            if (searched.isPresent()) {
                o.add("width", JsonNull.INSTANCE);
                o.addProperty("genotype", config.getString("model.genotype"));
                for (var e : searched.get().sizesJson(block).entrySet()) {
                    o.add(e.getKey(), e.getValue());
                }
            } else {
                o.add(
                        "width",
                        config.has("model.width") && !config.isNull("model.width")
                                ? new JsonPrimitive(config.getInt("model.width"))
                                : JsonNull.INSTANCE);
                o.add("genotype", JsonNull.INSTANCE);
                o.add("filter_multiplier", JsonNull.INSTANCE);
                o.add("block_multiplier", JsonNull.INSTANCE);
            }
            o.addProperty("num_classes", classes);
            o.addProperty("input", LatencyTable.dims(input));
            o.addProperty("output", LatencyTable.dims(cost.outputShapes()[0]));
            o.addProperty("params", cost.params());
            o.addProperty("non_trainable_params", cost.nonTrainableParams());
            o.addProperty("macs", cost.macs());
            o.addProperty("macs_conv_linear", cost.convLinearMacs());
            JsonObject byOp = new JsonObject();
            JsonObject paramsByOp = new JsonObject();
            for (OpType t : OpType.values()) {
                byOp.addProperty(t.key(), cost.macs(t));
                paramsByOp.addProperty(t.key(), cost.paramsByOp().get(t));
            }
            o.add("macs_by_op", byOp);
            o.add("params_by_op", paramsByOp);
            o.add("latency_ms", lat == null ? JsonNull.INSTANCE : num(lat.medianMs()));
            o.add("latency_p10_ms", lat == null ? JsonNull.INSTANCE : num(lat.p10Ms()));
            o.add("latency_p90_ms", lat == null ? JsonNull.INSTANCE : num(lat.p90Ms()));
            o.add("latency_runs", lat == null ? JsonNull.INSTANCE : new JsonPrimitive(lat.runs()));
            o.add(
                    "latency_warmup",
                    lat == null ? JsonNull.INSTANCE : new JsonPrimitive(lat.warmup()));
            o.addProperty("threads", threads);
            o.addProperty("device", lat != null ? lat.device() : device.toString());
            o.addProperty("engine_version", Engine.getInstance().getVersion());
            JsonArray warnings = new JsonArray();
            cost.warnings().forEach(warnings::add);
            o.add("warnings", warnings);
            RunDirectory.writeJson(json, o);
            out.println("wrote " + json);
        }
        return 0;
    }

    /**
     * {@code --num-classes}, or, for a {@code --run} or {@code --config} without it, the class
     * count its training would use: a model with a training task (a detector) asks the task, which
     * reads the training split's class names (a BCCD run has 3 classes); a model on a segmentation
     * dataset takes that dataset's (a CamVid run is costed with its 11 classes, not the default
     * 19).
     */
    static int classes(CommandLine cl, Config config) {
        boolean described = cl.hasOption("run") || cl.hasOption("config");
        if (cl.hasOption("num-classes") || !described) {
            return Args.intValue(cl, "num-classes", DEFAULT_CLASSES);
        }
        String dataset = config.getString("data.dataset");
        Optional<TrainTask> task = Registry.trainTask(config.getString("model.name"));
        if (task.isEmpty() && !SegDatasets.NAMES.contains(dataset)) {
            return DEFAULT_CLASSES;
        }
        try {
            return task.isPresent()
                    ? task.get().exportInfo(config).classNames().size()
                    : SegDatasets.open(
                                    config.sub("data"),
                                    config.getString("data.val_split"),
                                    config.getLong("seed"))
                            .numClasses();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new CliException(
                    "the class count of dataset '"
                            + dataset
                            + "' is read from its files, which could not be opened ("
                            + e.getMessage()
                            + "): give --num-classes N");
        }
    }

    /**
     * The model section and set-up keys: the train defaults (of the model's train task when the
     * config names one), a {@code --config} file or a {@code --run}'s resolved config, then this
     * verb's options.
     */
    static Config resolve(CommandLine cl) {
        Path configFile = Args.path(cl, "config", null);
        if (cl.hasOption("run")) {
            if (configFile != null) {
                throw new CliException("give --config or --run, not both");
            }
            configFile = Args.path(cl, "run", null).resolve("config.resolved.json");
            if (!Files.isRegularFile(configFile)) {
                throw new CliException(
                        "--run "
                                + Args.path(cl, "run", null)
                                + ": no config.resolved.json (not a training run directory)");
            }
        } else if (configFile != null && !Files.isRegularFile(configFile)) {
            throw new CliException("--config " + configFile + ": no such file");
        }
        JsonObject defaults =
                configFile == null
                        ? TrainConfigs.defaults()
                        : TrainTasks.ofRun(configFile)
                                .map(TrainTask::trainDefaults)
                                .orElseGet(TrainConfigs::defaults);
        List<String> sets = new java.util.ArrayList<>();
        if (cl.hasOption("model")) {
            sets.add("model.name=" + new JsonPrimitive(Args.string(cl, "model", null)));
        }
        boolean genotype = cl.hasOption("genotype");
        if (genotype) {
            Path file = Args.path(cl, "genotype", null);
            String method;
            try {
                method = Models.methodOf(file);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
            String model = Args.string(cl, "model", method);
            if (!method.equals(model)) {
                throw new CliException(
                        "--genotype costs a '"
                                + method
                                + "' genotype: drop --model "
                                + model
                                + " or use --model "
                                + method);
            }
            if (cl.hasOption("width")) {
                throw new CliException(
                        "--width sizes a hand-designed model; a searched network is sized by"
                                + " --filter-multiplier and --block-multiplier");
            }
            sets.add("model.name=" + new JsonPrimitive(method));
            sets.add("model.genotype=" + new JsonPrimitive(Args.string(cl, "genotype", null)));
        }
        for (String opt : new String[] {"filter-multiplier", "block-multiplier"}) {
            if (cl.hasOption(opt)) {
                if (!genotype) {
                    throw new CliException(
                            "option '--" + opt + "' sizes a searched network: give --genotype");
                }
                sets.add("model." + opt.replace('-', '_') + "=" + Args.intValue(cl, opt, 0));
            }
        }
        if (cl.hasOption("backbone")) {
            sets.add("model.backbone=" + new JsonPrimitive(Args.string(cl, "backbone", null)));
        }
        if (cl.hasOption("output-stride")) {
            sets.add("model.output_stride=" + Args.intValue(cl, "output-stride", 16));
        }
        if (cl.hasOption("width")) {
            sets.add("model.width=" + Args.intValue(cl, "width", 0));
        }
        if (cl.hasOption("device")) {
            sets.add("device=" + new JsonPrimitive(Args.string(cl, "device", null)));
        }
        if (cl.hasOption("threads")) {
            int t = Args.intValue(cl, "threads", 0);
            if (t < 0) {
                throw new CliException("option '--threads' must be >= 0, got " + t);
            }
            sets.add("threads=" + t);
        }
        try {
            return ConfigLoader.load(defaults, configFile, sets);
        } catch (ConfigException e) {
            throw new CliException(e.getMessage());
        }
    }

    private static JsonPrimitive num(double v) {
        return new JsonPrimitive(v);
    }

    /** Formats the parameter and multiply-add summary with one row per op type. */
    static String table(CostReport cost) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "params         %,d trainable, %,d non-trainable (BatchNorm running"
                                + " statistics)%n",
                        cost.params(),
                        cost.nonTrainableParams()));
        b.append(
                String.format(
                        Locale.ROOT,
                        "multiply-adds  %.3f G (conv + linear %.3f G)%n",
                        cost.macs() / 1e9,
                        cost.convLinearMacs() / 1e9));
        b.append(
                String.format(
                        Locale.ROOT, "%n%-12s %14s %14s %8s%n", "op", "params", "MACs", "share"));
        long known = 0;
        for (OpType t : OpType.values()) {
            long p = cost.paramsByOp().get(t);
            known += p;
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%-12s %,14d %,14d %7.2f%%%n",
                            t.key(),
                            p,
                            cost.macs(t),
                            cost.macs() == 0 ? 0.0 : 100.0 * cost.macs(t) / cost.macs()));
        }
        if (cost.params() != known) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%-12s %,14d %14s %8s%n",
                            "other",
                            cost.params() - known,
                            "-",
                            "-"));
        }
        b.append(
                String.format(
                        Locale.ROOT,
                        "%-12s %,14d %,14d %7.2f%%%n%n",
                        "total",
                        cost.params(),
                        cost.macs(),
                        100.0));
        return b.toString();
    }
}
