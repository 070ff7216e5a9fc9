package org.dpnas.datasets.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.util.List;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;

/**
 * A dpnas segmentation dataset as a DJL {@link RandomAccessDataset}: record {@code i} is the image
 * as FLOAT32 (3, H, W), normalised {@code (x/255 − mean)/std} exactly as the suite's own training
 * does ({@link SegBatcher}), and the label map as INT64 (H, W) with 255 for ignored pixels. DJL's
 * {@code Batchifier.STACK} (the default) makes (N, 3, H, W) and (N, H, W) batches and any DJL
 * {@code Sampler} chooses the order. An augmenting dataset is read as in epoch 0.
 */
public final class SegRecords extends RandomAccessDataset {

    private final SegDataset dataset;
    private final SegBatcher batcher;

    private SegRecords(Builder b) {
        super(b);
        this.dataset = b.dataset;
        this.batcher = new SegBatcher(b.dataset, b.mean, b.std);
    }

    /** A builder: {@code setDataset}, optional {@code optNormalisation}, and DJL's sampling. */
    public static Builder builder() {
        return new Builder();
    }

    /** The wrapped dataset. */
    public SegDataset dataset() {
        return dataset;
    }

    /** Class names by train id (the label values below 255). */
    public List<String> classNames() {
        return dataset.classNames();
    }

    @Override
    public Record get(NDManager manager, long index) {
        if (index < 0 || index >= dataset.size()) {
            throw new IndexOutOfBoundsException(
                    "index " + index + " outside [0, " + dataset.size() + ")");
        }
        NDList xy = batcher.assemble(new int[] {(int) index}).toNDList(manager);
        return new Record(new NDList(xy.get(0).squeeze(0)), new NDList(xy.get(1).squeeze(0)));
    }

    @Override
    protected long availableSize() {
        return dataset.size();
    }

    @Override
    public void prepare(Progress progress) {
        // the dpnas dataset reads its samples on demand
    }

    /** Builds a {@link SegRecords}. */
    public static final class Builder extends BaseBuilder<Builder> {

        private SegDataset dataset;
        private float[] mean = SegBatcher.IMAGENET_MEAN;
        private float[] std = SegBatcher.IMAGENET_STD;

        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        /** The dpnas dataset to wrap (required). */
        public Builder setDataset(SegDataset dataset) {
            this.dataset = dataset;
            return this;
        }

        /** Channel means and standard deviations (RGB, 0–1); ImageNet's by default. */
        public Builder optNormalisation(float[] mean, float[] std) {
            this.mean = mean.clone();
            this.std = std.clone();
            return this;
        }

        /**
         * Builds the dataset.
         *
         * @throws IllegalArgumentException without a dataset or a sampler
         */
        public SegRecords build() {
            if (dataset == null) {
                throw new IllegalArgumentException("SegRecords needs setDataset(...)");
            }
            if (sampler == null) {
                throw new IllegalArgumentException(
                        "SegRecords needs setSampling(batchSize, shuffle) or setSampler(...)");
            }
            return new SegRecords(this);
        }
    }
}
