package org.dpnas.nasfpn;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.det.Detection;
import org.dpnas.common.io.SafeTensorsException;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.run.Provenance;
import org.dpnas.common.run.RunDirectory;
import org.dpnas.common.search.TrainTask;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.Devices;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.common.train.ParamIO;
import org.dpnas.common.train.TrainLoop;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetProblems;
import org.dpnas.eval.det.CocoDetections;
import org.dpnas.eval.det.CocoEvaluator;
import org.dpnas.eval.det.CocoGroundTruth;
import org.dpnas.eval.det.CocoStats;

/**
 * Object detection as a {@code dpnas train} / {@code eval model} task: trains the RetinaNet a
 * {@code model} section describes ({@code model.name} {@code nasfpn}, {@code model.genotype} a
 * built-in pyramid or a genotype file) with the shared {@link TrainLoop} (checkpoints, exact
 * resume, logs), validates with COCO AP, and evaluates a run's checkpoint at any exit, writing the
 * COCO stats and, if asked, the detections in COCO results form with the ground truth beside them.
 */
public final class DetectionJob implements TrainTask {

    private static final String DEFAULTS = "/org/dpnas/nasfpn/train-defaults.json";

    /** The file name of the pyramid genotype copied into a run directory. */
    public static final String GENOTYPE_FILE = "genotype.json";

    @Override
    public String name() {
        return "detection";
    }

    @Override
    public boolean trains(String modelName) {
        return PyramidGenotype.METHOD.equals(modelName);
    }

    @Override
    public JsonObject trainDefaults() {
        return defaults();
    }

    /** A fresh copy of the detection training defaults. */
    public static JsonObject defaults() {
        return ConfigLoader.defaultsFromResource(DetectionJob.class, DEFAULTS);
    }

    /** The training settings of a resolved detection training configuration. */
    public static DetectorTrainer.Settings settings(Config config) {
        Config t = config.sub("train");
        return new DetectorTrainer.Settings(
                t.getInt("image_size"),
                t.getInt("batch_size"),
                (int) t.getLong("max_steps"),
                t.getFloat("lr"),
                config.getLong("seed"));
    }

    @Override
    public Report train(
            Config config, RunDirectory run, boolean resume, List<String> args, PrintStream console)
            throws Exception {
        Device device = Devices.setUp(config.getInt("threads"), config.getString("device"));
        long seed = config.getLong("seed");
        Config data = config.sub("data");
        DetProblems trainProblems = DetData.problems(data, console);
        DetProblems valProblems = DetData.problems(data, console);
        DetDataset train = DetData.open(data, data.getString("train_split"), seed, trainProblems);
        DetDataset val = DetData.open(data, data.getString("val_split"), seed, valProblems);
        if (train.size() == 0 || val.size() == 0) {
            throw new IllegalArgumentException(
                    "data: the training or validation split is empty ("
                            + train.size()
                            + " / "
                            + val.size()
                            + " images)");
        }
        DetectorTrainer.Settings s = settings(config);
        // everything that can reject the configuration runs before the first file is written
        PyramidGenotype genotype = NasFpnMethod.genotype(config.sub("model"));
        RetinaNet net = NasFpnMethod.network(config.sub("model"), train.numClasses());
        Path weightsFile =
                config.isNull("model.backbone_weights")
                        ? null
                        : Path.of(config.getString("model.backbone_weights"));
        if (weightsFile != null && !Files.isRegularFile(weightsFile)) {
            throw new IllegalArgumentException(
                    "weights file " + weightsFile + " (model.backbone_weights) not found");
        }
        Path pinned = run.root().resolve(GENOTYPE_FILE).toAbsolutePath().normalize();
        String source = config.getString("model.genotype");
        if (!Path.of(source).toAbsolutePath().normalize().equals(pinned)) {
            config =
                    config.withOverrides(
                            List.of(
                                    "model.genotype=" + new JsonPrimitive(pinned.toString()),
                                    "model.genotype_source=" + new JsonPrimitive(source)));
        }
        run.writeStart(
                config.asJsonObject(), resume, Provenance.collect(seed, device.toString(), args));
        genotype.write(pinned);
        run.writeDataSkips(DetData.skipReport(trainProblems, valProblems));
        Config t = config.sub("train");
        int exit = exit(config.getInt("eval.exit"), net);
        try (NDManager base = NDManager.newBaseManager(device);
                Constants constants = new Constants(base)) {
            NDManager modelManager = base.newSubManager();
            DetectorTrainer.initialize(net, s, modelManager);
            if (weightsFile != null) {
                loadBackbone(net, weightsFile, console);
            }
            ParamGroup weights = DetectorTrainer.weights(net);
            TrainLoop.Options options =
                    new TrainLoop.Options(
                            t.getLong("max_steps"),
                            t.getLong("log_every"),
                            t.getLong("eval_every"),
                            t.getLong("checkpoint_every"),
                            t.getInt("keep_checkpoints"),
                            s.batch(),
                            PyramidGenotype.METHOD,
                            "AP");
            TrainLoop loop = new TrainLoop(base, net, List.of(weights), run, options, console);
            CocoStats[] last = new CocoStats[1];
            TrainLoop.Evaluation evaluation =
                    step -> {
                        last[0] = DetectorTrainer.score(net, val, s, exit, base);
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put("AP", last[0].get("AP"));
                        m.put("AP50", last[0].get("AP50"));
                        m.put("AP75", last[0].get("AP75"));
                        return m;
                    };
            long start = loop.restore(resume);
            DetectionStep step =
                    new DetectionStep(
                            net,
                            train,
                            s,
                            weights,
                            constants,
                            new ai.djl.training.ParameterStore(base, false));
            TrainLoop.Result result = loop.run(start, step, evaluation);
            if (last[0] == null) {
                last[0] = DetectorTrainer.score(net, val, s, exit, base);
            }
            JsonObject fin = last[0].toJson();
            fin.addProperty("step", result.steps());
            fin.addProperty("exit", exit);
            fin.addProperty("checkpoint", String.valueOf(result.lastCheckpoint()));
            RunDirectory.writeJson(run.root().resolve("final_metrics.json"), fin);
            weights.optimizer().close();
            String text =
                    last[0].summary()
                            + String.format(
                                    Locale.ROOT,
                                    "%nper class AP: %s%n%nval AP %.2f%% (AP50 %.2f%%) after %d"
                                            + " steps (%.1f s) — %s%n",
                                    perClass(last[0]),
                                    100 * last[0].get("AP"),
                                    100 * last[0].get("AP50"),
                                    result.steps(),
                                    result.seconds(),
                                    run.root())
                            + "  config.resolved.json  the complete configuration\n"
                            + "  genotype.json         the pyramid (model.genotype points here)\n"
                            + "  metrics.jsonl         loss per log step, validation AP\n"
                            + "  final_metrics.json    COCO stats and AP per class on val\n"
                            + "  checkpoints/          the last checkpoints (resume with --resume)\n";
            return new Report(text, fin);
        }
    }

    static void loadBackbone(RetinaNet net, Path file, PrintStream console) {
        try {
            WeightFiles.LoadReport r =
                    WeightFiles.load(net.backbone(), file, true, net.backbone().ignoredPrefixes());
            console.printf("loaded %d backbone tensors from %s%n", r.loaded().size(), file);
        } catch (SafeTensorsException e) {
            throw new IllegalArgumentException(
                    "model.backbone_weights " + file + ": " + e.getMessage(), e);
        }
    }

    /** The 1-based exit a requested exit means (0: the last), or an error naming the range. */
    static int exit(int requested, RetinaNet net) {
        if (requested < 0 || requested > net.exits()) {
            throw new IllegalArgumentException(
                    "--exit "
                            + requested
                            + ": the detector has exits 1.."
                            + net.exits()
                            + " (one per pyramid stack; 0 = the last)");
        }
        return requested == 0 ? net.exits() : requested;
    }

    private static String perClass(CocoStats stats) {
        StringBuilder sb = new StringBuilder();
        stats.perCategoryAP()
                .forEach(
                        (k, v) ->
                                sb.append(sb.length() == 0 ? "" : ", ")
                                        .append(String.format(Locale.ROOT, "%s %.3f", k, v)));
        return sb.toString();
    }

    @Override
    public Report evaluate(Config config, EvalRequest request, PrintStream console)
            throws Exception {
        Device device = Devices.setUp(config.getInt("threads"), config.getString("device"));
        Config data = config.sub("data");
        DetDataset ds =
                DetData.open(
                        data,
                        request.split(),
                        config.getLong("seed"),
                        DetData.problems(data, console));
        DetDataset train =
                DetData.open(
                        data,
                        data.getString("train_split"),
                        config.getLong("seed"),
                        DetData.problems(data, console));
        if (!ds.classNames().equals(train.classNames())) {
            throw new IllegalArgumentException(
                    "split "
                            + request.split()
                            + " has classes "
                            + ds.classNames()
                            + ", the run was trained on "
                            + train.classNames());
        }
        DetectorTrainer.Settings s = settings(config);
        Path params = request.checkpoint().resolve("model.params");
        try (NDManager base = NDManager.newBaseManager(device)) {
            RetinaNet net = load(config, ds.numClasses(), params, base);
            int exit = exit(request.exit(), net);
            long t0 = System.nanoTime();
            List<List<Detection>> dets = DetectorTrainer.detect(net, ds, s, exit, base);
            double sec = (System.nanoTime() - t0) / 1e9;
            CocoGroundTruth gt = DetectorTrainer.groundTruth(ds);
            List<CocoDetections.Detection> results = DetectorTrainer.cocoResults(dets);
            CocoStats stats = CocoEvaluator.evaluate(gt, CocoDetections.of(gt, results));
            JsonObject o = stats.toJson();
            o.addProperty("dataset", data.getString("dataset"));
            o.addProperty("split", request.split());
            o.addProperty("images", ds.size());
            o.addProperty("exit", exit);
            o.addProperty("exits", net.exits());
            o.addProperty("detections", results.size());
            o.addProperty("checkpoint", request.checkpoint().toString());
            StringBuilder text = new StringBuilder();
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%s %s (%d images), exit %d of %d, checkpoint %s: %d detections in"
                                    + " %.1f s%n",
                            data.getString("dataset"),
                            request.split(),
                            ds.size(),
                            exit,
                            net.exits(),
                            request.checkpoint(),
                            results.size(),
                            sec));
            text.append(stats.summary());
            text.append(String.format(Locale.ROOT, "%nper class AP: %s%n", perClass(stats)));
            if (request.detections() != null) {
                Path gtFile = CocoFiles.groundTruthFile(request.detections());
                CocoFiles.writeResults(request.detections(), results);
                CocoFiles.writeGroundTruth(gtFile, ds);
                text.append("wrote ")
                        .append(request.detections())
                        .append(" (COCO results) and ")
                        .append(gtFile)
                        .append(" (its ground truth as COCO instances)\n");
            }
            return new Report(text.toString(), o);
        }
    }

    @Override
    public ExportInfo exportInfo(Config config) {
        Config data = config.sub("data");
        DetDataset train =
                DetData.open(data, data.getString("train_split"), config.getLong("seed"));
        int side = config.getInt("train.image_size");
        return new ExportInfo(train.classNames(), side, side);
    }

    /**
     * Rebuilds a run's detector and loads a checkpoint's parameters into it.
     *
     * @param config the run's configuration
     * @param numClasses K
     * @param params the {@code model.params} file
     * @param base where the parameters live
     */
    public static RetinaNet load(Config config, int numClasses, Path params, NDManager base)
            throws java.io.IOException {
        if (!Files.isRegularFile(params)) {
            throw new IllegalArgumentException(params + ": no such parameter file");
        }
        RetinaNet net = NasFpnMethod.network(config.sub("model"), numClasses);
        int side = config.getInt("train.image_size");
        net.initialize(base, DataType.FLOAT32, new Shape(1, 3, side, side));
        try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
            ParamIO.load(net, new DataInputStream(in), params.toString());
        }
        return net;
    }
}
