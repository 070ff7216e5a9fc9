package org.dpnas.common.search;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.dpnas.common.train.OpProfile;

/**
 * The timing loop of every one-shot method's benchmark ({@code dpnas bench METHOD}): the real
 * {@link OneShotSearch} weight step and architecture step, each in its own sub-manager, on one
 * random batch (about a tenth of the pixels set to the ignore label 255), warm-up iterations
 * untimed; it reports the medians, images per second, the arrays a weight step leaves in its
 * manager and the process's peak resident memory.
 */
public final class StepBench {

    /** The ignore label of the segmentation loss. */
    private static final int IGNORE = 255;

    private StepBench() {}

    /**
     * A method's bench result: what was timed and the shared timing.
     *
     * @param description the sizes timed (printed after the preset's name)
     * @param timing the step timing
     */
    public record Result(String description, Timing timing) {}

    /**
     * A named bench size: the method's supernet sizes and the random batch it is timed on.
     *
     * @param sizes the method's supernet sizes
     * @param height image height
     * @param width image width
     * @param batch images per step
     * @param <S> the method's sizes type
     */
    public record Preset<S>(S sizes, int height, int width, int batch) {

        /** A random batch of this preset's shape over {@code classes}, from {@code seed}. */
        public Batch randomBatch(int classes, long seed) {
            return Batch.random(batch, height, width, classes, seed);
        }
    }

    /**
     * A random batch.
     *
     * @param image (n, 3, h, w) Gaussian pixels
     * @param label (n, h, w) classes, a tenth of them the ignore label
     * @param imageShape the image shape
     * @param labelShape the label shape
     */
    public record Batch(float[] image, int[] label, Shape imageShape, Shape labelShape) {

        /** A batch of {@code n} images of {@code h × w} over {@code classes}, from {@code seed}. */
        public static Batch random(int n, int h, int w, int classes, long seed) {
            Random rnd = new Random(seed);
            float[] image = new float[n * 3 * h * w];
            for (int i = 0; i < image.length; i++) {
                image[i] = (float) rnd.nextGaussian();
            }
            int[] label = new int[n * h * w];
            for (int i = 0; i < label.length; i++) {
                label[i] = rnd.nextInt(10) == 0 ? IGNORE : rnd.nextInt(classes);
            }
            return new Batch(image, label, new Shape(n, 3, h, w), new Shape(n, h, w));
        }

        /** The batch as arrays in {@code m}. */
        NDList in(NDManager m) {
            return new NDList(m.create(image, imageShape), m.create(label, labelShape));
        }

        /** Images in the batch. */
        int size() {
            return (int) imageShape.get(0);
        }
    }

    /**
     * Measured numbers.
     *
     * @param weightStepMs median weight step (forward, backward, update), milliseconds
     * @param archStepMs median architecture step, milliseconds
     * @param imagesPerSecond batch / (weight step + architecture step)
     * @param peakRssMib the process's peak resident set (VmHWM), MiB; −1 when unknown
     * @param arraysPerStep arrays left in the step's manager by one weight step
     */
    public record Timing(
            double weightStepMs,
            double archStepMs,
            double imagesPerSecond,
            double peakRssMib,
            int arraysPerStep) {

        /** The numbers as (name, value) lines, in print order. */
        public List<String[]> lines() {
            List<String[]> n = new ArrayList<>();
            n.add(line("weight_step_ms", String.format(Locale.ROOT, "%.1f", weightStepMs)));
            n.add(line("arch_step_ms", String.format(Locale.ROOT, "%.1f", archStepMs)));
            n.add(line("images_per_s", String.format(Locale.ROOT, "%.3f", imagesPerSecond)));
            n.add(line("peak_rss_mib", String.format(Locale.ROOT, "%.0f", peakRssMib)));
            n.add(line("arrays_per_step", String.valueOf(arraysPerStep)));
            return n;
        }

        /** The numbers as JSON, with the preset and the iteration count. */
        public JsonObject json(String preset, int iters) {
            JsonObject o = new JsonObject();
            o.addProperty("preset", preset);
            o.addProperty("iters", iters);
            o.addProperty("weight_step_ms", weightStepMs);
            o.addProperty("arch_step_ms", archStepMs);
            o.addProperty("images_per_s", imagesPerSecond);
            o.addProperty("peak_rss_mib", peakRssMib);
            o.addProperty("arrays_per_step", arraysPerStep);
            return o;
        }

        private static String[] line(String name, String value) {
            return new String[] {name, value};
        }
    }

    /**
     * Times {@code warmup + iters} iterations of one weight step and one architecture step.
     *
     * @param base the manager the step managers are made from
     * @param step the search step (built without batch streams)
     * @param batch the batch both halves use
     * @param warmup untimed iterations
     * @param iters timed iterations
     * @return the medians
     */
    public static Timing time(
            NDManager base, OneShotSearch step, Batch batch, int warmup, int iters) {
        check(warmup, iters);
        double[] tw = new double[iters];
        double[] ta = new double[iters];
        int arrays = 0;
        // -Ddpnas.bench.profile=TRACE: the last weight step runs under libtorch's profiler
        String profile = System.getProperty("dpnas.bench.profile");
        OpProfile.Result ops = null;
        for (int it = 0; it < warmup + iters; it++) {
            long t0 = System.nanoTime();
            try (NDManager sm = base.newSubManager()) {
                NDList in = batch.in(sm);
                int i = it;
                if (profile != null && it == warmup + iters - 1) {
                    try {
                        ops = OpProfile.profile(() -> step.weightStep(sm, i, in), Path.of(profile));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                } else {
                    step.weightStep(sm, it, in);
                }
                arrays = sm.getManagedArrays().size();
            }
            long t1 = System.nanoTime();
            try (NDManager sm = base.newSubManager()) {
                step.archStep(sm, it, batch.in(sm));
            }
            long t2 = System.nanoTime();
            if (it >= warmup) {
                tw[it - warmup] = (t1 - t0) / 1e6;
                ta[it - warmup] = (t2 - t1) / 1e6;
            }
        }
        if (ops != null) {
            System.err.println(
                    "profile of the last weight step: "
                            + ops.topLevelOps()
                            + " top-level engine ops; top ops (name, calls, ms):");
            ops.top(25).forEach(line -> System.err.println("  " + line));
        }
        double w = median(tw);
        double a = median(ta);
        return new Timing(w, a, batch.size() / ((w + a) / 1e3), peakRssMib(), arrays);
    }

    /** Refuses a bad iteration count. */
    public static void check(int warmup, int iters) {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("need iters >= 1 and warmup >= 0");
        }
    }

    /** The median of {@code v}. */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /**
     * The process's peak resident set from {@code /proc/self/status} (VmHWM), MiB; −1 if absent.
     */
    public static double peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
