package org.dpnas.datasets.split;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.junit.jupiter.api.Test;

class SubsetDatasetTest {

    /** A dataset whose sample i is a 1x1 image with label i. */
    private static final SegDataset BASE =
            new SegDataset() {
                @Override
                public int size() {
                    return 10;
                }

                @Override
                public SegSample get(int index) {
                    return new SegSample("s" + index, 1, 1, new byte[3], new byte[] {(byte) index});
                }

                @Override
                public List<String> classNames() {
                    return List.of("a", "b");
                }
            };

    @Test
    void viewsTheGivenIndicesInOrder() {
        int[] idx = {7, 2, 9};
        SubsetDataset view = new SubsetDataset(BASE, idx);
        idx[0] = 0;
        assertEquals(3, view.size());
        assertEquals("s7", view.get(0).id());
        assertEquals("s2", view.get(1).id());
        assertEquals(9, view.get(2).label()[0]);
        assertArrayEquals(new int[] {7, 2, 9}, view.indices());
        assertEquals(2, view.numClasses());
        assertSame(BASE, view.base());
        assertThrows(IndexOutOfBoundsException.class, () -> view.get(3));
    }

    @Test
    void abHalvesViewDisjointSamples() {
        Splits.Split s = Splits.abSplit(BASE.size(), 1);
        SubsetDataset a = new SubsetDataset(BASE, s.first());
        SubsetDataset b = new SubsetDataset(BASE, s.second());
        boolean[] seen = new boolean[10];
        for (SubsetDataset d : List.of(a, b)) {
            for (int i = 0; i < d.size(); i++) {
                int label = d.get(i).label()[0];
                assertEquals(false, seen[label]);
                seen[label] = true;
            }
        }
        assertEquals(10, a.size() + b.size());
    }

    @Test
    void rejectsIndicesOutsideTheBase() {
        assertThrows(
                IndexOutOfBoundsException.class, () -> new SubsetDataset(BASE, new int[] {10}));
        assertThrows(
                IndexOutOfBoundsException.class, () -> new SubsetDataset(BASE, new int[] {-1}));
    }
}
