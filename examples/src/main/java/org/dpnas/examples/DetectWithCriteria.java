package org.dpnas.examples;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.DeferredTranslatorFactory;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads a detector exported with {@code dpnas weights export --format djl --out DIR} (a RetinaNet
 * with a searched or built-in pyramid) as a DJL model and detects the objects in one image: the
 * model directory's translator scales and normalises the image as the detector's evaluation did and
 * decodes boxes with NMS into {@link DetectedObjects} (boxes normalised to the image).
 *
 * <pre>java -cp ... org.dpnas.examples.DetectWithCriteria MODEL_DIR IMAGE.jpg</pre>
 */
public final class DetectWithCriteria {

    private DetectWithCriteria() {}

    /**
     * Detects the objects in {@code image} with the detector in {@code modelDir}.
     *
     * @return the detections
     */
    public static DetectedObjects runExample(Path modelDir, Path image)
            throws IOException,
                    ModelNotFoundException,
                    MalformedModelException,
                    TranslateException {
        Criteria<Image, DetectedObjects> criteria =
                Criteria.builder()
                        .setTypes(Image.class, DetectedObjects.class)
                        .optModelPath(modelDir)
                        .optTranslatorFactory(new DeferredTranslatorFactory())
                        .build();
        Image img = ImageFactory.getInstance().fromFile(image);
        try (ZooModel<Image, DetectedObjects> model = criteria.loadModel();
                Predictor<Image, DetectedObjects> predictor = model.newPredictor()) {
            return predictor.predict(img);
        }
    }

    /**
     * Prints the detections.
     *
     * @param args the model directory and the image
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: DetectWithCriteria MODEL_DIR IMAGE");
            System.exit(2);
        }
        System.out.println(runExample(Path.of(args[0]), Path.of(args[1])));
    }
}
