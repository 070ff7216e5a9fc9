package org.dpnas.datasets.det;

import java.util.List;

/**
 * A finite, indexable split of an object-detection dataset. Implementations must be safe to call
 * from several threads and must return the same sample for the same index every time.
 */
public interface DetDataset {

    /** Number of images in this split. */
    int size();

    /** Returns image {@code index} with its boxes, {@code 0 <= index < size()}. */
    DetSample get(int index);

    /** Class names indexed by the boxes' {@code classId} (no background entry). */
    List<String> classNames();

    /** Number of object classes. */
    default int numClasses() {
        return classNames().size();
    }
}
