package org.dpnas.datasets.djl;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.augment.EvalTransform;
import org.dpnas.datasets.augment.Geometry;
import org.dpnas.datasets.augment.SegPipeline;

/**
 * The preprocessing of a model directory's training run applied to a DJL {@link Image}: the run's
 * evaluation resize/pad ({@code data.eval_resize}) and normalisation ({@code data.mean}, {@code
 * data.std}), through the same {@link EvalTransform} and {@link SegBatcher} code that {@code dpnas
 * eval model} uses, so the network sees the same numbers.
 */
public final class ImageInput {

    private final EvalTransform transform;
    private final float[] mean;
    private final float[] std;

    /** The preprocessing of the run whose resolved configuration is {@code config}. */
    public ImageInput(Config config) {
        Config data = config.sub("data");
        this.transform = SegPipeline.evalTransform(data);
        this.mean = data.getFloatArray("mean");
        this.std = data.getFloatArray("std");
    }

    /** The geometry of an {@code h x w} image: resized size and padded network input size. */
    public Geometry geometry(int h, int w) {
        return transform.geometry("image", h, w);
    }

    /** The interleaved RGB bytes of {@code image} (alpha dropped), row-major. */
    public static byte[] rgb(Image image, NDManager manager) {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = image.toNDArray(m, Image.Flag.COLOR);
            if (a.getDataType() != DataType.UINT8) {
                a = a.toType(DataType.UINT8, false);
            }
            return a.toByteArray();
        }
    }

    /**
     * The network input of one image: FLOAT32 (1, 3, H', W') in {@code manager}.
     *
     * @param image the image
     * @param manager where the array goes
     */
    public NDArray toInput(Image image, NDManager manager) {
        int h = image.getHeight();
        int w = image.getWidth();
        SegSample s = new SegSample("image", h, w, rgb(image, manager), new byte[h * w]);
        SegSample t = transform.apply(s);
        SegDataset one =
                new SegDataset() {
                    @Override
                    public int size() {
                        return 1;
                    }

                    @Override
                    public SegSample get(int index) {
                        return t;
                    }

                    @Override
                    public List<String> classNames() {
                        return List.of("any");
                    }
                };
        return new SegBatcher(one, mean, std).assemble(new int[] {0}).toNDList(manager).get(0);
    }
}
