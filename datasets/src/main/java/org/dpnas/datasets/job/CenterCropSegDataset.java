package org.dpnas.datasets.job;

import java.util.List;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;

/**
 * A view of a segmentation dataset whose samples are cut to the central {@code height × width}
 * window (a side already no larger is kept whole): the search's supernet validation at the search
 * crop size, so that its mIoU measures the network the search trains (dilations, level sizes)
 * rather than one evaluated on maps larger than it ever saw.
 */
final class CenterCropSegDataset implements SegDataset {

    private final SegDataset base;
    private final int height;
    private final int width;

    CenterCropSegDataset(SegDataset base, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "crop must be positive, got " + height + "x" + width);
        }
        this.base = base;
        this.height = height;
        this.width = width;
    }

    @Override
    public int size() {
        return base.size();
    }

    @Override
    public SegSample get(int index) {
        return crop(base.get(index), height, width);
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    /** The central window of {@code s}, at most {@code h × w}. */
    static SegSample crop(SegSample s, int h, int w) {
        int ch = Math.min(h, s.height());
        int cw = Math.min(w, s.width());
        if (ch == s.height() && cw == s.width()) {
            return s;
        }
        int top = (s.height() - ch) / 2;
        int left = (s.width() - cw) / 2;
        byte[] rgb = new byte[ch * cw * 3];
        byte[] label = new byte[ch * cw];
        for (int y = 0; y < ch; y++) {
            int src = (top + y) * s.width() + left;
            System.arraycopy(s.rgb(), src * 3, rgb, y * cw * 3, cw * 3);
            System.arraycopy(s.label(), src, label, y * cw, cw);
        }
        return new SegSample(s.id(), ch, cw, rgb, label);
    }
}
