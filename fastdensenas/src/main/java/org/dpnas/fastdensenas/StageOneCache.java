package org.dpnas.fastdensenas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.nn.Resize;

/**
 * The stage-1 data of FastDenseNAS (Nekrasov et al., CVPR 2019, §3.3): the encoder's four outputs
 * for a fixed subset of the (augmented) training part, computed once in inference mode and kept in
 * memory, with the labels at the finest output's resolution (nearest, every 4th pixel) and, with a
 * teacher, the teacher's logits resized bilinearly to the same resolution. Children then train
 * their decoders on these arrays only.
 *
 * <p>The cache is bounded: when {@code samples} of the measured size would need more than {@code
 * maxMib}, only as many as fit are kept, and the log says so. The cache belongs to one process: a
 * child run in another process computes its own (same seed, same arrays).
 */
final class StageOneCache implements AutoCloseable {

    private final NDManager manager;
    private final List<NDList> samples = new ArrayList<>();
    private final long bytesPerSample;
    private final boolean teacher;

    private StageOneCache(NDManager manager, long bytesPerSample, boolean teacher) {
        this.manager = manager;
        this.bytesPerSample = bytesPerSample;
        this.teacher = teacher;
    }

    /**
     * Computes the cache.
     *
     * @param encoder the initialised encoder (pretrained)
     * @param teacherNet the teacher (full-resolution logits), or null
     * @param view the augmented training part at the stage-1 crop
     * @param mean normalisation mean
     * @param std normalisation std
     * @param samples how many samples are wanted
     * @param maxMib the memory bound
     * @param batch images per encoder pass
     * @param parent the manager the cache lives under
     * @param console where the size goes
     */
    static StageOneCache build(
            FdnEncoder encoder,
            Block teacherNet,
            SegDataset view,
            float[] mean,
            float[] std,
            int samples,
            long maxMib,
            int batch,
            NDManager parent,
            PrintStream console) {
        SegBatcher batcher = new SegBatcher(view, mean, std);
        int want = Math.min(samples, view.size());
        ParameterStore ps = new ParameterStore(parent, false);
        NDManager m = parent.newSubManager();
        StageOneCache cache = null;
        int limit = want;
        for (int start = 0; start < limit; start += batch) {
            int n = Math.min(batch, limit - start);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = start + i;
            }
            try (NDManager sm = m.newSubManager()) {
                NDList xy = batcher.assemble(idx, 0).toNDList(sm);
                NDList taps = encoder.forward(ps, new NDList(xy.get(0)), false);
                NDArray labels = downsample(xy.get(1));
                NDArray kd = null;
                if (teacherNet != null) {
                    NDArray t = teacherNet.forward(ps, new NDList(xy.get(0)), false).head();
                    kd = Resize.bilinear(t, labels.getShape().get(1), labels.getShape().get(2));
                }
                for (int i = 0; i < n; i++) {
                    NDList one = new NDList();
                    for (NDArray tap : taps) {
                        one.add(tap.get(i).duplicate());
                    }
                    one.add(labels.get(i).duplicate());
                    if (kd != null) {
                        one.add(kd.get(i).duplicate());
                    }
                    one.attach(m);
                    if (cache == null) {
                        long bytes = 0;
                        for (NDArray a : one) {
                            bytes += a.size() * a.getDataType().getNumOfBytes();
                        }
                        cache = new StageOneCache(m, bytes, kd != null);
                        long fit = Math.max(1, (maxMib << 20) / bytes);
                        if (fit < want) {
                            limit = (int) fit;
                            console.printf(
                                    Locale.ROOT,
                                    "stage-1 cache: %d samples of %.1f KiB need %.0f MiB, more"
                                            + " than search.stage1_cache_mib = %d; keeping the"
                                            + " first %d (raise the bound to keep more)%n",
                                    want,
                                    bytes / 1024.0,
                                    want * (double) bytes / (1 << 20),
                                    maxMib,
                                    limit);
                        }
                    }
                    if (cache.samples.size() < limit) {
                        cache.samples.add(one);
                    } else {
                        one.close();
                    }
                }
            }
        }
        if (cache == null) {
            m.close();
            throw new IllegalArgumentException("stage 1 has no training samples");
        }
        console.printf(
                Locale.ROOT,
                "stage-1 cache: %d samples, %.1f MiB in memory (encoder outputs%s, computed once"
                        + " in this process)%n",
                cache.size(),
                cache.size() * (double) cache.bytesPerSample / (1 << 20),
                cache.teacher ? ", labels and teacher logits" : " and labels");
        return cache;
    }

    /** Labels (N, H, W) at stride 4: every 4th pixel from the first (PyTorch's nearest). */
    static NDArray downsample(NDArray labels) {
        return labels.get(new NDIndex(":, ::4, ::4"));
    }

    int size() {
        return samples.size();
    }

    boolean hasTeacher() {
        return teacher;
    }

    /**
     * A batch in {@code sm}: the four encoder outputs, the labels and (with a teacher) its logits.
     */
    NDList batch(int[] indices, NDManager sm) {
        int parts = samples.get(0).size();
        NDList out = new NDList(parts);
        for (int p = 0; p < parts; p++) {
            NDList col = new NDList(indices.length);
            for (int i : indices) {
                col.add(samples.get(i).get(p));
            }
            NDArray stacked = NDArrays.stack(col, 0);
            stacked.attach(sm);
            out.add(stacked);
        }
        return out;
    }

    /** The shape of encoder output {@code i} of one sample. */
    Shape tapShape(int i) {
        return samples.get(0).get(i).getShape();
    }

    @Override
    public void close() {
        manager.close();
    }
}
