package org.dpnas.datasets.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import org.dpnas.common.config.Config;
import org.dpnas.common.config.ConfigLoader;
import org.dpnas.common.data.SegDataset;
import org.dpnas.common.data.SegSample;
import org.dpnas.datasets.SegDatasets;
import org.junit.jupiter.api.Test;

/** The search's validation at the search crop (issue 14, item 3). */
class CenterCropSegDatasetTest {

    /** A 4 × 5 sample whose pixel (y, x) has label 10·y + x and rgb (y, x, 7). */
    private static SegSample sample() {
        int h = 4;
        int w = 5;
        byte[] rgb = new byte[h * w * 3];
        byte[] label = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                label[y * w + x] = (byte) (10 * y + x);
                rgb[(y * w + x) * 3] = (byte) y;
                rgb[(y * w + x) * 3 + 1] = (byte) x;
                rgb[(y * w + x) * 3 + 2] = 7;
            }
        }
        return new SegSample("s", h, w, rgb, label);
    }

    /** A 2 × 3 window of a 4 × 5 image starts at row 1, column 1 (by hand). */
    @Test
    void cropsTheCentralWindow() {
        SegSample c = CenterCropSegDataset.crop(sample(), 2, 3);
        assertEquals(2, c.height());
        assertEquals(3, c.width());
        assertArrayEquals(new byte[] {11, 12, 13, 21, 22, 23}, c.label());
        assertArrayEquals(
                new byte[] {1, 1, 7, 1, 2, 7, 1, 3, 7}, java.util.Arrays.copyOf(c.rgb(), 9));
        // a side no larger than the window stays whole
        SegSample tall = CenterCropSegDataset.crop(sample(), 9, 3);
        assertEquals(4, tall.height());
        assertEquals(3, tall.width());
        assertSame(sample().getClass(), tall.getClass());
    }

    private static SegDataset one() {
        return new SegDataset() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public SegSample get(int index) {
                return sample();
            }

            @Override
            public List<String> classNames() {
                return List.of("a");
            }
        };
    }

    /** A search's defaults: {@code search.val_full_size} and the shared data section. */
    private static JsonObject defaults() {
        return SegDatasets.withData(
                JsonParser.parseString("{\"search\": {\"val_full_size\": false}}")
                        .getAsJsonObject(),
                "search");
    }

    /** Crop on → validation at the crop; {@code val_full_size} or no crop → whole images. */
    @Test
    void validationFollowsTheSearchCropUnlessConfigured() {
        List<String> crop = List.of("data.augment.enabled=true", "data.augment.crop=[2,3]");
        Config c = ConfigLoader.load(defaults(), null, crop);
        SegDataset v = SegOneShotJob.validation(one(), c.sub("data"), c.sub("search"));
        assertEquals(2, v.get(0).height());
        assertEquals(3, v.get(0).width());
        Config full =
                ConfigLoader.load(
                        defaults(),
                        null,
                        List.of(
                                "data.augment.enabled=true",
                                "data.augment.crop=[2,3]",
                                "search.val_full_size=true"));
        assertEquals(
                4,
                SegOneShotJob.validation(one(), full.sub("data"), full.sub("search"))
                        .get(0)
                        .height());
        Config none = ConfigLoader.load(defaults(), null, List.of());
        assertEquals(
                4,
                SegOneShotJob.validation(one(), none.sub("data"), none.sub("search"))
                        .get(0)
                        .height());
    }
}
