package org.dpnas.datasets.djl;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.translate.Translator;

/**
 * Supplies the {@code Image → DetectedObjects} translator of a detector's model directory
 * (preprocessing as the detector's evaluation, box decoding and non-maximum suppression, class
 * names): the hook through which a detection method plugs into {@link DpnasTranslatorFactory}.
 * Implementations are found with {@link java.util.ServiceLoader} from {@code
 * META-INF/services/org.dpnas.datasets.djl.DetectorTranslatorProvider}; the first one that
 * {@linkplain #accepts accepts} a directory translates for it.
 */
public interface DetectorTranslatorProvider {

    /** Whether this provider understands the network of {@code dir} (e.g. by its model name). */
    boolean accepts(ModelDir dir);

    /** The translator of {@code dir}'s detector. */
    Translator<Image, DetectedObjects> translator(ModelDir dir);
}
