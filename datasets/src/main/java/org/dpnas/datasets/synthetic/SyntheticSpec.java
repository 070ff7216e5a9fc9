package org.dpnas.datasets.synthetic;

import java.util.Objects;

/**
 * The parameters that fully determine one split of the {@link SyntheticDataset}.
 *
 * <p>Image content depends on {@code seed}, {@code split}, the sample index, {@code height}, {@code
 * width} and {@code maxObjects}. It does not depend on {@code size} (growing a split keeps its
 * first samples) nor on {@code ignoreBorder} (which only changes the label map).
 *
 * @param seed base seed of the dataset
 * @param split split name such as {@code "train"} or {@code "val"}; non-blank, letters, digits,
 *     {@code '-'} and {@code '_'} only, because it becomes part of file names
 * @param size number of images in the split, {@code > 0}
 * @param height image height in pixels, {@code >= 16}
 * @param width image width in pixels, {@code >= 16}
 * @param maxObjects the largest number of shapes drawn in one image, {@code 1..64}
 * @param ignoreBorder width in pixels of the ignore band along the inside of each shape's visible
 *     outline, {@code 0..8}; {@code 0} disables it
 */
public record SyntheticSpec(
        long seed,
        String split,
        int size,
        int height,
        int width,
        int maxObjects,
        int ignoreBorder) {

    /** Default image height and width in pixels. */
    public static final int DEFAULT_SIDE = 96;

    /** Default largest number of shapes per image. */
    public static final int DEFAULT_MAX_OBJECTS = 4;

    /** Default ignore band width in pixels. */
    public static final int DEFAULT_IGNORE_BORDER = 1;

    /** Smallest accepted image side in pixels. */
    public static final int MIN_SIDE = 16;

    /** Largest accepted value of {@code maxObjects}. */
    public static final int MAX_OBJECTS_LIMIT = 64;

    /** Largest accepted value of {@code ignoreBorder}. */
    public static final int MAX_IGNORE_BORDER = 8;

    /** Validates every parameter, naming the offending one in the exception message. */
    public SyntheticSpec {
        Objects.requireNonNull(split, "split must not be null");
        if (split.isBlank()) {
            throw new IllegalArgumentException("split must not be blank");
        }
        if (!split.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(
                    "split must use only letters, digits, '-' and '_', got '" + split + "'");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("size must be > 0, got " + size);
        }
        if (height < MIN_SIDE) {
            throw new IllegalArgumentException("height must be >= " + MIN_SIDE + ", got " + height);
        }
        if (width < MIN_SIDE) {
            throw new IllegalArgumentException("width must be >= " + MIN_SIDE + ", got " + width);
        }
        if ((long) height * width > Integer.MAX_VALUE / 3) {
            throw new IllegalArgumentException(
                    "height * width is too large for one image: " + height + "x" + width);
        }
        if (maxObjects < 1 || maxObjects > MAX_OBJECTS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxObjects must be in 1.." + MAX_OBJECTS_LIMIT + ", got " + maxObjects);
        }
        if (ignoreBorder < 0 || ignoreBorder > MAX_IGNORE_BORDER) {
            throw new IllegalArgumentException(
                    "ignoreBorder must be in 0.." + MAX_IGNORE_BORDER + ", got " + ignoreBorder);
        }
    }

    /**
     * Returns a spec with default image size ({@value #DEFAULT_SIDE} x {@value #DEFAULT_SIDE}),
     * {@value #DEFAULT_MAX_OBJECTS} objects at most and a {@value #DEFAULT_IGNORE_BORDER} px ignore
     * band.
     */
    public static SyntheticSpec of(long seed, String split, int size) {
        return new SyntheticSpec(
                seed,
                split,
                size,
                DEFAULT_SIDE,
                DEFAULT_SIDE,
                DEFAULT_MAX_OBJECTS,
                DEFAULT_IGNORE_BORDER);
    }

    /** Returns a copy with another seed. */
    public SyntheticSpec withSeed(long newSeed) {
        return new SyntheticSpec(newSeed, split, size, height, width, maxObjects, ignoreBorder);
    }

    /** Returns a copy with another split name. */
    public SyntheticSpec withSplit(String newSplit) {
        return new SyntheticSpec(seed, newSplit, size, height, width, maxObjects, ignoreBorder);
    }

    /** Returns a copy with another image count. */
    public SyntheticSpec withSize(int newSize) {
        return new SyntheticSpec(seed, split, newSize, height, width, maxObjects, ignoreBorder);
    }

    /** Returns a copy with another image height and width. */
    public SyntheticSpec withImageSize(int newHeight, int newWidth) {
        return new SyntheticSpec(seed, split, size, newHeight, newWidth, maxObjects, ignoreBorder);
    }

    /** Returns a copy with another largest number of shapes per image. */
    public SyntheticSpec withMaxObjects(int newMaxObjects) {
        return new SyntheticSpec(seed, split, size, height, width, newMaxObjects, ignoreBorder);
    }

    /** Returns a copy with another ignore band width ({@code 0} disables it). */
    public SyntheticSpec withIgnoreBorder(int newIgnoreBorder) {
        return new SyntheticSpec(seed, split, size, height, width, maxObjects, newIgnoreBorder);
    }
}
