package org.dpnas.common.data;

/**
 * One image with its dense label map, held in host memory as compact bytes.
 *
 * @param id a stable name of the sample (file stem or synthetic index), used in error messages
 * @param height image height in pixels
 * @param width image width in pixels
 * @param rgb interleaved RGB bytes, row-major, {@code height * width * 3} long
 * @param label train ids, row-major, {@code height * width} long; {@code 255} (read as unsigned)
 *     marks pixels to ignore
 */
public record SegSample(String id, int height, int width, byte[] rgb, byte[] label) {

    /** The label value of pixels that never count in losses or metrics. */
    public static final int IGNORE = 255;

    /** Validates the array lengths against the stated size. */
    public SegSample {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    id + ": size must be positive, got " + height + "x" + width);
        }
        if (rgb.length != height * width * 3) {
            throw new IllegalArgumentException(
                    id + ": rgb has " + rgb.length + " bytes, expected " + height * width * 3);
        }
        if (label.length != height * width) {
            throw new IllegalArgumentException(
                    id + ": label has " + label.length + " bytes, expected " + height * width);
        }
    }
}
