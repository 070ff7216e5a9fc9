package org.dpnas.common.data;

/**
 * An axis-aligned object box in pixel coordinates, corners inclusive-exclusive as in COCO ({@code
 * x2 = x1 + width}).
 *
 * @param x1 left edge
 * @param y1 top edge
 * @param x2 right edge
 * @param y2 bottom edge
 * @param classId contiguous class index (0-based, no background)
 */
public record Box(float x1, float y1, float x2, float y2, int classId) {

    /** Box width, {@code x2 - x1}. */
    public float width() {
        return x2 - x1;
    }

    /** Box height, {@code y2 - y1}. */
    public float height() {
        return y2 - y1;
    }
}
