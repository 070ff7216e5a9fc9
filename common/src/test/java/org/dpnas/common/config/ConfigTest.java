package org.dpnas.common.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    private static Config config(String... overrides) {
        return ConfigLoader.load(ConfigLoaderTest.defaults(), null, List.of(overrides));
    }

    private static String getterError(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void typedGettersReturnResolvedValues() {
        Config c =
                config(
                        "train.total_pixels=6000000000",
                        "data.root=/data/camvid",
                        "data.crop_size=[360, 480]");
        assertEquals(1000, c.getInt("train.max_steps"));
        assertEquals(1000L, c.getLong("train.max_steps"));
        assertEquals(6_000_000_000L, c.getLong("train.total_pixels"));
        assertEquals(0.01f, c.getFloat("train.lr"), 0f);
        assertEquals(0.01, c.getDouble("train.lr"), 0.0);
        assertEquals("deeplab", c.getString("model.name"));
        assertEquals("/data/camvid", c.getString("data.root"));
        assertTrue(c.getBoolean("data.flip"));
        assertArrayEquals(new int[] {360, 480}, c.getIntArray("data.crop_size"));
        assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, c.getFloatArray("data.mean"), 0f);
        assertEquals(List.of("road", "car"), c.getStringList("data.classes"));
        assertEquals(JsonParser.parseString("[360,480]"), c.getJson("data.crop_size"));
    }

    @Test
    void hasAndIsNullDistinguishMissingFromNull() {
        Config c = config();
        assertTrue(c.has("data.root"));
        assertTrue(c.isNull("data.root"));
        assertNull(c.getString("data.root"));
        assertTrue(c.has("train"));
        assertFalse(c.isNull("train.lr"));
        assertFalse(c.has("train.nope"));
        assertFalse(c.has("train.lr.deeper"));
        assertFalse(c.has("nope"));
    }

    @Test
    void gettersRejectMissingKeysAndOtherTypesNamingTheKey() {
        Config c = config("train.total_pixels=6000000000");
        assertEquals("no config key 'train.nope'", getterError(() -> c.getInt("train.nope")));
        assertEquals(
                "config key 'train.lr' is not an int: number 0.01",
                getterError(() -> c.getInt("train.lr")));
        assertEquals(
                "config key 'train.total_pixels' is not an int: number 6000000000",
                getterError(() -> c.getInt("train.total_pixels")));
        assertEquals(
                "config key 'model.width' is not a string: number 64",
                getterError(() -> c.getString("model.width")));
        assertEquals(
                "config key 'model.name' is not a boolean: string \"deeplab\"",
                getterError(() -> c.getBoolean("model.name")));
        assertEquals(
                "config key 'model.name' is not a number: string \"deeplab\"",
                getterError(() -> c.getDouble("model.name")));
        assertEquals(
                "config key 'data.root' is not a number: null",
                getterError(() -> c.getFloat("data.root")));
        assertEquals(
                "config key 'seed' is not an array: number 0",
                getterError(() -> c.getIntArray("seed")));
        assertEquals(
                "config key 'data.mean[0]' is not an int: number 0.485",
                getterError(() -> c.getIntArray("data.mean")));
        assertEquals(
                "config key 'data.crop_size[0]' is not a string: number 512",
                getterError(() -> c.getStringList("data.crop_size")));
        assertEquals(
                "config key 'train.lr' is not an object: number 0.01",
                getterError(() -> c.sub("train.lr")));
        assertEquals("malformed config key 'train..lr'", getterError(() -> c.has("train..lr")));
        assertThrows(IllegalArgumentException.class, () -> c.isNull("nope"));
    }

    @Test
    void floatGetterRejectsOverflow() {
        JsonObject d = JsonParser.parseString("{\"x\": 1.0}").getAsJsonObject();
        Config c = ConfigLoader.load(d, null, List.of("x=1e300"));
        assertEquals(1e300, c.getDouble("x"), 0.0);
        assertTrue(getterError(() -> c.getFloat("x")).startsWith("config key 'x' is outside"));
    }

    @Test
    void subConfigReadsNestedValuesAndKeepsFullKeysInMessages() {
        Config train = config("train.lr=0.5").sub("train");
        assertEquals("train", train.path());
        assertEquals(0.5, train.getDouble("lr"), 0.0);
        assertEquals(
                List.of("max_steps", "lr", "batch_size", "warmup", "amp", "total_pixels"),
                List.copyOf(train.keys()));
        assertEquals("no config key 'train.nope'", getterError(() -> train.getInt("nope")));
    }

    @Test
    void withOverridesReturnsANewValidatedConfig() {
        Config base = config();
        Config changed = base.withOverrides(List.of("train.lr=0.2", "model.name=unet"));
        assertEquals(0.2, changed.getDouble("train.lr"), 0.0);
        assertEquals("unet", changed.getString("model.name"));
        assertEquals(0.01, base.getDouble("train.lr"), 0.0);
        assertNotEquals(base, changed);
        assertEquals(config("train.lr=0.2", "model.name=unet"), changed);

        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> base.withOverrides(List.of("train.max_step=3")));
        assertEquals(
                "--set train.max_step=3: unknown key 'train.max_step' (did you mean"
                        + " 'train.max_steps'?)",
                e.getMessage());

        Config train = base.sub("train");
        assertEquals(4, train.withOverrides(List.of("batch_size=4")).getInt("batch_size"));
        ConfigException sub =
                assertThrows(ConfigException.class, () -> train.withOverrides(List.of("lr=abc")));
        assertEquals(
                "--set lr=abc: key 'train.lr' expects a number, got string \"abc\"",
                sub.getMessage());
    }

    @Test
    void toJsonIsStableAndFollowsDefaultsOrder(@TempDir Path dir) throws IOException {
        JsonObject d =
                JsonParser.parseString(
                                "{\"name\": \"a\", \"opt\": {\"lr\": 0.1, \"steps\": 3}, \"root\":"
                                        + " null}")
                        .getAsJsonObject();
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"opt\": {\"steps\": 9, \"lr\": 0.5}, \"name\": \"b\"}");
        Config c = ConfigLoader.load(d, file, List.of());
        String expected =
                "{\n"
                        + "  \"name\": \"b\",\n"
                        + "  \"opt\": {\n"
                        + "    \"lr\": 0.5,\n"
                        + "    \"steps\": 9\n"
                        + "  },\n"
                        + "  \"root\": null\n"
                        + "}";
        assertEquals(expected, c.toJson());
        assertEquals(c.toJson(), c.toJson());
        assertEquals(c.toJson(), ConfigLoader.load(d, file, List.of()).toJson());
        // the printed form loads back to the same config
        Path again = dir.resolve("again.json");
        Files.writeString(again, c.toJson());
        assertEquals(c.toJson(), ConfigLoader.load(d, again, List.of()).toJson());
    }

    @Test
    void returnedCopiesDoNotChangeTheConfig() {
        Config c = config();
        JsonObject copy = c.asJsonObject();
        copy.getAsJsonObject("train").addProperty("lr", 9.0);
        assertEquals(0.01, c.getDouble("train.lr"), 0.0);

        int[] crop = c.getIntArray("data.crop_size");
        crop[0] = 1;
        assertEquals(512, c.getIntArray("data.crop_size")[0]);

        assertThrows(
                UnsupportedOperationException.class,
                () -> c.getStringList("data.classes").add("x"));
        assertThrows(UnsupportedOperationException.class, () -> c.keys().add("x"));

        c.getJson("train").getAsJsonObject().addProperty("lr", 9.0);
        assertEquals(0.01, c.getDouble("train.lr"), 0.0);
    }

    @Test
    void editDistanceCountsAdjacentSwapsAsOneEdit() {
        assertEquals(0, org.dpnas.common.util.Names.editDistance("lr", "lr"));
        assertEquals(1, org.dpnas.common.util.Names.editDistance("max_step", "max_steps"));
        assertEquals(1, org.dpnas.common.util.Names.editDistance("trian", "train"));
        assertEquals(3, org.dpnas.common.util.Names.editDistance("kitten", "sitting"));
        assertEquals(5, org.dpnas.common.util.Names.editDistance("", "model"));
    }
}
