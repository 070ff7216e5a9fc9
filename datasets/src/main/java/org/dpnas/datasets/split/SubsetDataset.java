package org.dpnas.datasets.split;

import java.util.List;
import java.util.Objects;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/**
 * A view of a segmentation dataset restricted to given indices, in the given order; sample {@code
 * i} of the view is sample {@code indices[i]} of the base. Thread-safe if the base is.
 */
public final class SubsetDataset implements SegDataset {

    private final SegDataset base;
    private final int[] indices;

    /**
     * Creates the view; the index array is copied.
     *
     * @throws IndexOutOfBoundsException if an index is outside {@code 0..base.size()-1}
     */
    public SubsetDataset(SegDataset base, int[] indices) {
        this.base = Objects.requireNonNull(base, "base");
        this.indices = indices.clone();
        int n = base.size();
        for (int i : this.indices) {
            Objects.checkIndex(i, n);
        }
    }

    /** The dataset this view reads from. */
    public SegDataset base() {
        return base;
    }

    /** A copy of the base indices this view exposes, in order. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public SegSample get(int index) {
        return base.get(indices[Objects.checkIndex(index, indices.length)]);
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }
}
