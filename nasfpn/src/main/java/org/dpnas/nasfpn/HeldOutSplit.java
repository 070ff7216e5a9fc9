package org.dpnas.nasfpn;

import java.util.ArrayList;
import java.util.List;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;

/**
 * A deterministic split of a training set into a part to train on and a held-out part to score the
 * search reward on (NAS-FPN, section 3.2: the reward is AP on images held out of COCO train, never
 * on val): image {@code i} is held out when {@code i % every == every − 1}.
 */
public final class HeldOutSplit implements DetDataset {

    private final DetDataset data;
    private final List<Integer> indices = new ArrayList<>();

    /**
     * One side of the split.
     *
     * @param data the training set
     * @param every one image in {@code every} is held out (≥ 2)
     * @param heldOut true for the held-out side
     */
    public HeldOutSplit(DetDataset data, int every, boolean heldOut) {
        if (every < 2) {
            throw new IllegalArgumentException("held-out split needs every >= 2, got " + every);
        }
        this.data = data;
        for (int i = 0; i < data.size(); i++) {
            if ((i % every == every - 1) == heldOut) {
                indices.add(i);
            }
        }
    }

    @Override
    public int size() {
        return indices.size();
    }

    @Override
    public DetSample get(int index) {
        return data.get(indices.get(index));
    }

    @Override
    public List<String> classNames() {
        return data.classNames();
    }
}
