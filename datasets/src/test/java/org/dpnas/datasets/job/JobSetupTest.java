package org.dpnas.datasets.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.SegDatasets;
import org.dpnas.datasets.seg.DatasetException;
import org.junit.jupiter.api.Test;

class JobSetupTest {

    private static Config config(String... sets) {
        JsonObject d = new JsonObject();
        d.addProperty("seed", 3);
        d.addProperty("threads", 1);
        d.addProperty("device", "cpu");
        d.add("data", SegDatasets.defaults());
        return ConfigLoader.load(d, null, List.of(sets));
    }

    /** 20 samples whose id is their index; every third one is unreadable. */
    static final class Flaky implements SegDataset {
        @Override
        public int size() {
            return 20;
        }

        @Override
        public SegSample get(int i) {
            if (i % 3 == 0) {
                throw new DatasetException("sample " + i + " is broken");
            }
            byte[] rgb = new byte[4 * 4 * 3];
            Arrays.fill(rgb, (byte) (10 * i));
            for (int k = 0; k < rgb.length; k += 7) {
                rgb[k] = (byte) k; // not flip-symmetric
            }
            return new SegSample(String.valueOf(i), 4, 4, rgb, new byte[16]);
        }

        @Override
        public List<String> classNames() {
            return List.of("a", "b");
        }
    }

    private static Set<String> ids(SegDataset d) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(d.get(i).id());
        }
        return out;
    }

    /** Under skip, a bad sample of A is replaced from A and one of B from B: A ∩ B stays empty. */
    @Test
    void splitsStayDisjointWhenBadSamplesAreSkipped() {
        try (JobSetup job = JobSetup.open(config("data.on_bad_sample=\"skip\""), m -> {})) {
            SegDataset[] ab = job.abSplit(new Flaky());
            Set<String> a = ids(ab[0]);
            Set<String> b = ids(ab[1]);
            assertEquals(20, ab[0].size() + ab[1].size());
            assertFalse(a.isEmpty());
            assertFalse(b.isEmpty());
            Set<String> both = new HashSet<>(a);
            both.retainAll(b);
            assertEquals(Set.of(), both, "A " + a + " B " + b);
            for (String id : a) {
                assertTrue(Integer.parseInt(id) % 3 != 0, "bad sample " + id + " was returned");
            }
        }
    }

    /** A and B are augmented by different streams: the same sample is not flipped alike. */
    @Test
    void splitBDrawsOtherAugmentations() {
        Config c =
                config(
                        "data.augment.enabled=true",
                        "data.augment.scale=[1.0, 1.0]",
                        "data.augment.flip=true");
        try (JobSetup job = JobSetup.open(c, m -> {})) {
            SegDataset good = job.readable(new Flaky());
            SegDataset a = job.training(good, 2, null);
            SegDataset b = job.training(good, 2, "split-b-augment");
            SegDataset a2 = job.training(good, 2, null);
            int differ = 0;
            for (int i = 1; i < 20; i += 3) {
                assertTrue(Arrays.equals(a.get(i).rgb(), a2.get(i).rgb()), "one stream repeats");
                if (!Arrays.equals(a.get(i).rgb(), b.get(i).rgb())) {
                    differ++;
                }
            }
            assertTrue(differ > 0, "split B drew the same flips as split A");
        }
    }
}
