package org.dpnas.datasets.djl;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * The translator of a dpnas detector: the image is preprocessed as the run's evaluation did ({@link
 * ImageInput}) and the output is decoded by the detector's {@link DetectionDecoder}.
 */
final class DetTranslator implements NoBatchifyTranslator<Image, DetectedObjects> {

    private static final String SIZE = "dpnas.size";

    private final ModelDir dir;
    private final ImageInput input;
    private final DetectionDecoder decoder;

    DetTranslator(ModelDir dir, DetectionDecoder decoder) {
        this.dir = dir;
        this.input = new ImageInput(dir.config());
        this.decoder = decoder;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image image) {
        ctx.setAttachment(SIZE, new int[] {image.getHeight(), image.getWidth()});
        return new NDList(input.toInput(image, ctx.getNDManager()));
    }

    @Override
    public DetectedObjects processOutput(TranslatorContext ctx, NDList list) {
        int[] hw = (int[]) ctx.getAttachment(SIZE);
        return decoder.decode(list, dir, hw[0], hw[1]);
    }
}
