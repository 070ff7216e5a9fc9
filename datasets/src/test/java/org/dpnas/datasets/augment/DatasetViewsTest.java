package org.dpnas.datasets.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.seg.DatasetException;
import org.junit.jupiter.api.Test;

class DatasetViewsTest {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    /** A dataset whose samples in {@code bad} throw as an unreadable file would. */
    private static SegDataset withBad(int n, Set<Integer> bad) {
        SegDataset good = Samples.dataset(n, 12, 12);
        return new SegDataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public SegSample get(int index) {
                if (bad.contains(index)) {
                    throw new DatasetException(
                            Path.of("img" + index + ".png"), "corrupt or truncated image");
                }
                return good.get(index);
            }

            @Override
            public List<String> classNames() {
                return good.classNames();
            }
        };
    }

    @Test
    void parallelBatchesEqualSequentialOnesAndDependOnTheEpoch() {
        JointAugment a =
                new JointAugment(
                        3, 0.5, 2.0, 16, 16, true, 0.3, new int[] {0, 0, 0}, Resampler.JAVA);
        AugmentedSegDataset ds = new AugmentedSegDataset(Samples.dataset(8, 20, 24), a);
        int[] idx = {5, 1, 7, 2};
        SegBatcher.HostBatch seq = new SegBatcher(ds, MEAN, STD).assemble(idx, 2);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            SegBatcher.HostBatch par = new SegBatcher(ds, MEAN, STD, pool).assemble(idx, 2);
            assertArrayEquals(seq.images(), par.images());
            assertArrayEquals(seq.labels(), par.labels());
            SegBatcher.HostBatch other = new SegBatcher(ds, MEAN, STD, pool).assemble(idx, 3);
            assertFalse(java.util.Arrays.equals(seq.images(), other.images()));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(16, seq.height());
        assertEquals(16, seq.width());
    }

    @Test
    void skipReplacesABadSampleByTheNextGoodOneAndCounts() {
        List<String> messages = new ArrayList<>();
        BadSampleDataset ds =
                new BadSampleDataset(
                        withBad(5, Set.of(1, 2)), BadSampleDataset.Policy.SKIP, messages::add);
        assertEquals("s3", ds.get(1).id());
        assertEquals("s3", ds.get(2).id());
        assertEquals("s0", ds.get(0).id());
        assertEquals(2, ds.skips());
        assertEquals(2, ds.badSamples());
        assertEquals(2, messages.size(), messages.toString());
        assertTrue(messages.get(0).contains("img1.png"), messages.get(0));
        BadSampleDataset wrap =
                new BadSampleDataset(withBad(3, Set.of(2)), BadSampleDataset.Policy.SKIP, null);
        assertEquals("s0", wrap.get(2).id());
    }

    @Test
    void failNamesTheFileAndAllBadFails() {
        BadSampleDataset fail =
                new BadSampleDataset(withBad(4, Set.of(3)), BadSampleDataset.Policy.FAIL, null);
        assertEquals("s2", fail.get(2).id());
        DatasetException e = assertThrows(DatasetException.class, () -> fail.get(3));
        assertTrue(e.getMessage().contains("img3.png"), e.getMessage());
        BadSampleDataset all =
                new BadSampleDataset(withBad(2, Set.of(0, 1)), BadSampleDataset.Policy.SKIP, null);
        assertThrows(DatasetException.class, () -> all.get(0));
        assertThrows(IllegalArgumentException.class, () -> BadSampleDataset.Policy.parse("ignore"));
        assertEquals(BadSampleDataset.Policy.SKIP, BadSampleDataset.Policy.parse("skip"));
    }
}
