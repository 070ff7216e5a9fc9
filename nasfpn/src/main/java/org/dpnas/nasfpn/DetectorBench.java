package org.dpnas.nasfpn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.search.SearchMethod;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.Devices;
import org.dpnas.common.train.ParamGroup;
import org.dpnas.datasets.det.DetDataset;

/**
 * Times the detector's training step and detection at a training config ({@code dpnas bench
 * nasfpn}): step time and images/s (wall clock, and this thread's CPU time, which at one libtorch
 * thread is the step's work whatever the machine's load), where a step's CPU time goes (batch
 * assembly, backbone, pyramid, heads, loss, backward, update), and per image the forward pass and
 * the post-processing (sigmoid, top-k, box decoding, NMS). Presets: {@code tiny} (the detection
 * training defaults, synthetic boxes) and {@code bccd} ({@code
 * configs/nasfpn/retinanet_r18_fpn_bccd-cpu.json}, needs the data).
 */
public final class DetectorBench {

    private DetectorBench() {}

    /** The training configuration of a bench preset. */
    static Config config(String preset) {
        return switch (preset) {
            case "small" -> config("bccd"); // the bench verb's default preset
            case "tiny" -> ConfigLoader.load(DetectionJob.defaults(), null, List.of());
            case "bccd", "bccd-nasfpn" -> {
                Path home = Path.of(System.getProperty("dpnas.home", "."));
                Path file =
                        home.resolve(
                                "configs/nasfpn/retinanet_r18_"
                                        + (preset.equals("bccd") ? "fpn" : "nasfpn")
                                        + "_bccd-cpu.json");
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException(
                            "bench preset " + preset + ": " + file + " not found");
                }
                yield ConfigLoader.load(DetectionJob.defaults(), file, List.of());
            }
            default ->
                    throw new IllegalArgumentException(
                            "unknown nasfpn bench preset '"
                                    + preset
                                    + "', expected tiny, bccd or bccd-nasfpn");
        };
    }

    /**
     * Runs the benchmark.
     *
     * @param preset {@code tiny}, {@code bccd} or {@code bccd-nasfpn}
     * @param warmup untimed steps
     * @param iters timed steps (and detected images)
     * @param seed the seed
     */
    public static SearchMethod.Bench run(String preset, int warmup, int iters, long seed)
            throws Exception {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("bench needs iters >= 1 and warmup >= 0");
        }
        Config config = config(preset).withOverrides(List.of("seed=" + seed));
        Devices.setUp(config.getInt("threads"), config.getString("device"));
        Config data = config.sub("data");
        DetDataset train = DetData.open(data, data.getString("train_split"), seed);
        DetDataset val = DetData.open(data, data.getString("val_split"), seed);
        DetectorTrainer.Settings s = DetectionJob.settings(config);
        RetinaNet net = NasFpnMethod.network(config.sub("model"), train.numClasses());
        RetinaNet.Timing fwd = new RetinaNet.Timing();
        DetectionStep.Timing st = new DetectionStep.Timing();
        long stepNs;
        long stepCpuNs;
        long detectNs = 0;
        long decodeNs = 0;
        long prepareNs = 0;
        int images = Math.min(iters, val.size());
        try (NDManager base = NDManager.newBaseManager();
                Constants c = new Constants(base)) {
            DetectorTrainer.initialize(net, s, base);
            ParamGroup weights = DetectorTrainer.weights(net);
            ParameterStore ps = new ParameterStore(base, false);
            DetectionStep step = new DetectionStep(net, train, s, weights, c, ps);
            for (int t = 0; t < warmup; t++) {
                try (NDManager sm = base.newSubManager()) {
                    step.run(sm, t);
                }
            }
            step.timed(st);
            net.timed(fwd);
            long t0 = System.nanoTime();
            long c0 = DetectionStep.cpu();
            for (int t = warmup; t < warmup + iters; t++) {
                try (NDManager sm = base.newSubManager()) {
                    step.run(sm, t);
                }
            }
            stepNs = (System.nanoTime() - t0) / iters;
            stepCpuNs = (DetectionStep.cpu() - c0) / iters;
            net.timed(null);
            weights.optimizer().close();
            for (int i = 0; i < images; i++) {
                long a = DetectionStep.cpu();
                DetectorTrainer.Prepared p = DetectorTrainer.prepare(val.get(i), s.imageSize());
                long b = DetectionStep.cpu();
                try (NDManager sm = base.newSubManager()) {
                    NDList out = net.forward(ps, new NDList(p.batch().images(sm)), false);
                    out.forEach(x -> x.toFloatArray()); // the forward pass has finished
                    long d = DetectionStep.cpu();
                    DetectorTrainer.decode(out, net.exits(), net.numClasses(), p);
                    long e = DetectionStep.cpu();
                    prepareNs += b - a;
                    detectNs += d - b;
                    decodeNs += e - d;
                }
            }
        }
        double stepMs = stepNs / 1e6;
        double perStep = 1e6 * iters;
        List<String[]> n = new ArrayList<>();
        JsonObject o = new JsonObject();
        o.addProperty("preset", preset);
        o.addProperty("iters", iters);
        o.addProperty("warmup", warmup);
        o.addProperty("batch", s.batch());
        o.addProperty("image_size", s.imageSize());
        o.addProperty("backbone", net.backboneName());
        o.addProperty("genotype", config.getString("model.genotype"));
        add(n, o, "step_ms", stepMs);
        add(n, o, "images_per_s", s.batch() / (stepMs / 1e3));
        add(n, o, "step_cpu_ms", stepCpuNs / 1e6);
        add(n, o, "images_per_cpu_s", s.batch() / (stepCpuNs / 1e9));
        add(n, o, "step_data_ms", st.data / perStep);
        add(n, o, "step_backbone_fwd_ms", fwd.backbone / perStep);
        add(n, o, "step_pyramid_fwd_ms", fwd.pyramid / perStep);
        add(n, o, "step_heads_fwd_ms", fwd.heads / perStep);
        add(n, o, "step_loss_ms", st.loss / perStep);
        add(n, o, "step_backward_ms", st.backward / perStep);
        add(n, o, "step_update_ms", st.update / perStep);
        add(n, o, "detect_prepare_ms_per_image", prepareNs / 1e6 / images);
        add(n, o, "detect_forward_ms_per_image", detectNs / 1e6 / images);
        add(n, o, "detect_postprocess_ms_per_image", decodeNs / 1e6 / images);
        o.addProperty("detect_images", images);
        String header =
                String.format(
                        Locale.ROOT,
                        "preset %s: RetinaNet %s + %s pyramid (width %d), %d px crops, batch %d,"
                                + " %d steps after %d warm-up; detection on %d val images",
                        preset,
                        net.backboneName(),
                        config.getString("model.genotype"),
                        net.width(),
                        s.imageSize(),
                        s.batch(),
                        iters,
                        warmup,
                        images);
        return new SearchMethod.Bench(header, n, o);
    }

    private static void add(List<String[]> n, JsonObject o, String key, double v) {
        n.add(new String[] {key, String.format(Locale.ROOT, "%.1f", v)});
        o.addProperty(key, v);
    }
}
