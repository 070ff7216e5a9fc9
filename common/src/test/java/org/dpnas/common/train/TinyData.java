package org.dpnas.common.train;

import java.util.List;
import java.util.Random;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/**
 * A tiny learnable dataset for loop tests: a reddish rectangle (class 1) on noise, a 255 corner.
 */
final class TinyData implements SegDataset {

    private final int n;
    private final int side;

    TinyData(int n, int side) {
        this.n = n;
        this.side = side;
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public SegSample get(int index) {
        Random r = new Random(index * 7919L + 17);
        byte[] rgb = new byte[side * side * 3];
        byte[] label = new byte[side * side];
        int x0 = r.nextInt(side / 2);
        int y0 = r.nextInt(side / 2);
        int x1 = x0 + side / 4 + r.nextInt(side / 4);
        int y1 = y0 + side / 4 + r.nextInt(side / 4);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int p = y * side + x;
                boolean inside = x >= x0 && x < x1 && y >= y0 && y < y1;
                rgb[3 * p] = (byte) ((inside ? 160 : 40) + r.nextInt(64));
                rgb[3 * p + 1] = (byte) r.nextInt(128);
                rgb[3 * p + 2] = (byte) r.nextInt(128);
                label[p] = (byte) (inside ? 1 : 0);
            }
        }
        label[0] = (byte) 255;
        return new SegSample("tiny_" + index, side, side, rgb, label);
    }

    @Override
    public List<String> classNames() {
        return List.of("dark", "bright");
    }
}
