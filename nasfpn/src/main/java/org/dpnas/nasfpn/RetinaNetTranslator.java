package org.dpnas.nasfpn;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Rectangle;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.det.Detection;
import org.dpnas.datasets.det.DetSample;
import org.dpnas.datasets.djl.DetectorTranslatorProvider;
import org.dpnas.datasets.djl.ImageInput;
import org.dpnas.datasets.djl.ModelDir;

/**
 * DJL's {@code Image → DetectedObjects} for an exported NAS-FPN RetinaNet: the image goes through
 * the same scaling, normalisation and padding as {@code dpnas eval model} ({@link
 * DetectorTrainer#prepare}), and the last exit's output through the same decoding (sigmoid, top-k
 * per level, box decoding, class-wise NMS; {@link DetectorTrainer#decode}); boxes are normalised to
 * the original image as DJL expects, with the run's class names.
 */
public final class RetinaNetTranslator implements NoBatchifyTranslator<Image, DetectedObjects> {

    private static final String PREPARED = "dpnas.prepared";

    private final List<String> classNames;
    private final int imageSize;

    /**
     * The translator of a model directory.
     *
     * @param dir the exported detector
     */
    public RetinaNetTranslator(ModelDir dir) {
        this.classNames = dir.classNames();
        this.imageSize = dir.config().getInt("train.image_size");
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image image) {
        int h = image.getHeight();
        int w = image.getWidth();
        DetSample raw =
                new DetSample(
                        "image",
                        h,
                        w,
                        ImageInput.rgb(image, ctx.getNDManager()),
                        List.of(),
                        List.of());
        DetectorTrainer.Prepared p = DetectorTrainer.prepare(raw, imageSize);
        ctx.setAttachment(PREPARED, p);
        return new NDList(p.batch().images(ctx.getNDManager()));
    }

    @Override
    public DetectedObjects processOutput(TranslatorContext ctx, NDList list) {
        DetectorTrainer.Prepared p = (DetectorTrainer.Prepared) ctx.getAttachment(PREPARED);
        List<Detection> dets = DetectorTrainer.decode(list, list.size() / 2, classNames.size(), p);
        List<String> names = new ArrayList<>();
        List<Double> probs = new ArrayList<>();
        List<BoundingBox> boxes = new ArrayList<>();
        double w = p.rawWidth();
        double h = p.rawHeight();
        for (Detection d : dets) {
            names.add(classNames.get(d.classId()));
            probs.add((double) d.score());
            boxes.add(
                    new Rectangle(
                            d.x1() / w, d.y1() / h, (d.x2() - d.x1()) / w, (d.y2() - d.y1()) / h));
        }
        return new DetectedObjects(names, probs, boxes);
    }

    /** Registers the translator for model directories of {@code nasfpn} detectors. */
    public static final class Provider implements DetectorTranslatorProvider {

        /** Creates the provider ({@link java.util.ServiceLoader} instantiates it). */
        public Provider() {}

        @Override
        public boolean accepts(ModelDir dir) {
            return PyramidGenotype.METHOD.equals(dir.config().getString("model.name"));
        }

        @Override
        public RetinaNetTranslator translator(ModelDir dir) {
            return new RetinaNetTranslator(dir);
        }
    }
}
