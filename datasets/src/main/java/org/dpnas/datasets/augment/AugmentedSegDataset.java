package org.dpnas.datasets.augment;

import java.util.List;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/**
 * A view of a segmentation dataset with {@link JointAugment} applied: {@link #get(int, long)}
 * returns sample {@code index} augmented for {@code epoch}, a pure function of (seed, epoch,
 * index); with a crop every sample has the crop size, so {@link SegBatcher} can batch them. {@link
 * #get(int)} is epoch 0.
 */
public final class AugmentedSegDataset implements SegBatcher.EpochDataset {

    private final SegDataset base;
    private final JointAugment augment;

    /**
     * Creates the view.
     *
     * @param base the samples
     * @param augment the augmentation
     */
    public AugmentedSegDataset(SegDataset base, JointAugment augment) {
        this.base = base;
        this.augment = augment;
    }

    /** The augmentation applied. */
    public JointAugment augment() {
        return augment;
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public SegSample get(int index) {
        return get(index, 0);
    }

    @Override
    public SegSample get(int index, long epoch) {
        return augment.apply(base.get(index), epoch, index);
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }
}
