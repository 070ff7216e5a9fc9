package org.dpnas.datasets.djl;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import org.dpnas.datasets.augment.Geometry;

/**
 * The translator of a dpnas segmentation network: an {@link Image} is preprocessed as the run's
 * evaluation did ({@link ImageInput}), the network's logits are reduced by arg-max over classes,
 * the padding is cut off and a resized input is mapped back to the image's own size (nearest
 * neighbour), giving a {@link CategoryMask} with the model's class names.
 */
public final class SegTranslator implements NoBatchifyTranslator<Image, CategoryMask> {

    private static final String GEOMETRY = "dpnas.geometry";

    private final ModelDir dir;
    private final ImageInput input;

    /** The translator of {@code dir}'s network. */
    public SegTranslator(ModelDir dir) {
        this.dir = dir;
        this.input = new ImageInput(dir.config());
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image image) {
        ctx.setAttachment(GEOMETRY, input.geometry(image.getHeight(), image.getWidth()));
        return new NDList(input.toInput(image, ctx.getNDManager()));
    }

    @Override
    public CategoryMask processOutput(TranslatorContext ctx, NDList list) {
        Geometry g = (Geometry) ctx.getAttachment(GEOMETRY);
        NDArray logits = list.head();
        if (logits.getShape().dimension() != 4 || logits.getShape().get(0) != 1) {
            throw new IllegalStateException(
                    "expected logits of shape (1, C, H, W), got " + logits.getShape());
        }
        long[] labels = logits.argMax(1).toLongArray();
        return new CategoryMask(dir.classNames(), mask(labels, g));
    }

    /**
     * The label of every pixel of the original image: row-major network labels of {@code g.outH() x
     * g.outW()}, cropped to the resized image and mapped back to its source size.
     */
    static int[][] mask(long[] labels, Geometry g) {
        int[][] out = new int[g.srcH()][g.srcW()];
        for (int y = 0; y < g.srcH(); y++) {
            int sy = nearest(y, g.srcH(), g.scaledH());
            for (int x = 0; x < g.srcW(); x++) {
                out[y][x] = (int) labels[sy * g.outW() + nearest(x, g.srcW(), g.scaledW())];
            }
        }
        return out;
    }

    /** The resized pixel whose centre is nearest to source pixel {@code v}'s centre. */
    private static int nearest(int v, int src, int scaled) {
        if (src == scaled) {
            return v;
        }
        return (int) Math.min(scaled - 1, (long) Math.floor((v + 0.5) * scaled / src));
    }
}
