package org.dpnas.datasets.djl;

import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.ndarray.NDList;

/**
 * Turns a detector's raw output into DJL {@link DetectedObjects} (box decoding and non-maximum
 * suppression): the hook through which a detection method plugs into {@link
 * DpnasTranslatorFactory}. Implementations are found with {@link java.util.ServiceLoader} from
 * {@code META-INF/services/org.dpnas.datasets.djl.DetectionDecoder}; the first one that {@linkplain
 * #accepts accepts} a model directory decodes its output.
 */
public interface DetectionDecoder {

    /** Whether this decoder understands the network of {@code dir} (e.g. by its model name). */
    boolean accepts(ModelDir dir);

    /**
     * Decodes the network's output for one image.
     *
     * @param output the block's output for a batch of one image
     * @param dir the model directory (class names, configuration)
     * @param height height of the original image
     * @param width width of the original image
     * @return the detections, boxes normalised to the original image
     */
    DetectedObjects decode(NDList output, ModelDir dir, int height, int width);
}
