package org.dpnas.common.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.Losses;

/**
 * The training loss of a one-shot search: maps the network's outputs and the batch's labels to a
 * 0-d loss on the differentiated path (segmentation cross-entropy today, a detector's loss later).
 */
@FunctionalInterface
public interface TrainingLoss {

    /** Segmentation cross-entropy over (N, C, H, W) logits with the ignore label 255. */
    TrainingLoss SEGMENTATION_CE =
            (outputs, labels, constants) ->
                    Losses.crossEntropy(outputs.head(), labels.head(), SegSample.IGNORE, constants);

    /**
     * The loss of one batch.
     *
     * @param outputs the network's outputs
     * @param labels the batch's labels (everything after the inputs)
     * @param constants the run's constants (never pass a Java number to an op here)
     * @return a 0-d array
     */
    NDArray loss(NDList outputs, NDList labels, Constants constants);
}
