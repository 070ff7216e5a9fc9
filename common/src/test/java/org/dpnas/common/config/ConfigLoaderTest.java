package org.dpnas.common.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir Path dir;

    static JsonObject defaults() {
        return ConfigLoader.defaultsFromResource(
                ConfigLoaderTest.class, "/config/test-defaults.json");
    }

    private Path write(String name, String json) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }

    private static Config load(Path file, String... overrides) {
        return ConfigLoader.load(defaults(), file, List.of(overrides));
    }

    private static String error(Path file, String... overrides) {
        return assertThrows(ConfigException.class, () -> load(file, overrides)).getMessage();
    }

    @Test
    void defaultsAloneResolveToTheDefaults() {
        Config c = ConfigLoader.load(defaults(), null, null);
        assertEquals(defaults(), c.asJsonObject());
        assertEquals(1000, c.getInt("train.max_steps"));
        assertNull(c.getString("data.root"));
    }

    @Test
    void baseChainOfThreeFilesDeepMerges() throws IOException {
        write(
                "configs/base/root.json",
                "{\"train\": {\"lr\": 0.1, \"max_steps\": 50}, \"data\": {\"crop_size\": [256,"
                        + " 256], \"flip\": false}, \"model\": {\"name\": \"root\"}}");
        write(
                "configs/mid.json",
                "{\"base\": \"base/root.json\", \"train\": {\"batch_size\": 4}, \"model\":"
                        + " {\"width\": 32}, \"data\": {\"crop_size\": [128]}}");
        Path child =
                write(
                        "configs/exp/child.json",
                        "{\"base\": \"../mid.json\", \"train\": {\"lr\": 0.05}, \"model\":"
                                + " {\"name\": \"child\"}}");

        Config c = load(child);

        assertEquals(0.05, c.getDouble("train.lr"), 0.0); // child over root
        assertEquals(50, c.getInt("train.max_steps")); // root only
        assertEquals(4, c.getInt("train.batch_size")); // mid only
        assertFalse(c.getBoolean("train.amp")); // default
        assertEquals("child", c.getString("model.name")); // child over root
        assertEquals(32, c.getInt("model.width")); // mid
        assertEquals(0.1f, c.getFloat("model.dropout"), 0f); // default
        assertArrayEquals(new int[] {128}, c.getIntArray("data.crop_size")); // arrays replace
        assertFalse(c.getBoolean("data.flip")); // root
        assertEquals(0, c.getInt("seed"));
        assertFalse(c.has("base"));
        assertFalse(c.asJsonObject().has("base"));
    }

    @Test
    void overridesBeatChildBeatsBaseBeatsDefaults() throws IOException {
        write("base.json", "{\"train\": {\"lr\": 0.1, \"batch_size\": 2, \"max_steps\": 7}}");
        Path child =
                write(
                        "child.json",
                        "{\"base\": \"base.json\", \"train\": {\"lr\": 0.05, \"batch_size\": 3}}");

        Config c = load(child, "train.lr=0.2");
        assertEquals(0.2, c.getDouble("train.lr"), 0.0);
        assertEquals(3, c.getInt("train.batch_size"));
        assertEquals(7, c.getInt("train.max_steps"));
        assertEquals(64, c.getInt("model.width"));

        Config later = load(child, "train.lr=0.3", "train.lr=0.4");
        assertEquals(0.4, later.getDouble("train.lr"), 0.0);
    }

    @Test
    void unknownKeyInFileNamesFileAndSuggests() throws IOException {
        Path file = write("configs/baseline/camvid.json", "{\"train\": {\"max_step\": 10}}");
        assertEquals(
                file + ": unknown key 'train.max_step' (did you mean 'train.max_steps'?)",
                error(file));
    }

    @Test
    void unknownKeyInBaseNamesTheBaseNotTheChild() throws IOException {
        Path base = write("base.json", "{\"trian\": {}}");
        Path child = write("child.json", "{\"base\": \"base.json\"}");
        assertEquals(base + ": unknown key 'trian' (did you mean 'train'?)", error(child));
    }

    @Test
    void unknownKeyFromOverrideNamesSetAndSuggests() {
        assertEquals(
                "--set train.max_step=5: unknown key 'train.max_step' (did you mean"
                        + " 'train.max_steps'?)",
                error(null, "train.max_step=5"));
        assertEquals(
                "--set train.momentum=0.9: unknown key 'train.momentum'",
                error(null, "train.momentum=0.9"));
        assertEquals("--set base=x.json: unknown key 'base'", error(null, "base=x.json"));
    }

    @Test
    void wrongTypesNameKeySourceExpectedAndActual() throws IOException {
        Path file = write("a.json", "{\"train\": {\"max_steps\": 0.5}}");
        assertEquals(
                file + ": key 'train.max_steps' expects an integer, got number 0.5", error(file));
        assertEquals(
                "--set train.lr=abc: key 'train.lr' expects a number, got string \"abc\"",
                error(null, "train.lr=abc"));
        assertEquals(
                "--set train.amp=1: key 'train.amp' expects a boolean, got number 1",
                error(null, "train.amp=1"));
        assertEquals(
                "--set model.name=3: key 'model.name' expects a string, got number 3",
                error(null, "model.name=3"));
        assertEquals(
                "--set train=3: key 'train' expects an object, got number 3",
                error(null, "train=3"));
        assertEquals(
                "--set data.crop_size=7: key 'data.crop_size' expects an array, got number 7",
                error(null, "data.crop_size=7"));
        assertEquals(
                "--set data.crop_size=[1,2.5]: key 'data.crop_size[1]' expects an integer, got"
                        + " number 2.5",
                error(null, "data.crop_size=[1,2.5]"));
        assertEquals(
                "--set train.lr=null: key 'train.lr' expects a number, got null",
                error(null, "train.lr=null"));
        assertEquals(
                "--set train.max_steps=1e30: key 'train.max_steps' expects an integer, got number"
                        + " 1e30 (outside the 64-bit range)",
                error(null, "train.max_steps=1e30"));
    }

    @Test
    void integerDefaultsRejectFractionsFloatDefaultsAcceptAnyNumber() {
        Config c =
                load(
                        null,
                        "train.max_steps=7.0",
                        "train.lr=1",
                        "train.warmup=3",
                        "data.mean=[1, 0.5, 2]");
        assertEquals(7, c.getInt("train.max_steps"));
        assertEquals(1.0, c.getDouble("train.lr"), 0.0);
        assertEquals(3, c.getInt("train.warmup")); // 0.0 is a float default, 3 is fine
        assertArrayEquals(new float[] {1f, 0.5f, 2f}, c.getFloatArray("data.mean"), 0f);
        assertThrows(ConfigException.class, () -> load(null, "train.total_pixels=5.5"));

        JsonObject programmatic = new JsonObject();
        programmatic.addProperty("count", 2);
        programmatic.addProperty("scale", 2.0);
        programmatic.addProperty("eps", 1e-4);
        Config p = ConfigLoader.load(programmatic, null, List.of("scale=0.25", "eps=1"));
        assertEquals(0.25, p.getDouble("scale"), 0.0);
        assertEquals(1.0, p.getDouble("eps"), 0.0);
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () -> ConfigLoader.load(programmatic, null, List.of("count=0.25")));
        assertEquals(
                "--set count=0.25: key 'count' expects an integer, got number 0.25",
                e.getMessage());
    }

    @Test
    void nullDefaultAcceptsAnyScalarButNotStructures() throws IOException {
        assertEquals("/tmp/x", load(null, "data.root=/tmp/x").getString("data.root"));
        Path file = write("a.json", "{\"data\": {\"root\": \"/data/camvid\"}}");
        assertEquals("/data/camvid", load(file).getString("data.root"));
        assertEquals(3, load(null, "data.root=3").getInt("data.root"));
        assertNull(load(file, "data.root=null").getString("data.root"));
        assertEquals(
                "--set data.root=[1]: key 'data.root' expects a scalar (string, number or boolean)"
                        + " or null, got array [1]",
                error(null, "data.root=[1]"));
    }

    @Test
    void overrideValuesParseAsJsonOrFallBackToPlainStrings() {
        Config c =
                load(
                        null,
                        "model.name=\"x\"",
                        "data.classes=[\"sky\",\"tree\",\"road\"]",
                        "data.root=s3://bucket/a b",
                        "model={\"width\": 16}",
                        "seed = 42");
        assertEquals("x", c.getString("model.name"));
        assertEquals(List.of("sky", "tree", "road"), c.getStringList("data.classes"));
        assertEquals("s3://bucket/a b", c.getString("data.root"));
        assertEquals(16, c.getInt("model.width"));
        assertEquals(0.1, c.getDouble("model.dropout"), 0.0); // object override merges
        assertEquals(42, c.getInt("seed"));
        assertEquals("deeplab_v3+", load(null, "model.name=deeplab_v3+").getString("model.name"));
        assertEquals("", load(null, "model.name=").getString("model.name"));
    }

    @Test
    void malformedOverridesAreNamed() {
        assertEquals(
                "--set train.lr: malformed override, expected key=value", error(null, "train.lr"));
        assertEquals(
                "--set train..lr=1: malformed key 'train..lr' (empty segment in dotted path)",
                error(null, "train..lr=1"));
        assertEquals(
                "--set =1: malformed key '' (empty segment in dotted path)", error(null, "=1"));
    }

    @Test
    void baseCycleIsDetected() throws IOException {
        Path a = write("a.json", "{\"base\": \"b.json\"}");
        Path b = write("b.json", "{\"base\": \"a.json\", \"seed\": 1}");
        assertEquals(b + ": base cycle: " + a + " -> " + b + " -> " + a, error(a));

        Path self = write("self.json", "{\"base\": \"./self.json\"}");
        assertEquals(self + ": base cycle: " + self + " -> " + self, error(self));
    }

    @Test
    void missingBaseNamesBothFiles() throws IOException {
        Path a = write("configs/a.json", "{\"base\": \"missing.json\"}");
        assertEquals(
                a
                        + ": cannot read base '"
                        + dir.resolve("configs/missing.json")
                        + "': no such file",
                error(a));
        Path nowhere = dir.resolve("nowhere.json");
        assertEquals("cannot read config '" + nowhere + "': no such file", error(nowhere));
    }

    @Test
    void badFilesAreNamed() throws IOException {
        Path broken = write("broken.json", "{\n  \"train\": {\n    \"lr\": ,\n  }\n}");
        String message = error(broken);
        assertTrue(message.startsWith(broken + ": invalid JSON at line 3 column "), message);
        assertFalse(message.contains("\n"), message);

        Path comment = write("comment.json", "// note\n{}");
        assertTrue(error(comment).startsWith(comment + ": invalid JSON at line 1"));

        Path empty = write("empty.json", "  ");
        assertTrue(error(empty).startsWith(empty + ": invalid JSON"));

        Path array = write("array.json", "[1, 2]");
        assertEquals(array + ": top level must be a JSON object, got array [1,2]", error(array));

        Path badBase = write("badbase.json", "{\"base\": 3}");
        assertEquals(badBase + ": key 'base' expects a string, got number 3", error(badBase));
    }

    @Test
    void defaultsFromResourceReadsAndReportsMissing() {
        JsonObject d = defaults();
        assertEquals(
                JsonParser.parseString("[512, 512]"), d.getAsJsonObject("data").get("crop_size"));
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                ConfigLoader.defaultsFromResource(
                                        ConfigLoaderTest.class, "nope.json"));
        assertEquals(
                "resource 'nope.json' (relative to org.dpnas.common.config.ConfigLoaderTest): not"
                        + " found on the classpath",
                e.getMessage());
    }

    @Test
    void unusableDefaultsAreRejected() {
        JsonObject dotted = JsonParser.parseString("{\"a\": {\"b.c\": 1}}").getAsJsonObject();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ConfigLoader.load(dotted, null, List.of()));
        assertTrue(e.getMessage().contains("'a.b.c'"), e.getMessage());
        JsonObject withBase = JsonParser.parseString("{\"base\": \"x\"}").getAsJsonObject();
        assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(withBase, null, null));
    }

    @Test
    void loadDoesNotModifyTheCallersDefaults() {
        JsonObject d = defaults();
        JsonObject before = d.deepCopy();
        ConfigLoader.load(d, null, List.of("train.lr=0.5", "model={\"width\": 8}"));
        assertEquals(before, d);
    }
}
