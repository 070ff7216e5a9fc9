package org.dpnas.common.det;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.List;
import org.dpnas.common.train.Constants;

/**
 * RetinaNet's training loss (Lin et al., ICCV 2017, sections 3.2 and 4): the sigmoid focal loss
 * {@code −α_t (1 − p_t)^γ log p_t} summed over every class of every non-ignored anchor, plus the
 * smooth-L1 loss of the encoded boxes of the positive anchors, both divided by the number of
 * positive anchors in the batch (at least 1).
 *
 * <p>The cross-entropy is {@code softplus(x) − x·t} (libtorch's softplus is linear above 20, so it
 * does not overflow); the form {@code relu(x) − x·t + softplus(−|x|)} was avoided because its
 * autograd gradient at {@code x = 0} is wrong (relu' and |x|' are taken as 0 there). Every scalar
 * on the differentiated path is a 0-d array from {@link Constants} (see DESIGN.md).
 */
public final class DetectionLoss {

    private final float alpha;
    private final float gamma;
    private final float beta;

    /**
     * Creates the loss.
     *
     * @param alpha focal weight of positives (RetinaNet: 0.25)
     * @param gamma focusing exponent (RetinaNet: 2)
     * @param beta smooth-L1 transition point (Detectron's RetinaNet: 0.11; 0 gives L1)
     */
    public DetectionLoss(float alpha, float gamma, float beta) {
        if (!(alpha >= 0 && alpha <= 1) || !(gamma >= 0) || !(beta >= 0)) {
            throw new IllegalArgumentException(
                    "focal loss needs 0 <= alpha <= 1, gamma >= 0, beta >= 0, got alpha "
                            + alpha
                            + ", gamma "
                            + gamma
                            + ", beta "
                            + beta);
        }
        this.alpha = alpha;
        this.gamma = gamma;
        this.beta = beta;
    }

    /** RetinaNet's values: α 0.25, γ 2, β 0.11. */
    public static DetectionLoss retinaNet() {
        return new DetectionLoss(0.25f, 2f, 0.11f);
    }

    /**
     * The loss of a batch.
     *
     * @param logits class logits (B, N, K)
     * @param deltas box deltas (B, N, 4)
     * @param targets one per image, each over the same N anchors
     * @param c the run's constants
     * @return {classification, box}, 0-d arrays, already normalised
     */
    public NDArray[] compute(
            NDArray logits, NDArray deltas, List<DetectionTargets> targets, Constants c) {
        Shape s = logits.getShape();
        int b = (int) s.get(0);
        int n = (int) s.get(1);
        int k = (int) s.get(2);
        if (targets.size() != b) {
            throw new IllegalArgumentException(
                    "got " + targets.size() + " target sets for a batch of " + b);
        }
        float[] onehot = new float[b * n * k];
        float[] valid = new float[b * n];
        float[] pos = new float[b * n];
        float[] boxT = new float[b * n * 4];
        int positives = 0;
        for (int i = 0; i < b; i++) {
            DetectionTargets t = targets.get(i);
            if (t.labels().length != n) {
                throw new IllegalArgumentException(
                        "targets cover " + t.labels().length + " anchors, the head " + n);
            }
            for (int a = 0; a < n; a++) {
                int label = t.labels()[a];
                if (label >= k) {
                    throw new IllegalArgumentException(
                            "class " + label + " out of range for " + k + " classes");
                }
                if (label != AnchorMatcher.IGNORED) {
                    valid[i * n + a] = 1f;
                }
                if (label >= 0) {
                    onehot[(i * n + a) * k + label] = 1f;
                    pos[i * n + a] = 1f;
                    positives++;
                }
            }
            System.arraycopy(t.deltas(), 0, boxT, i * n * 4, n * 4);
        }
        NDManager m = logits.getManager();
        NDArray t = m.create(onehot, s);
        NDArray v = m.create(valid, new Shape(b, n, 1));
        NDArray p = m.create(pos, new Shape(b, n, 1));
        NDArray bt = m.create(boxT, new Shape(b, n, 4));
        NDArray norm = m.create((float) Math.max(1, positives));

        NDArray ce = Activation.softPlus(logits).sub(logits.mul(t));
        NDArray prob = Activation.sigmoid(logits);
        // 1 − p_t = p + t − 2·p·t for t ∈ {0, 1}
        NDArray oneMinusPt = prob.add(t).sub(prob.mul(t).mul(c.scalar(2f)));
        // α_t = (1 − α) + t·(2α − 1)
        NDArray alphaT = t.mul(c.scalar(2 * alpha - 1)).add(c.scalar(1 - alpha));
        NDArray modulator =
                gamma == 2f ? oneMinusPt.mul(oneMinusPt) : oneMinusPt.pow(c.scalar(gamma));
        NDArray cls = alphaT.mul(modulator).mul(ce).mul(v).sum().div(norm);

        NDArray d = deltas.sub(bt).abs();
        NDArray perCoord;
        if (beta > 0) {
            NDArray quad = d.mul(d).mul(c.scalar(0.5f / beta));
            NDArray lin = d.sub(c.scalar(0.5f * beta));
            perCoord = NDArrays.where(d.lt(c.scalar(beta)), quad, lin);
        } else {
            perCoord = d;
        }
        NDArray box = perCoord.mul(p).sum().div(norm);
        return new NDArray[] {cls, box};
    }
}
