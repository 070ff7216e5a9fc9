package org.dpnas.common.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Turns samples of a {@link SegDataset} into training batches: images as normalised FLOAT32 (N, 3,
 * H, W) with {@code (x/255 − mean)/std} per channel, labels as INT64 (N, H, W). Assembly happens on
 * the host ({@link #assemble}), so it can run on a loader thread while the device computes; {@link
 * HostBatch#toNDList} then makes one copy per array to the device.
 *
 * <p>With a worker pool the samples of a batch are read (decoded, augmented) in parallel; each
 * sample is written to its own slice of the batch, so the result does not depend on the pool. A
 * dataset implementing {@link EpochDataset} receives the epoch of the batch, so that per-epoch
 * augmentation stays a pure function of (seed, epoch, index).
 */
public final class SegBatcher {

    /** ImageNet channel means (RGB, 0–1), the usual normalisation of pretrained backbones. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

    /** ImageNet channel standard deviations (RGB, 0–1). */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** A dataset whose samples may depend on the training epoch (e.g. random augmentation). */
    public interface EpochDataset extends SegDataset {

        /** Returns sample {@code index} as seen in {@code epoch}; a pure function of both. */
        SegSample get(int index, long epoch);
    }

    private final SegDataset dataset;
    private final float[] scale = new float[3];
    private final float[] shift = new float[3];
    private final ExecutorService pool;

    /**
     * Creates a batcher.
     *
     * @param dataset the samples
     * @param mean per-channel mean (RGB, 0–1)
     * @param std per-channel standard deviation (RGB, 0–1)
     */
    public SegBatcher(SegDataset dataset, float[] mean, float[] std) {
        this(dataset, mean, std, null);
    }

    /**
     * Creates a batcher that reads the samples of a batch in parallel on {@code pool}.
     *
     * @param dataset the samples
     * @param mean per-channel mean (RGB, 0–1)
     * @param std per-channel standard deviation (RGB, 0–1)
     * @param pool the workers (owned by the caller), or {@code null} to read on the calling thread
     */
    public SegBatcher(SegDataset dataset, float[] mean, float[] std, ExecutorService pool) {
        this.pool = pool;
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (RGB)");
        }
        this.dataset = dataset;
        for (int c = 0; c < 3; c++) {
            if (!(std[c] > 0f)) {
                throw new IllegalArgumentException("std must be > 0, got " + std[c]);
            }
            scale[c] = 1f / (255f * std[c]);
            shift[c] = -mean[c] / std[c];
        }
    }

    /** The dataset batches are drawn from. */
    public SegDataset dataset() {
        return dataset;
    }

    /**
     * Reads and normalises the samples at {@code indices} (epoch 0). All must have the same size.
     *
     * @throws IllegalArgumentException naming the samples when sizes differ
     */
    public HostBatch assemble(int[] indices) {
        return assemble(indices, 0);
    }

    /**
     * Reads and normalises the samples at {@code indices} as seen in {@code epoch}. All must have
     * the same size.
     *
     * @throws IllegalArgumentException naming the samples when sizes differ
     */
    public HostBatch assemble(int[] indices, long epoch) {
        SegSample first = read(indices[0], epoch);
        int h = first.height();
        int w = first.width();
        int plane = h * w;
        float[] images = new float[indices.length * 3 * plane];
        long[] labels = new long[indices.length * plane];
        if (pool == null || indices.length == 1) {
            for (int b = 0; b < indices.length; b++) {
                SegSample s = b == 0 ? first : read(indices[b], epoch);
                put(first, s, b, images, labels);
            }
        } else {
            List<Future<?>> parts = new ArrayList<>(indices.length);
            for (int b = 0; b < indices.length; b++) {
                int slot = b;
                parts.add(
                        pool.submit(
                                () ->
                                        put(
                                                first,
                                                slot == 0 ? first : read(indices[slot], epoch),
                                                slot,
                                                images,
                                                labels)));
            }
            awaitAll(parts);
        }
        return new HostBatch(indices.length, h, w, images, labels);
    }

    private SegSample read(int index, long epoch) {
        return dataset instanceof EpochDataset e ? e.get(index, epoch) : dataset.get(index);
    }

    /** Waits for every part, then rethrows the first failure (in batch order) unchanged. */
    private static void awaitAll(List<Future<?>> parts) {
        RuntimeException failure = null;
        for (Future<?> f : parts) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    Throwable c = e.getCause();
                    failure =
                            c instanceof RuntimeException r
                                    ? r
                                    : new IllegalStateException("reading a sample failed", c);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                parts.forEach(p -> p.cancel(true));
                throw new IllegalStateException("interrupted while reading a batch", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void put(SegSample first, SegSample s, int b, float[] images, long[] labels) {
        int h = first.height();
        int w = first.width();
        int plane = h * w;
        if (s.height() != h || s.width() != w) {
            throw new IllegalArgumentException(
                    "batch mixes sizes: "
                            + first.id()
                            + " is "
                            + w
                            + "x"
                            + h
                            + ", "
                            + s.id()
                            + " is "
                            + s.width()
                            + "x"
                            + s.height()
                            + " (crop or resize to one size first)");
        }
        byte[] rgb = s.rgb();
        byte[] lab = s.label();
        int base = b * 3 * plane;
        for (int c = 0; c < 3; c++) {
            float sc = scale[c];
            float sh = shift[c];
            int off = base + c * plane;
            for (int p = 0; p < plane; p++) {
                images[off + p] = (rgb[3 * p + c] & 0xff) * sc + sh;
            }
        }
        int lo = b * plane;
        for (int p = 0; p < plane; p++) {
            labels[lo + p] = lab[p] & 0xff;
        }
    }

    /**
     * A batch in host memory.
     *
     * @param size number of samples
     * @param height height of every sample
     * @param width width of every sample
     * @param images normalised pixels, (N, 3, H, W) row-major
     * @param labels train ids or 255, (N, H, W) row-major
     */
    public record HostBatch(int size, int height, int width, float[] images, long[] labels) {

        /** Copies the batch into {@code manager} (and so onto its device): [images, labels]. */
        public NDList toNDList(NDManager manager) {
            NDArray x = manager.create(images, new Shape(size, 3, height, width));
            NDArray y = manager.create(labels, new Shape(size, height, width));
            if (y.getDataType() != DataType.INT64) {
                throw new IllegalStateException("labels must be INT64");
            }
            return new NDList(x, y);
        }
    }
}
