package org.dpnas.examples;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.DeferredTranslatorFactory;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Loads a network exported with {@code dpnas weights export --format djl --out DIR} as a DJL model
 * and segments one image: the model directory's {@code serving.properties} names the dpnas block
 * factory (which rebuilds the network from its genotype) and translator factory (resize,
 * normalisation, arg-max to a {@link CategoryMask}); DJL's {@link DeferredTranslatorFactory} tells
 * {@code Criteria} to take the translator from there.
 *
 * <pre>java -cp ... org.dpnas.examples.PredictWithCriteria MODEL_DIR IMAGE.png</pre>
 */
public final class PredictWithCriteria {

    private PredictWithCriteria() {}

    /**
     * Segments {@code image} with the model in {@code modelDir}.
     *
     * @return the mask and its class names
     */
    public static CategoryMask runExample(Path modelDir, Path image)
            throws IOException,
                    ModelNotFoundException,
                    MalformedModelException,
                    TranslateException {
        Criteria<Image, CategoryMask> criteria =
                Criteria.builder()
                        .setTypes(Image.class, CategoryMask.class)
                        .optModelPath(modelDir)
                        .optTranslatorFactory(new DeferredTranslatorFactory())
                        .build();
        Image img = ImageFactory.getInstance().fromFile(image);
        try (ZooModel<Image, CategoryMask> model = criteria.loadModel();
                Predictor<Image, CategoryMask> predictor = model.newPredictor()) {
            return predictor.predict(img);
        }
    }

    /**
     * Prints the share of pixels of each class.
     *
     * @param args the model directory and the image
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: PredictWithCriteria MODEL_DIR IMAGE");
            System.exit(2);
        }
        CategoryMask mask = runExample(Path.of(args[0]), Path.of(args[1]));
        int[][] m = mask.getMask();
        long[] count = new long[mask.getClasses().size()];
        for (int[] row : m) {
            for (int v : row) {
                count[v]++;
            }
        }
        long total = Arrays.stream(count).sum();
        for (int c = 0; c < count.length; c++) {
            System.out.printf(
                    "%-12s %6.2f %%%n", mask.getClasses().get(c), 100.0 * count[c] / total);
        }
    }
}
