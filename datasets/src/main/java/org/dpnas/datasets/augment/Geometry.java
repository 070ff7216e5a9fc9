package org.dpnas.datasets.augment;

/**
 * Where each output pixel of a scale-crop-flip comes from: the source image of {@code srcH x srcW}
 * is resized to {@code scaledH x scaledW}, then output pixel (y, x) shows scaled pixel ({@code y +
 * offY}, {@code x' + offX}) with {@code x' = outW - 1 - x} when flipped, else {@code x}. Offsets
 * may be negative (the scaled image lies inside the output); output pixels outside the scaled image
 * form the padding around the valid rectangle {@code [validY0, validY1) x [validX0, validX1)}.
 *
 * <p>Resizing uses pixel centres: scaled row {@code v} samples source row {@code (v + 0.5) * srcH /
 * scaledH - 0.5} (bilinear, clamped to the edge) or {@code floor((v + 0.5) * srcH / scaledH)}
 * (nearest).
 *
 * @param srcH source height
 * @param srcW source width
 * @param scaledH height after resizing
 * @param scaledW width after resizing
 * @param outH output height
 * @param outW output width
 * @param offY scaled row shown in output row 0
 * @param offX scaled column shown in (unflipped) output column 0
 * @param flip mirror the output horizontally
 */
public record Geometry(
        int srcH,
        int srcW,
        int scaledH,
        int scaledW,
        int outH,
        int outW,
        int offY,
        int offX,
        boolean flip) {

    /** Validates the sizes. */
    public Geometry {
        if (srcH <= 0 || srcW <= 0 || scaledH <= 0 || scaledW <= 0 || outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException(
                    "sizes must be positive: src "
                            + srcH
                            + "x"
                            + srcW
                            + ", scaled "
                            + scaledH
                            + "x"
                            + scaledW
                            + ", out "
                            + outH
                            + "x"
                            + outW);
        }
    }

    /** The identity: output equals input. */
    public static Geometry identity(int h, int w) {
        return new Geometry(h, w, h, w, h, w, 0, 0, false);
    }

    /** First output row showing the image. */
    public int validY0() {
        return clamp(-offY, outH);
    }

    /** One past the last output row showing the image. */
    public int validY1() {
        return clamp(scaledH - offY, outH);
    }

    /** First output column showing the image. */
    public int validX0() {
        int a = clamp(-offX, outW);
        int b = clamp(scaledW - offX, outW);
        return flip ? outW - b : a;
    }

    /** One past the last output column showing the image. */
    public int validX1() {
        int a = clamp(-offX, outW);
        int b = clamp(scaledW - offX, outW);
        return flip ? outW - a : b;
    }

    /** The scaled column shown in output column {@code x}. */
    int scaledColumn(int x) {
        return (flip ? outW - 1 - x : x) + offX;
    }

    /** Maps an x coordinate of the source image (a box edge) to output coordinates. */
    public float mapX(float x) {
        float u = x * scaledW / (float) srcW - offX;
        return flip ? outW - u : u;
    }

    /** Maps a y coordinate of the source image (a box edge) to output coordinates. */
    public float mapY(float y) {
        return y * scaledH / (float) srcH - offY;
    }

    private static int clamp(int v, int hi) {
        return Math.max(0, Math.min(hi, v));
    }
}
