package org.dpnas.datasets.det;

import java.util.List;
import org.dpnas.common.data.Box;

/**
 * One image with its object boxes, held in host memory as compact bytes.
 *
 * @param id a stable name of the sample (file stem or image id), used in error messages
 * @param height image height in pixels
 * @param width image width in pixels
 * @param rgb interleaved RGB bytes, row-major, {@code height * width * 3} long
 * @param boxes objects to detect, 0-based pixel coordinates with exclusive right/bottom edges
 * @param ignoreRegions areas where detections count neither as hits nor as false positives
 *     (difficult VOC objects, COCO crowd regions), in the same coordinates
 */
public record DetSample(
        String id, int height, int width, byte[] rgb, List<Box> boxes, List<Box> ignoreRegions) {

    /** Validates the array length against the stated size and freezes the box lists. */
    public DetSample {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    id + ": size must be positive, got " + height + "x" + width);
        }
        if (rgb.length != height * width * 3) {
            throw new IllegalArgumentException(
                    id + ": rgb has " + rgb.length + " bytes, expected " + height * width * 3);
        }
        boxes = List.copyOf(boxes);
        ignoreRegions = List.copyOf(ignoreRegions);
    }
}
