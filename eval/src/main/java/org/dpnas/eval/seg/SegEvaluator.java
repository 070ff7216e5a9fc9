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
                cm.update(xy.get(1), logits.argMax(1));
            }
        }
        return cm.compute();
    }
}
