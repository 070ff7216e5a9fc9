package org.dpnas.fastdensenas;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.io.WeightFiles;
import org.dpnas.common.search.Trial;
import org.dpnas.common.search.rl.RlSearch;
import org.dpnas.common.train.Adam;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.GradClip;
import org.dpnas.common.train.PackedParams;
import org.dpnas.common.train.PackedStore;
import org.dpnas.common.train.ParamIO;
import org.dpnas.common.train.Polyak;
import org.dpnas.common.train.Seeds;
import org.dpnas.common.train.Sgd;

/**
 * Times the pieces of a FastDenseNAS search at a bench size, with the search's own settings: the
 * stage-1 step (decoder with auxiliary cells on cached encoder outputs, distillation, clip, Adam,
 * Polyak), the stage-2 step (encoder + decoder end to end, two clips, SGD + Adam, Polyak), the
 * controller's update (PPO over a full buffer of 100 children at the paper's space, plus the next
 * proposal), and — when the preset file {@code configs/fastdensenas/NAME.json} is found under the
 * dpnas home — the wall time of one whole child (both stages and two held-out evaluations) on the
 * preset's data, with random encoder weights. Medians of wall-clock time, of the calling thread's
 * CPU time ({@code *_cpu_ms}): at one engine thread the ops run on the calling thread, so the CPU
 * time leaves out the waiting a loaded machine adds to the wall clock; and of the whole process's
 * CPU time ({@code *_process_cpu_ms}), which adds what the JVM's own threads (JIT compiler, garbage
 * collector) spent meanwhile.
 */
public final class FdnBench {

    /**
     * The measurements.
     *
     * @param header what was timed
     * @param numbers name → value, in print order
     */
    public record Result(String header, Map<String, Double> numbers) {}

    private FdnBench() {}

    /**
     * The step sizes of a bench preset: {stage-1 batch, stage-1 crop, stage-2 batch, stage-2 crop,
     * classes}; {@code small} is the reference's {@code --small} setting.
     */
    static int[] preset(String name) {
        return switch (name) {
            case "tiny" -> new int[] {4, 32, 4, 32, 5};
            case "small" -> new int[] {4, 64, 4, 64, 21};
            case "paper" -> new int[] {64, 256, 32, 350, 21};
            default ->
                    throw new IllegalArgumentException(
                            "unknown bench preset '" + name + "': expected tiny, small or paper");
        };
    }

    /**
     * Runs the benchmark.
     *
     * @param preset tiny, small or paper
     * @param warmup untimed iterations
     * @param iters timed iterations
     * @param seed the seed of weights, data and the architecture
     */
    public static Result run(String preset, int warmup, int iters, long seed) throws Exception {
        int[] p = preset(preset);
        DecoderGenotype g = DecoderSpace.paper().sample(new Random(seed));
        Map<String, Double> out = new LinkedHashMap<>();
        try (NDManager base = NDManager.newBaseManager();
                Constants constants = new Constants(base)) {
            Seeds.seedEngine(seed);
            out.put("stage1_step_ms", stageOne(g, p, warmup, iters, base, constants));
            out.put("stage1_step_cpu_ms", lastCpu());
            out.put("stage1_step_process_cpu_ms", lastProcessCpu());
            out.put("stage2_step_ms", stageTwo(g, p, warmup, iters, base, constants));
            out.put("stage2_step_cpu_ms", lastCpu());
            out.put("stage2_step_process_cpu_ms", lastProcessCpu());
        }
        out.put("controller_update_ms", controller(warmup, iters, seed));
        out.put("controller_update_cpu_ms", lastCpu());
        out.put("controller_update_process_cpu_ms", lastProcessCpu());
        double[] child = child(preset, seed);
        if (child != null) {
            out.put("child_seconds", child[0]);
            out.put("child_cpu_seconds", child[1]);
        }
        String header =
                String.format(
                        Locale.ROOT,
                        "preset %s: stage 1 batch %d at %dx%d, stage 2 batch %d at %dx%d, %d"
                                + " classes, one decoder sampled with seed %d; medians of %d"
                                + " iters after %d warm-up%s",
                        preset,
                        p[0],
                        p[1],
                        p[1],
                        p[2],
                        p[3],
                        p[3],
                        p[4],
                        seed,
                        iters,
                        warmup,
                        child != null ? "" : " (no preset file: child_seconds not measured)");
        return new Result(header, out);
    }

    private static double stageOne(
            DecoderGenotype g, int[] p, int warmup, int iters, NDManager base, Constants c) {
        FdnEncoder encoder = new FdnEncoder(1f);
        Shape img = new Shape(p[0], 3, p[1], p[1]);
        Shape[] taps = encoder.getOutputShapes(new Shape[] {img});
        try (NDManager m = base.newSubManager()) {
            DecoderNet dec = new DecoderNet(g, encoder.channels(), 48, p[4], DecoderNet.Aux.CELLS);
            dec.initialize(m, DataType.FLOAT32, taps);
            PackedParams params = PackedParams.pack(ParamIO.trainable(dec));
            NDList in = new NDList();
            for (Shape t : taps) {
                in.add(m.randomNormal(t));
            }
            NDArray labels =
                    m.randomInteger(
                            0,
                            p[4],
                            new Shape(p[0], taps[0].get(2), taps[0].get(3)),
                            DataType.INT64);
            NDArray kd = m.randomNormal(new Shape(p[0], p[4], taps[0].get(2), taps[0].get(3)));
            ParameterStore ps = new PackedStore(m, List.of(params));
            Adam adam = new Adam(0.9f, 0.999f, 1e-8f, 1e-5f, false);
            try (Polyak avg = Polyak.ofPacked(List.of(params), 0.9f)) {
                return median(
                        "stage1",
                        warmup,
                        iters,
                        () -> {
                            try (NDManager sm = m.newSubManager()) {
                                // the step's batch in the step's manager, as the evaluator's
                                // cache hands it out (an op's result joins its input's manager)
                                NDList batch = inStep(in, sm);
                                NDArray y = inStep(new NDList(labels), sm).head();
                                NDArray t = inStep(new NDList(kd), sm).head();
                                params.beginStep(sm);
                                try (GradientCollector gc =
                                        Engine.getInstance().newGradientCollector()) {
                                    NDList o = dec.forward(ps, batch, true);
                                    gc.backward(ChildEvaluator.loss(o, y, t, 0.3f, 0.15f, c));
                                }
                                GradClip.clipByGlobalNorm(params, 3f, sm, c);
                                adam.step(params, 3e-3f);
                                avg.update();
                            }
                        });
            } finally {
                adam.close();
            }
        }
    }

    private static double stageTwo(
            DecoderGenotype g, int[] p, int warmup, int iters, NDManager base, Constants c) {
        try (NDManager m = base.newSubManager()) {
            FdnNet net = new FdnNet(g, 48, p[4], DecoderNet.Aux.CELLS, 1f, null);
            Shape img = new Shape(p[2], 3, p[3], p[3]);
            net.initialize(m, DataType.FLOAT32, img);
            PackedParams enc = PackedParams.pack(ParamIO.trainable(net.encoder()));
            PackedParams dec = PackedParams.pack(ParamIO.trainable(net.decoder()));
            NDArray x = m.randomNormal(img);
            long hs = (p[3] + 3) / 4;
            NDArray labels = m.randomInteger(0, p[4], new Shape(p[2], hs, hs), DataType.INT64);
            ParameterStore ps = new PackedStore(m, List.of(enc, dec));
            Sgd sgd = new Sgd(0.9f, 1e-5f);
            Adam adam = new Adam(0.9f, 0.999f, 1e-8f, 1e-5f, false);
            try (Polyak avg = Polyak.ofPacked(List.of(enc, dec), 0.99f)) {
                return median(
                        "stage2",
                        warmup,
                        iters,
                        () -> {
                            try (NDManager sm = m.newSubManager()) {
                                NDList batch = inStep(new NDList(x, labels), sm);
                                enc.beginStep(sm);
                                dec.beginStep(sm);
                                try (GradientCollector gc =
                                        Engine.getInstance().newGradientCollector()) {
                                    NDList o = net.logits(ps, batch.get(0), true);
                                    gc.backward(
                                            ChildEvaluator.loss(
                                                    o, batch.get(1), null, 0f, 0.15f, c));
                                }
                                GradClip.clipByGlobalNorm(enc, 3f, sm, c);
                                GradClip.clipByGlobalNorm(dec, 3f, sm, c);
                                sgd.step(enc, 1e-3f);
                                adam.step(dec, 3e-3f);
                                avg.update();
                            }
                        });
            } finally {
                sgd.close();
                adam.close();
            }
        }
    }

    /** Copies of {@code arrays} in the step's manager. */
    private static NDList inStep(NDList arrays, NDManager step) {
        NDList out = new NDList(arrays.size());
        for (NDArray a : arrays) {
            NDArray d = a.duplicate();
            d.attach(step);
            out.add(d);
        }
        return out;
    }

    /**
     * One PPO update over a full buffer of 100 children at the paper's space (one Adam step per
     * buffered child, as the reference), with the proposal that triggers it.
     */
    private static double controller(int warmup, int iters, long seed) {
        DecoderSpace space = DecoderSpace.paper();
        RlSearch<DecoderGenotype> rl =
                new RlSearch<>(
                        space, RlSearch.Options.defaults(RlSearch.Algorithm.PPO), seed, null);
        Random r = new Random(seed);
        // a full buffer without 99 updates: 99 proposals become the rollout, with random rewards
        for (int i = 0; i < 99; i++) {
            rl.propose();
        }
        com.google.gson.JsonObject state = rl.state();
        com.google.gson.JsonArray pending = state.getAsJsonArray("pending");
        for (var e : pending) {
            e.getAsJsonObject().addProperty("reward", r.nextDouble());
        }
        state.add("rollout", pending);
        state.add("pending", new com.google.gson.JsonArray());
        rl.restore(state);
        int[] id = {0};
        observe(rl, id, r); // the buffer is full from here on
        rl.propose();
        return median(
                null,
                warmup,
                iters,
                () -> {
                    observe(rl, id, r);
                    rl.propose();
                });
    }

    private static void observe(RlSearch<DecoderGenotype> rl, int[] id, Random r) {
        DecoderGenotype g = rl.propose();
        rl.observe(new Trial<>(id[0]++, g, "bench", Map.of(), r.nextDouble()));
    }

    /**
     * One whole child at the preset's settings: {wall, CPU of this thread} seconds, or null without
     * the preset file.
     */
    private static double[] child(String preset, long seed) throws Exception {
        Path home = Path.of(System.getProperty("dpnas.home", "."));
        Path file = home.resolve("configs/fastdensenas/" + preset + ".json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Path tmp = Files.createTempDirectory("fdn-bench");
        try {
            Path weights = tmp.resolve("encoder.safetensors");
            try (NDManager m = NDManager.newBaseManager()) {
                Seeds.seedEngine(seed);
                FdnEncoder e = new FdnEncoder(1f);
                e.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
                WeightFiles.save(e.backbone(), weights, Map.of("source", "random, bench"));
            }
            Config config =
                    ConfigLoader.load(
                            FdnSearchJob.defaults(),
                            file,
                            List.of(
                                    "seed=" + seed,
                                    "model.encoder_weights=\"" + weights + "\"",
                                    "search.early_stop_average=0"));
            java.io.PrintStream quiet =
                    new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
            try (ChildEvaluator ev = new ChildEvaluator(config, quiet)) {
                Path dir = tmp.resolve("trials/trial-0000");
                ev.prepare(tmp);
                java.lang.management.ThreadMXBean mx =
                        java.lang.management.ManagementFactory.getThreadMXBean();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                ev.evaluate(ev.settings().space().sample(new Random(seed)), dir);
                return new double[] {
                    (System.nanoTime() - t0) / 1e9, (mx.getCurrentThreadCpuTime() - c0) / 1e9
                };
            }
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(q -> q.toFile().delete());
            }
        }
    }

    /** Wall-clock, thread-CPU and process-CPU medians of the last {@link #median} call, ms. */
    private static final ThreadLocal<double[]> LAST = ThreadLocal.withInitial(() -> new double[3]);

    /**
     * Times {@code step}; with the system property {@code dpnas.bench.profile} set to a directory
     * and a {@code name}, one more run after the timed ones is recorded by libtorch's profiler as a
     * Chrome trace {@code DIR/NAME.json} (see docs/architecture.md on reading it).
     */
    private static double median(String name, int warmup, int iters, Runnable step) {
        java.lang.management.ThreadMXBean mx =
                java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] t = new double[iters];
        double[] cpu = new double[iters];
        double[] proc = new double[iters];
        for (int i = 0; i < iters; i++) {
            long p0 = os.getProcessCpuTime();
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            step.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
            proc[i] = (os.getProcessCpuTime() - p0) / 1e6;
        }
        LAST.get()[1] = mid(cpu);
        LAST.get()[2] = mid(proc);
        String dir = System.getProperty("dpnas.bench.profile");
        if (dir != null && name != null) {
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            step.run();
            ai.djl.pytorch.jni.JniUtils.stopProfile(Path.of(dir, name + ".json").toString());
        }
        return mid(t);
    }

    private static double mid(double[] v) {
        double[] t = v.clone();
        Arrays.sort(t);
        int n = t.length;
        return n % 2 == 1 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    }

    private static double lastCpu() {
        return LAST.get()[1];
    }

    private static double lastProcessCpu() {
        return LAST.get()[2];
    }
}
