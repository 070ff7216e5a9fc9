package org.dpnas.datasets.augment;

import java.util.List;
import java.util.Random;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/** Small synthetic samples for the augmentation tests. */
final class Samples {

    private Samples() {}

    /** A sample with random colours and labels 0..classes-1 (never 255). */
    static SegSample random(String id, int h, int w, int classes, long seed) {
        Random r = new Random(seed);
        byte[] rgb = new byte[h * w * 3];
        r.nextBytes(rgb);
        byte[] label = new byte[h * w];
        for (int i = 0; i < label.length; i++) {
            label[i] = (byte) r.nextInt(classes);
        }
        return new SegSample(id, h, w, rgb, label);
    }

    /** A dataset of {@code n} random samples of one size. */
    static SegDataset dataset(int n, int h, int w) {
        return new SegDataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public SegSample get(int index) {
                return random("s" + index, h, w, 3, index);
            }

            @Override
            public List<String> classNames() {
                return List.of("a", "b", "c");
            }
        };
    }
}
