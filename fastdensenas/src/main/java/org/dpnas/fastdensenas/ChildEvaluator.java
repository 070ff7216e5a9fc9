package org.dpnas.fastdensenas;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.nn.Resize;
import org.dpnas.common.run.AtomicFiles;
import org.dpnas.common.search.Evaluator;
import org.dpnas.common.search.Registry;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.EpochSampler;
import org.dpnas.common.train.GradClip;
import org.dpnas.common.train.Losses;
import org.dpnas.common.train.PackedParams;
import org.dpnas.common.train.PackedStore;
import org.dpnas.common.train.ParamIO;
import org.dpnas.common.train.Polyak;
import org.dpnas.common.train.Seeds;
import org.dpnas.common.train.Sgd;
import org.dpnas.eval.seg.SegEvaluator;
import org.dpnas.eval.seg.SegMetrics;

/**
 * The FastDenseNAS child evaluation (Nekrasov et al., CVPR 2019, §3.3), one child per run
 * directory:
 *
 * <ol>
 *   <li><b>stage 1</b> — only the decoder trains (Adam), on the encoder outputs of a fixed subset
 *       that were computed once ({@link StageOneCache}); loss = cross-entropy + auxiliary weight ×
 *       each auxiliary segmenter's cross-entropy + distillation weight × MSE to a teacher's logits
 *       (when {@code search.teacher} names a training run); gradient-norm clip; Polyak averaging of
 *       the decoder weights (0.9), copied into the weights after every epoch as the reference does;
 *       then the reward on the held-out part;
 *   <li><b>early stop</b> — the search-wide {@link EarlyStop} rule ({@link SharedEarlyStop})
 *       compares the stage-1 reward with the running average of stage-1 rewards, with the random
 *       margin; a child below it stops with its stage-1 reward;
 *   <li><b>stage 2</b> — encoder (SGD) and decoder (a fresh Adam) train end to end on augmented
 *       crops of the training part, each group's gradient norm clipped, Polyak averaging (0.99) of
 *       every weight; the reward on the held-out part is the child's score.
 * </ol>
 *
 * <p>The reward is ∛(mIoU · mean class accuracy · fwIoU) on the held-out 10% of the training split
 * ({@link SearchData}); the validation split is never read. The losses are taken at the finest
 * encoder output's resolution (stride 4, labels nearest-sampled), as the reference does.
 *
 * <p>Files in the child's directory: {@code genotype.json}; {@code stage1.json} and {@code
 * stage1.params} (decoder weights after stage 1) once stage 1 ended; {@code result.json} at the
 * end. A directory with {@code result.json} is not trained again; one with only {@code stage1.json}
 * resumes at stage 2 (the same batches, so the same result).
 *
 * <p>What is shared between children lives in the process (the encoder's pretrained weights as read
 * from their file, the teacher, the stage-1 cache) or in the search directory (the pre-trained
 * encoder file {@code encoder/pretrained.safetensors} when no weights are given, the early-stop
 * state). A child run as a separate process rebuilds the same evaluator from the search's
 * configuration and recomputes the cache once in that process.
 */
public final class ChildEvaluator implements Evaluator<DecoderGenotype>, AutoCloseable {

    private final Config config;
    private final FdnSettings s;
    private final PrintStream console;
    private final long seed;
    private SearchData data;
    private NDManager base;
    private Constants constants;
    private StageOneCache cache;
    private Path encoderFile;
    private Path prepared;

    /**
     * Creates the evaluator; nothing is read until the first child (or {@link #prepare}).
     *
     * @param config the search's resolved configuration
     * @param console where progress goes
     */
    public ChildEvaluator(Config config, PrintStream console) {
        this.config = config;
        this.s = FdnSettings.of(config);
        this.console = console;
        this.seed = config.getLong("seed");
    }

    /** The settings. */
    public FdnSettings settings() {
        return s;
    }

    /**
     * The search directory a child directory belongs to: the parent of {@code trials/} for a
     * search's child, else the child's own directory (a child evaluated on its own).
     */
    public static Path searchRoot(Path runDir) {
        Path abs = runDir.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null
                && parent.getFileName() != null
                && parent.getFileName().toString().equals("trials")
                && parent.getParent() != null) {
            return parent.getParent();
        }
        return abs;
    }

    /**
     * Everything the children of one search share in this process: the data, the encoder weights
     * (pre-trained into {@code searchRoot/encoder/pretrained.safetensors} when none are given and
     * the file is absent), the teacher and the stage-1 cache. Idempotent.
     *
     * @param searchRoot the search directory
     */
    public synchronized void prepare(Path searchRoot) throws IOException {
        Path root = searchRoot.toAbsolutePath().normalize();
        if (prepared != null) {
            if (!prepared.equals(root)) {
                throw new IllegalStateException(
                        "this evaluator serves the search in "
                                + prepared
                                + ", not "
                                + root
                                + " (one evaluator per search)");
            }
            return;
        }
        long t0 = System.nanoTime();
        prepareEncoder(root);
        float[] mean = data.job().mean();
        float[] std = data.job().std();
        SegDataset stage1View = data.stage(s.stage1Crop(), "fdn-stage1-augment");
        base = NDManager.newBaseManager(data.job().device());
        constants = new Constants(base);
        try (NDManager scratch = base.newSubManager()) {
            FdnEncoder encoder = new FdnEncoder(s.widthMultiplier());
            Shape in = new Shape(1, 3, s.stage1Crop()[0], s.stage1Crop()[1]);
            encoder.initialize(scratch, DataType.FLOAT32, in);
            FdnNet.loadEncoder(encoder, encoderFile);
            Block teacher = s.teacher() == null ? null : teacher(s.teacher(), scratch, in);
            cache =
                    StageOneCache.build(
                            encoder,
                            teacher,
                            stage1View,
                            mean,
                            std,
                            s.stage1Samples(),
                            s.stage1CacheMib(),
                            Math.max(1, s.evalBatch()),
                            base,
                            console);
        }
        prepared = root;
        console.printf(
                Locale.ROOT,
                "search data: %d training images, %d held out for the reward; prepared in %.1f"
                        + " s%n",
                data.trainPart().size(),
                data.heldOut().size(),
                (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The data and the encoder weights only: {@code model.encoder_weights}, or the search's
     * pre-trained encoder, trained now when its file is absent (a search whose children run as
     * separate processes calls this before starting them, so that they never race to pre-train).
     *
     * @param searchRoot the search directory
     * @return the encoder weights file
     */
    public synchronized Path prepareEncoder(Path searchRoot) throws IOException {
        if (encoderFile != null) {
            return encoderFile;
        }
        Path root = searchRoot.toAbsolutePath().normalize();
        if (data == null) {
            data = new SearchData(config, s, m -> console.println("WARNING: " + m));
        }
        if (s.encoderWeights() != null) {
            encoderFile = s.encoderWeights();
            console.println("encoder: MobileNet-v2 weights from " + encoderFile);
            return encoderFile;
        }
        Path file = root.resolve("encoder/pretrained.safetensors");
        if (Files.exists(file)) {
            console.println(
                    "encoder: no --encoder-weights; reusing this search's pre-trained encoder "
                            + file);
        } else {
            Files.createDirectories(file.getParent());
            EncoderPretraining.run(
                    s,
                    data.stage(s.stage1Crop(), "fdn-pretrain-augment"),
                    data.job().mean(),
                    data.job().std(),
                    data.numClasses(),
                    seed,
                    file,
                    console);
        }
        encoderFile = file;
        return file;
    }

    /** The teacher: a training run's network at its last checkpoint. */
    private Block teacher(Path run, NDManager m, Shape in) throws IOException {
        Path resolved = run.resolve("config.resolved.json");
        if (!Files.isRegularFile(resolved)) {
            throw new IllegalArgumentException(
                    "search.teacher: " + run + " is not a run directory (no config.resolved.json)");
        }
        JsonObject c =
                JsonParser.parseString(Files.readString(resolved, StandardCharsets.UTF_8))
                        .getAsJsonObject();
        Config model = org.dpnas.common.config.ConfigLoader.load(c, null, List.of()).sub("model");
        Block net = Registry.build(model, data.numClasses());
        net.initialize(m, DataType.FLOAT32, in);
        Path ckpts = run.resolve("checkpoints");
        Path last = null;
        if (Files.isDirectory(ckpts)) {
            try (var st = Files.list(ckpts)) {
                last =
                        st.filter(p -> Files.exists(p.resolve("model.params")))
                                .max((a, b) -> a.getFileName().compareTo(b.getFileName()))
                                .orElse(null);
            }
        }
        if (last == null) {
            throw new IllegalArgumentException(
                    "search.teacher: " + run + " has no checkpoint with model.params");
        }
        Path params = last.resolve("model.params");
        try (InputStream in0 = new BufferedInputStream(Files.newInputStream(params))) {
            ParamIO.load(net, new DataInputStream(in0), params.toString());
        }
        console.println("teacher: " + model.getString("name") + " from " + params);
        return net;
    }

    @Override
    public Result evaluate(DecoderGenotype genotype, Path runDir) throws Exception {
        Path result = runDir.resolve("result.json");
        if (Files.exists(result)) {
            return readResult(result);
        }
        Path root = searchRoot(runDir);
        prepare(root);
        Files.createDirectories(runDir);
        AtomicFiles.writeString(runDir.resolve("genotype.json"), genotype.toJson());
        String key = root.relativize(runDir.toAbsolutePath().normalize()).toString();
        long childSeed = Seeds.mix(seed, "fdn-child:" + (key.isEmpty() ? "." : key));
        long t0 = System.nanoTime();
        Map<String, Double> metrics = new LinkedHashMap<>();
        try (NDManager cm = base.newSubManager()) {
            Seeds.seedEngine(childSeed);
            FdnNet net =
                    new FdnNet(
                            genotype,
                            s.aggSize(),
                            data.numClasses(),
                            s.auxCells() ? DecoderNet.Aux.CELLS : DecoderNet.Aux.HEADS,
                            s.widthMultiplier(),
                            null);
            net.initialize(
                    cm, DataType.FLOAT32, new Shape(1, 3, s.stage1Crop()[0], s.stage1Crop()[1]));
            FdnNet.loadEncoder(net.encoder(), encoderFile);
            metrics.put("params", (double) count(ParamIO.trainable(net)));
            // one flat buffer per optimizer group: clipping, the update and Polyak averaging are a
            // few calls per step instead of several per weight (PackedParams)
            PackedParams dec = PackedParams.pack(ParamIO.trainable(net.decoder()));
            PackedParams enc = PackedParams.pack(ParamIO.trainable(net.encoder()));
            PackedStore ps = new PackedStore(cm, List.of(dec, enc));
            Path stage1 = runDir.resolve("stage1.json");
            Path stage1Params = runDir.resolve("stage1.params");
            JsonObject st1;
            if (Files.exists(stage1) && Files.exists(stage1Params)) {
                st1 =
                        JsonParser.parseString(Files.readString(stage1, StandardCharsets.UTF_8))
                                .getAsJsonObject();
                try (InputStream in = new BufferedInputStream(Files.newInputStream(stage1Params))) {
                    ParamIO.load(net.decoder(), new DataInputStream(in), stage1Params.toString());
                }
                console.println("  stage 1 done before: reward " + st1.get("reward"));
            } else {
                st1 = stageOne(net, dec, ps, cm, childSeed);
                SegMetrics m1 = heldOut(net, ps, cm);
                double r1 = Reward.of(m1);
                SharedEarlyStop.Decision d =
                        SharedEarlyStop.decide(root, key, r1, s, Seeds.mix(seed, "fdn-early-stop"));
                st1.addProperty("reward", r1);
                st1.addProperty("mIoU", m1.mIoU());
                st1.addProperty("mean_acc", m1.meanClassAccuracy());
                st1.addProperty("fwIoU", m1.fwIoU());
                st1.addProperty("proceed", d.proceed());
                st1.addProperty("early_stop_average", d.average());
                st1.addProperty("early_stop_delta", d.delta());
                saveParams(net.decoder(), stage1Params);
                AtomicFiles.writeString(stage1, st1.toString() + "\n");
                console.printf(
                        Locale.ROOT,
                        "  stage 1: reward %.4f (mIoU %.4f, mean acc %.4f, fwIoU %.4f), running"
                                + " average %.4f -> %s%n",
                        r1,
                        m1.mIoU(),
                        m1.meanClassAccuracy(),
                        m1.fwIoU(),
                        d.average(),
                        d.proceed() ? "stage 2" : "early stop");
            }
            double r1 = st1.get("reward").getAsDouble();
            boolean proceed = st1.get("proceed").getAsBoolean() && s.hasStage2();
            metrics.put("stage", proceed ? 2.0 : 1.0);
            metrics.put("reward_stage1", r1);
            metrics.put("early_stopped", st1.get("proceed").getAsBoolean() ? 0.0 : 1.0);
            metrics.put("stage1_steps", st1.get("steps").getAsDouble());
            metrics.put("stage1_step_ms", st1.get("step_ms").getAsDouble());
            metrics.put("stage1_seconds", st1.get("seconds").getAsDouble());
            double score = r1;
            SegMetrics last = null;
            if (proceed) {
                long t2 = System.nanoTime();
                double[] stepMs = new double[1];
                long steps = stageTwo(net, enc, dec, ps, cm, childSeed, key, stepMs);
                last = heldOut(net, ps, cm);
                score = Reward.of(last);
                metrics.put("reward_stage2", score);
                metrics.put("stage2_steps", (double) steps);
                metrics.put("stage2_step_ms", stepMs[0]);
                metrics.put("stage2_seconds", (System.nanoTime() - t2) / 1e9);
                console.printf(
                        Locale.ROOT,
                        "  stage 2: %d steps, reward %.4f (mIoU %.4f)%n",
                        steps,
                        score,
                        last.mIoU());
            }
            metrics.put("mIoU", last != null ? last.mIoU() : st1.get("mIoU").getAsDouble());
            metrics.put(
                    "mean_acc",
                    last != null ? last.meanClassAccuracy() : st1.get("mean_acc").getAsDouble());
            metrics.put("fwIoU", last != null ? last.fwIoU() : st1.get("fwIoU").getAsDouble());
            metrics.put("seconds", (System.nanoTime() - t0) / 1e9);
            writeResult(result, metrics, score);
            return new Result(metrics, score);
        }
    }

    /** Stage 1; returns {steps, step_ms, seconds}. */
    private JsonObject stageOne(
            FdnNet net, PackedParams dec, ParameterStore ps, NDManager cm, long childSeed)
            throws Exception {
        long t0 = System.nanoTime();
        int n = cache.size();
        int batch = Math.min(s.stage1Batch(), n);
        EpochSampler sampler = new EpochSampler(n, batch, Seeds.mix(childSeed, "stage1"));
        long perEpoch = sampler.stepsPerEpoch();
        long steps = s.stage1Epochs() * perEpoch;
        if (s.stage1MaxSteps() > 0) {
            steps = Math.min(steps, s.stage1MaxSteps());
        }
        double timed = 0;
        Adam adam = new Adam(0.9f, 0.999f, 1e-8f, s.weightDecay(), false);
        try (AutoCloseable closeAdam = adam::close;
                Polyak avg = Polyak.ofPacked(List.of(dec), s.polyak1())) {
            for (long t = 0; t < steps; t++) {
                long ts = System.nanoTime();
                try (NDManager sm = cm.newSubManager()) {
                    NDList b = cache.batch(sampler.batch(t), sm);
                    NDList enc = new NDList(b.subList(0, FdnSettings.ENCODER_OUTPUTS));
                    NDArray labels = b.get(FdnSettings.ENCODER_OUTPUTS);
                    NDArray kd = cache.hasTeacher() ? b.get(FdnSettings.ENCODER_OUTPUTS + 1) : null;
                    dec.beginStep(sm);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDList out = net.decoder().forward(ps, enc, true);
                        gc.backward(loss(out, labels, kd));
                    }
                    if (s.gradClip() > 0) {
                        GradClip.clipByGlobalNorm(dec, s.gradClip(), sm, constants);
                    }
                    adam.step(dec, s.decoderLr());
                    avg.update();
                }
                if ((t + 1) % perEpoch == 0 || t + 1 == steps) {
                    avg.apply();
                }
                if (t > 0 || steps == 1) {
                    timed += (System.nanoTime() - ts) / 1e6;
                }
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("steps", steps);
        o.addProperty("step_ms", timed / Math.max(1, steps - 1));
        o.addProperty("samples", n);
        o.addProperty("seconds", (System.nanoTime() - t0) / 1e9);
        return o;
    }

    /** Stage 2; returns the number of steps and puts the mean step time into {@code stepMs}. */
    private long stageTwo(
            FdnNet net,
            PackedParams enc,
            PackedParams dec,
            ParameterStore ps,
            NDManager cm,
            long childSeed,
            String key,
            double[] stepMs)
            throws Exception {
        SegDataset view = data.stage(s.stage2Crop(), "fdn-stage2-augment:" + key);
        int batch = Math.min(s.stage2Batch(), view.size());
        EpochSampler sampler = new EpochSampler(view.size(), batch, Seeds.mix(childSeed, "stage2"));
        long steps = s.stage2Epochs() * sampler.stepsPerEpoch();
        if (s.stage2MaxSteps() > 0) {
            steps = steps == 0 ? s.stage2MaxSteps() : Math.min(steps, s.stage2MaxSteps());
        }
        SegBatcher batcher =
                new SegBatcher(view, data.job().mean(), data.job().std(), data.job().pool());
        double timed = 0;
        Sgd sgd = new Sgd(s.encoderMomentum(), s.weightDecay());
        Adam adam = new Adam(0.9f, 0.999f, 1e-8f, s.weightDecay(), false);
        try (AutoCloseable closeSgd = sgd::close;
                AutoCloseable closeAdam = adam::close;
                Polyak avg = Polyak.ofPacked(List.of(enc, dec), s.polyak2())) {
            for (long t = 0; t < steps; t++) {
                long ts = System.nanoTime();
                try (NDManager sm = cm.newSubManager()) {
                    NDList xy = batcher.assemble(sampler.batch(t), sampler.epochOf(t)).toNDList(sm);
                    NDArray labels = StageOneCache.downsample(xy.get(1));
                    enc.beginStep(sm);
                    dec.beginStep(sm);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDList out = net.logits(ps, xy.get(0), true);
                        gc.backward(loss(out, labels, null));
                    }
                    if (s.gradClip() > 0) {
                        GradClip.clipByGlobalNorm(enc, s.gradClip(), sm, constants);
                        GradClip.clipByGlobalNorm(dec, s.gradClip(), sm, constants);
                    }
                    sgd.step(enc, s.encoderLr());
                    adam.step(dec, s.decoderLr());
                    avg.update();
                }
                if (t > 0 || steps == 1) {
                    timed += (System.nanoTime() - ts) / 1e6;
                }
            }
            avg.apply();
        }
        stepMs[0] = timed / Math.max(1, steps - 1);
        return steps;
    }

    /**
     * Cross-entropy of the main logits (resized to the labels) + auxiliary weight × each auxiliary
     * cross-entropy + distillation weight × MSE to the teacher's logits.
     */
    NDArray loss(NDList out, NDArray labels, NDArray kd) {
        return loss(out, labels, kd, s.kdWeight(), s.auxWeight(), constants);
    }

    /**
     * The child's training loss (see {@link #loss(NDList, NDArray, NDArray)}) with explicit
     * weights.
     */
    static NDArray loss(
            NDList out,
            NDArray labels,
            NDArray kd,
            float kdWeight,
            float auxWeight,
            Constants constants) {
        long h = labels.getShape().get(1);
        long w = labels.getShape().get(2);
        Losses.Targets t = Losses.targets(labels, SegSample.IGNORE, constants);
        NDArray main = Resize.bilinear(out.get(0), h, w);
        NDArray loss = Losses.crossEntropySum(main, t).div(t.count());
        if (kd != null && kdWeight > 0) {
            NDArray mse = main.sub(kd).square().mean();
            loss = loss.add(mse.mul(constants.scalar(kdWeight)));
        }
        if (auxWeight > 0 && out.size() > 1) {
            // Σ_i CE_i over the auxiliary outputs: those of one size stacked along the batch and
            // resized and scored together (the sum of their summed terms over one count)
            Map<Shape, NDList> bySize = new LinkedHashMap<>();
            for (int i = 1; i < out.size(); i++) {
                bySize.computeIfAbsent(out.get(i).getShape(), k -> new NDList()).add(out.get(i));
            }
            NDArray sum = null;
            for (NDList same : bySize.values()) {
                NDArray x = same.size() == 1 ? same.get(0) : NDArrays.concat(same, 0);
                NDArray s = Losses.crossEntropySum(Resize.bilinear(x, h, w), t.tiled(same.size()));
                sum = sum == null ? s : sum.add(s);
            }
            loss = loss.add(sum.div(t.count()).mul(constants.scalar(auxWeight)));
        }
        return loss;
    }

    private SegMetrics heldOut(FdnNet net, ParameterStore ps, NDManager cm) {
        SegBatcher b =
                new SegBatcher(
                        data.heldOut(), data.job().mean(), data.job().std(), data.job().pool());
        return SegEvaluator.evaluate(net, b, s.evalBatch(), cm, ps);
    }

    private static long count(List<Parameter> params) {
        long n = 0;
        for (Parameter p : params) {
            n += p.getArray().size();
        }
        return n;
    }

    private static void saveParams(Block block, Path file) throws IOException {
        Path tmp = AtomicFiles.tempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp));
                    DataOutputStream out = new DataOutputStream(o)) {
                ParamIO.save(block, out);
            }
            AtomicFiles.move(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeResult(Path file, Map<String, Double> metrics, double score)
            throws IOException {
        JsonObject o = new JsonObject();
        JsonObject m = new JsonObject();
        metrics.forEach(m::addProperty);
        o.add("metrics", m);
        o.addProperty("score", score);
        AtomicFiles.writeString(file, o.toString() + "\n");
    }

    private static Result readResult(Path file) throws IOException {
        JsonObject o =
                JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                        .getAsJsonObject();
        Map<String, Double> m = new LinkedHashMap<>();
        for (var e : o.getAsJsonObject("metrics").entrySet()) {
            m.put(e.getKey(), e.getValue().getAsDouble());
        }
        return new Result(m, o.get("score").getAsDouble());
    }

    /** Frees the cache and the data threads; the evaluator can be prepared again afterwards. */
    @Override
    public synchronized void close() {
        if (cache != null) {
            cache.close();
        }
        if (constants != null) {
            constants.close();
        }
        if (base != null) {
            base.close();
        }
        if (data != null) {
            data.close();
        }
        cache = null;
        constants = null;
        base = null;
        data = null;
        encoderFile = null;
        prepared = null;
    }
}
