package org.dpnas.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import org.dpnas.common.data.SegSample;
import org.dpnas.common.train.Constants;
import org.dpnas.common.train.Losses;

/**
 * dpnas's segmentation cross-entropy ({@link Losses#crossEntropy}: ignore label 255, mean over the
 * other pixels) as a DJL {@link Loss}. DJL's {@code SoftmaxCrossEntropyLoss} has no ignore label,
 * and with a weight other than 1 it multiplies the loss by a Java number, which on this engine
 * frees the number's buffer while the autograd graph still reads it (see the suite's DESIGN notes);
 * this loss keeps its constants as arrays that live as long as it does.
 */
public final class DpnasSegLoss extends Loss implements AutoCloseable {

    private final Constants constants;

    /**
     * Creates the loss.
     *
     * @param manager a manager that outlives training (e.g. the model's)
     */
    public DpnasSegLoss(NDManager manager) {
        super("SegCrossEntropy");
        this.constants = new Constants(manager);
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return Losses.crossEntropy(predictions.head(), labels.head(), SegSample.IGNORE, constants);
    }

    @Override
    public void close() {
        constants.close();
    }
}
