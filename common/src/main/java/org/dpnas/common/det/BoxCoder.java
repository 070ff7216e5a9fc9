package org.dpnas.common.det;

/**
 * The standard box coding of R-CNN (Girshick et al., CVPR 2014, appendix C) used by RetinaNet:
 * {@code dx = (gx − ax) / aw}, {@code dy = (gy − ay) / ah}, {@code dw = log(gw / aw)}, {@code dh =
 * log(gh / ah)} over centres and sizes, each divided by a weight (1 by default). Decoding clamps
 * {@code dw, dh} at {@code log(1000 / 16)} as Detectron does, so an untrained head cannot overflow.
 */
public final class BoxCoder {

    /** Largest decoded log-size change. */
    public static final double MAX_LOG_SCALE = Math.log(1000.0 / 16);

    private final float[] weights;

    /** A coder with weights (1, 1, 1, 1). */
    public BoxCoder() {
        this(new float[] {1, 1, 1, 1});
    }

    /**
     * A coder with the given weights.
     *
     * @param weights (wx, wy, ww, wh), each > 0
     */
    public BoxCoder(float[] weights) {
        if (weights.length != 4) {
            throw new IllegalArgumentException("box coder needs 4 weights, got " + weights.length);
        }
        for (float w : weights) {
            if (!(w > 0)) {
                throw new IllegalArgumentException("box coder weights must be > 0: " + w);
            }
        }
        this.weights = weights.clone();
    }

    /**
     * Encodes a box against an anchor.
     *
     * @param anchors anchor corners, flattened rows of 4
     * @param a anchor index
     * @param x1 box left
     * @param y1 box top
     * @param x2 box right
     * @param y2 box bottom
     * @param out destination
     * @param at offset in {@code out}
     */
    public void encode(
            float[] anchors, int a, float x1, float y1, float x2, float y2, float[] out, int at) {
        double aw = anchors[4 * a + 2] - anchors[4 * a];
        double ah = anchors[4 * a + 3] - anchors[4 * a + 1];
        double ax = anchors[4 * a] + 0.5 * aw;
        double ay = anchors[4 * a + 1] + 0.5 * ah;
        double gw = x2 - x1;
        double gh = y2 - y1;
        double gx = x1 + 0.5 * gw;
        double gy = y1 + 0.5 * gh;
        out[at] = (float) (weights[0] * (gx - ax) / aw);
        out[at + 1] = (float) (weights[1] * (gy - ay) / ah);
        out[at + 2] = (float) (weights[2] * Math.log(gw / aw));
        out[at + 3] = (float) (weights[3] * Math.log(gh / ah));
    }

    /**
     * Decodes deltas against an anchor into corners.
     *
     * @param anchors anchor corners, flattened rows of 4
     * @param a anchor index
     * @param deltas deltas, flattened rows of 4
     * @param d delta row index
     * @param out destination corners
     * @param at offset in {@code out}
     */
    public void decode(float[] anchors, int a, float[] deltas, int d, float[] out, int at) {
        double aw = anchors[4 * a + 2] - anchors[4 * a];
        double ah = anchors[4 * a + 3] - anchors[4 * a + 1];
        double ax = anchors[4 * a] + 0.5 * aw;
        double ay = anchors[4 * a + 1] + 0.5 * ah;
        double dx = deltas[4 * d] / weights[0];
        double dy = deltas[4 * d + 1] / weights[1];
        double dw = Math.min(deltas[4 * d + 2] / weights[2], MAX_LOG_SCALE);
        double dh = Math.min(deltas[4 * d + 3] / weights[3], MAX_LOG_SCALE);
        double cx = ax + dx * aw;
        double cy = ay + dy * ah;
        double w = aw * Math.exp(dw);
        double h = ah * Math.exp(dh);
        out[at] = (float) (cx - 0.5 * w);
        out[at + 1] = (float) (cy - 0.5 * h);
        out[at + 2] = (float) (cx + 0.5 * w);
        out[at + 3] = (float) (cy + 0.5 * h);
    }
}
