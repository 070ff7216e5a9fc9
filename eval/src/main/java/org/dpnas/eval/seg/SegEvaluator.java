package org.dpnas.eval.seg;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/**
 * Evaluates a segmentation network on a dataset split: inference-mode forward passes in batches,
 * arg-max over classes, and a streaming {@link ConfusionMatrix}. Each batch runs in its own
 * sub-manager; only the predicted labels travel to the host.
 */
public final class SegEvaluator {

    private SegEvaluator() {}

    /**
     * Evaluates {@code model} on every sample of {@code batcher}'s dataset.
     *
     * @param model maps (N,3,H,W) images to (N,C,H,W) logits
     * @param batcher batch assembly over the evaluation split (same normalisation as training)
     * @param batchSize samples per forward pass (the last batch may be smaller)
     * @param base a manager on the evaluation device
     * @param store the parameter store
     * @return the metrics
     */
    public static SegMetrics evaluate(
            Block model, SegBatcher batcher, int batchSize, NDManager base, ParameterStore store) {
        return evaluate(model, batcher, batchSize, base, store, null);
    }

    /**
     * The validation numbers of a search's supernet, as {@link #evaluate(Block, SegBatcher, int,
     * NDManager, ParameterStore)} measures them: {@code mIoU}, then {@code pixel_accuracy}.
     */
    public static java.util.Map<String, Double> searchMetrics(
            Block model, SegBatcher batcher, int batchSize, NDManager base, ParameterStore store) {
        SegMetrics m = evaluate(model, batcher, batchSize, base, store);
        java.util.Map<String, Double> out = new java.util.LinkedHashMap<>();
        out.put("mIoU", m.mIoU());
        out.put("pixel_accuracy", m.pixelAccuracy());
        return out;
    }

    /** Receives the predicted labels of each evaluated sample. */
    @FunctionalInterface
    public interface PredictionSink {

        /**
         * Takes the prediction of sample {@code index}.
         *
         * @param index the sample's index in the dataset
         * @param height label map height
         * @param width label map width
         * @param labels predicted class per pixel, row-major
         */
        void accept(int index, int height, int width, long[] labels) throws java.io.IOException;
    }

    /**
     * Evaluates {@code model} as {@link #evaluate(Block, SegBatcher, int, NDManager,
     * ParameterStore)} and hands every sample's predicted labels to {@code sink}.
     *
     * @param sink receives the predictions, or {@code null}
     * @throws java.io.UncheckedIOException when the sink fails
     */
    public static SegMetrics evaluate(
            Block model,
            SegBatcher batcher,
            int batchSize,
            NDManager base,
            ParameterStore store,
            PredictionSink sink) {
        SegDataset ds = batcher.dataset();
        ConfusionMatrix cm = new ConfusionMatrix(ds.numClasses(), SegSample.IGNORE);
        int n = ds.size();
        for (int start = 0; start < n; start += batchSize) {
            int[] idx = new int[Math.min(batchSize, n - start)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = start + i;
            }
            try (NDManager sm = base.newSubManager()) {
                NDList xy = batcher.assemble(idx).toNDList(sm);
                NDArray logits = model.forward(store, new NDList(xy.get(0)), false).head();
                NDArray pred = logits.argMax(1);
                cm.update(xy.get(1), pred);
                if (sink != null) {
                    long[] all = pred.toLongArray();
                    int h = (int) pred.getShape().get(1);
                    int w = (int) pred.getShape().get(2);
                    for (int i = 0; i < idx.length; i++) {
                        long[] one = java.util.Arrays.copyOfRange(all, i * h * w, (i + 1) * h * w);
                        try {
                            sink.accept(idx[i], h, w, one);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            }
        }
        return cm.compute();
    }
}
