package org.dpnas.datasets.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.modality.cv.output.Rectangle;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.dpnas.common.data.Box;
import org.dpnas.common.data.SegBatcher;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.det.DetDataset;
import org.dpnas.datasets.det.DetSample;
import org.dpnas.datasets.synthetic.SyntheticDataset;
import org.junit.jupiter.api.Test;

/** {@link SegRecords} and {@link DetRecords}: DJL records equal the suite's own data. */
class RecordsTest {

    private static final SyntheticDataset DS = SyntheticDataset.of(7, "val", 5);

    @Test
    void segRecordsAreTheSuitesBatchesAndBatchWithDjl() throws Exception {
        SegRecords records = SegRecords.builder().setDataset(DS).setSampling(2, false).build();
        assertEquals(5, records.size());
        SegBatcher batcher = new SegBatcher(DS, SegBatcher.IMAGENET_MEAN, SegBatcher.IMAGENET_STD);
        try (NDManager m = NDManager.newBaseManager()) {
            Record r = records.get(m, 3);
            SegSample s = DS.get(3);
            assertEquals(new Shape(3, s.height(), s.width()), r.getData().head().getShape());
            assertEquals(DataType.INT64, r.getLabels().head().getDataType());
            SegBatcher.HostBatch hb = batcher.assemble(new int[] {3});
            assertArrayEquals(hb.images(), r.getData().head().toFloatArray());
            assertArrayEquals(hb.labels(), r.getLabels().head().toLongArray());
            // a hand value: pixel (0, 0), red channel, (x / 255 - mean) / std
            float expected = ((s.rgb()[0] & 0xff) / 255f - 0.485f) / 0.229f;
            assertEquals(expected, r.getData().head().getFloat(0, 0, 0), 1e-5f);

            List<Long> sizes = new ArrayList<>();
            for (Batch b : records.getData(m)) {
                try (b) {
                    NDArray x = b.getData().head();
                    sizes.add(x.getShape().get(0));
                    assertEquals(4, x.getShape().dimension());
                    assertEquals(3, b.getLabels().head().getShape().dimension());
                }
            }
            assertEquals(List.of(2L, 2L, 1L), sizes);
            assertThrows(IndexOutOfBoundsException.class, () -> records.get(m, 5));
        }
        assertThrows(
                IllegalArgumentException.class, () -> SegRecords.builder().setDataset(DS).build());
    }

    @Test
    void detRecordsFollowObjectDetectionDatasetConventions() throws Exception {
        DetDataset det =
                new DetDataset() {
                    @Override
                    public int size() {
                        return 2;
                    }

                    @Override
                    public DetSample get(int index) {
                        byte[] rgb = new byte[4 * 8 * 3];
                        rgb[3 * 9] = (byte) 200; // pixel (1, 1) red
                        return new DetSample(
                                "d" + index,
                                4,
                                8,
                                rgb,
                                List.of(new Box(2, 1, 6, 3, 1), new Box(0, 0, 8, 4, 0)),
                                List.of(new Box(0, 0, 1, 1, 0)));
                    }

                    @Override
                    public List<String> classNames() {
                        return List.of("cat", "dog");
                    }
                };
        DetRecords records = DetRecords.builder().setDataset(det).setSampling(1, false).build();
        assertEquals(List.of("cat", "dog"), records.getClasses());
        PairList<Long, Rectangle> objects = records.getObjects(0);
        assertEquals(2, objects.size());
        assertEquals(1L, objects.get(0).getKey());
        Rectangle r = objects.get(0).getValue();
        // box x 2..6 of 8, y 1..3 of 4
        assertEquals(0.25, r.getX(), 1e-12);
        assertEquals(0.25, r.getY(), 1e-12);
        assertEquals(0.5, r.getWidth(), 1e-12);
        assertEquals(0.5, r.getHeight(), 1e-12);
        try (NDManager m = NDManager.newBaseManager()) {
            Record rec = records.get(m, 1);
            NDArray img = rec.getData().head();
            assertEquals(new Shape(4, 8, 3), img.getShape());
            assertEquals(200, img.toType(DataType.INT32, false).getInt(1, 1, 0));
            NDList labels = rec.getLabels();
            assertArrayEquals(
                    new float[] {1, 0.25f, 0.25f, 0.5f, 0.5f, 0, 0, 0, 1, 1},
                    labels.head().toFloatArray(),
                    1e-7f);
        }
    }
}
