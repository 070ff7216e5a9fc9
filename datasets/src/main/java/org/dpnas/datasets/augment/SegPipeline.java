package org.dpnas.datasets.augment;

import java.util.function.Consumer;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegDataset;

/**
 * Builds the augmentation and evaluation transforms from the {@code data} section of a run's
 * configuration: {@code data.augment} ({@code enabled}, {@code scale} [min, max], {@code crop} [h,
 * w] or [] for none, {@code flip}, {@code jitter}, {@code resampler}) and {@code data.eval_resize}
 * ({@code short_side}, {@code pad_to} [h, w] or [], {@code pad_multiple}); padding takes the colour
 * of {@code data.mean}.
 */
public final class SegPipeline {

    private SegPipeline() {}

    /**
     * {@code raw} read through the {@code data.on_bad_sample} policy: {@code fail} stops at an
     * unreadable sample naming its file, {@code skip} replaces it deterministically and reports it
     * to {@code warn}.
     */
    public static BadSampleDataset readable(Config data, SegDataset raw, Consumer<String> warn) {
        return new BadSampleDataset(
                raw, BadSampleDataset.Policy.parse(data.getString("on_bad_sample")), warn);
    }

    /**
     * The training view of {@code ds}: augmented when {@code data.augment.enabled}. A batch of more
     * than one image needs one size, so a varying random scale without a crop is rejected.
     *
     * @throws IllegalArgumentException naming the key for an unusable setting
     */
    public static SegDataset training(Config data, SegDataset ds, long seed, int batch) {
        JointAugment augment = augment(data, seed);
        if (augment == null) {
            return ds;
        }
        if (!augment.fixedSize() && batch > 1) {
            float[] scale = data.getFloatArray("augment.scale");
            if (scale[0] != 1f || scale[1] != 1f) {
                throw new IllegalArgumentException(
                        "data.augment.scale varies the image size, so a batch of "
                                + batch
                                + " needs a crop: set data.augment.crop=[h,w]");
            }
        }
        return new AugmentedSegDataset(ds, augment);
    }

    /** The evaluation view of {@code ds}: {@code data.eval_resize} applied (or {@code ds}). */
    public static SegDataset evaluation(Config data, SegDataset ds) {
        EvalTransform t = evalTransform(data);
        return t.isIdentity() ? ds : new EvalResizedSegDataset(ds, t);
    }

    /** The number of data workers of {@code data.workers}: itself, or one per core for 0. */
    public static int workers(Config data) {
        int n = data.getInt("workers");
        if (n < 0) {
            throw new IllegalArgumentException("data.workers must be >= 0, got " + n);
        }
        return n == 0 ? Runtime.getRuntime().availableProcessors() : n;
    }

    /**
     * The training augmentation, or {@code null} when {@code data.augment.enabled} is false.
     *
     * @throws IllegalArgumentException naming the key for a value out of range
     */
    public static JointAugment augment(Config data, long seed) {
        Config a = data.sub("augment");
        if (!a.getBoolean("enabled")) {
            return null;
        }
        float[] scale = a.getFloatArray("scale");
        if (scale.length != 2) {
            throw new IllegalArgumentException(
                    "data.augment.scale must be [min, max], got " + scale.length + " values");
        }
        int[] crop = size(a, "crop", "data.augment.crop");
        try {
            return new JointAugment(
                    seed,
                    scale[0],
                    scale[1],
                    crop[0],
                    crop[1],
                    a.getBoolean("flip"),
                    a.getDouble("jitter"),
                    JointAugment.fillOf(data.getFloatArray("mean")),
                    Resampler.named(a.getString("resampler")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("data.augment: " + e.getMessage(), e);
        }
    }

    /**
     * The deterministic evaluation resize/pad of {@code data.eval_resize}.
     *
     * @throws IllegalArgumentException naming the key for a value out of range
     */
    public static EvalTransform evalTransform(Config data) {
        Config e = data.sub("eval_resize");
        int[] pad = size(e, "pad_to", "data.eval_resize.pad_to");
        try {
            return new EvalTransform(
                    e.getInt("short_side"),
                    pad[0],
                    pad[1],
                    e.getInt("pad_multiple"),
                    JointAugment.fillOf(data.getFloatArray("mean")),
                    Resampler.named(data.getString("augment.resampler")));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("data.eval_resize: " + ex.getMessage(), ex);
        }
    }

    /** Reads [] (none: 0, 0), [n] (square) or [h, w], all positive. */
    private static int[] size(Config c, String key, String name) {
        int[] v = c.getIntArray(key);
        int[] hw;
        if (v.length == 0) {
            return new int[] {0, 0};
        } else if (v.length == 1) {
            hw = new int[] {v[0], v[0]};
        } else if (v.length == 2) {
            hw = v;
        } else {
            throw new IllegalArgumentException(
                    name
                            + " must be [] (none), [size] or [height, width], got "
                            + v.length
                            + " values");
        }
        if (hw[0] <= 0 || hw[1] <= 0) {
            throw new IllegalArgumentException(
                    name + " sizes must be positive, got " + hw[0] + "x" + hw[1]);
        }
        return hw;
    }
}
