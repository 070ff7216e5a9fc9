package org.dpnas.datasets.augment;

import java.util.List;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/** A view of a segmentation dataset with an {@link EvalTransform} applied to every sample. */
public final class EvalResizedSegDataset implements SegDataset {

    private final SegDataset base;
    private final EvalTransform transform;

    /**
     * Creates the view.
     *
     * @param base the samples
     * @param transform the deterministic resize/pad
     */
    public EvalResizedSegDataset(SegDataset base, EvalTransform transform) {
        this.base = base;
        this.transform = transform;
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public SegSample get(int index) {
        return transform.apply(base.get(index));
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }
}
