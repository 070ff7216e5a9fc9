package org.dpnas.common.data;

import java.util.List;

/**
 * A finite, indexable split of a semantic-segmentation dataset. Implementations must be safe to
 * call from several threads and must return the same sample for the same index every time.
 */
public interface SegDataset {

    /** Number of samples in this split. */
    int size();

    /** Returns sample {@code index}, {@code 0 <= index < size()}. */
    SegSample get(int index);

    /** Class names indexed by train id; their count is the number of classes. */
    List<String> classNames();

    /** Number of classes (labels {@code 0..numClasses-1}, plus {@link SegSample#IGNORE}). */
    default int numClasses() {
        return classNames().size();
    }
}
