package org.dpnas.nasfpn;

import java.util.List;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;
import org.dpnas.datasets.synthetic.SyntheticDataset;

/** The project's synthetic shapes seen as a detection dataset: one box per visible object. */
public final class SyntheticDetDataset implements DetDataset {

    private final SyntheticDataset data;

    /**
     * Wraps a synthetic split.
     *
     * @param data the synthetic images
     */
    public SyntheticDetDataset(SyntheticDataset data) {
        this.data = data;
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public DetSample get(int index) {
        var s = data.get(index);
        return new DetSample(s.id(), s.height(), s.width(), s.rgb(), data.boxes(index), List.of());
    }

    @Override
    public List<String> classNames() {
        return SyntheticDataset.DETECTION_CLASS_NAMES;
    }
}
