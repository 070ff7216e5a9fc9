package org.dpnas.datasets.djl;

import ai.djl.basicdataset.cv.ImageDataset;
import ai.djl.basicdataset.cv.ObjectDetectionDataset;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.Rectangle;
import ai.djl.util.PairList;
import ai.djl.util.Progress;
import java.util.List;
import java.util.Optional;
import org.dpnas.common.data.Box;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;

/**
 * A dpnas detection dataset as DJL's {@link ObjectDetectionDataset} (the convention of
 * basicdataset's {@code PikachuDetection} and {@code CocoDetection}): {@link #getObjects} gives
 * (class index, rectangle) pairs with rectangles normalised to the image (x, y, width, height in
 * 0–1), {@link #getClasses} the class synset, and a record is the image (H, W, 3 UINT8 before the
 * user's transforms) with an (N, 5) label of class, x, y, w, h. Ignore regions (VOC difficult, COCO
 * crowd) are not objects and are left out, as in basicdataset.
 */
public final class DetRecords extends ObjectDetectionDataset {

    private final DetDataset dataset;

    private DetRecords(Builder b) {
        super(b);
        this.dataset = b.dataset;
    }

    /** A builder: {@code setDataset} and DJL's sampling, flag and pipeline options. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public PairList<Long, Rectangle> getObjects(long index) {
        DetSample s = dataset.get(Math.toIntExact(index));
        PairList<Long, Rectangle> out = new PairList<>();
        double w = s.width();
        double h = s.height();
        for (Box b : s.boxes()) {
            out.add(
                    (long) b.classId(),
                    new Rectangle(b.x1() / w, b.y1() / h, b.width() / w, b.height() / h));
        }
        return out;
    }

    @Override
    public List<String> getClasses() {
        return dataset.classNames();
    }

    @Override
    protected Image getImage(long index) {
        DetSample s = dataset.get(Math.toIntExact(index));
        byte[] rgb = s.rgb();
        int[] argb = new int[s.width() * s.height()];
        for (int p = 0; p < argb.length; p++) {
            argb[p] =
                    0xff000000
                            | (rgb[3 * p] & 0xff) << 16
                            | (rgb[3 * p + 1] & 0xff) << 8
                            | (rgb[3 * p + 2] & 0xff);
        }
        return ImageFactory.getInstance().fromPixels(argb, s.width(), s.height());
    }

    @Override
    public Optional<Integer> getImageWidth() {
        return Optional.empty();
    }

    @Override
    public Optional<Integer> getImageHeight() {
        return Optional.empty();
    }

    @Override
    protected long availableSize() {
        return dataset.size();
    }

    @Override
    public void prepare(Progress progress) {
        // the dpnas dataset reads its samples on demand
    }

    /** Builds a {@link DetRecords}. */
    public static final class Builder extends ImageDataset.BaseBuilder<Builder> {

        private DetDataset dataset;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** The dpnas detection dataset to wrap (required). */
        public Builder setDataset(DetDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /**
         * Builds the dataset.
         *
         * @throws IllegalArgumentException without a dataset or a sampler
         */
        public DetRecords build() {
            if (dataset == null) {
                throw new IllegalArgumentException("DetRecords needs setDataset(...)");
            }
            if (sampler == null) {
                throw new IllegalArgumentException(
                        "DetRecords needs setSampling(batchSize, shuffle) or setSampler(...)");
            }
            return new DetRecords(this);
        }
    }
}
