package org.dpnas.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConstraintsTest {

    private static JsonObject defaults() {
        return JsonParser.parseString(
                        "{\"seed\": 0, \"train\": {\"batch_size\": 16, \"lr\": 0.1,"
                                + " \"betas\": [0.9, 0.999], \"optimizer\": \"sgd\","
                                + " \"clip\": null,"
                                + " \"$constraints\": {\"batch_size\": \"[1, inf)\","
                                + " \"lr\": \"(0, inf)\", \"betas\": \"[0, 1)\","
                                + " \"optimizer\": [\"sgd\", \"adam\"], \"clip\": \"[0, inf)\"}}}")
                .getAsJsonObject();
    }

    private static String error(List<ConfigLoader.Setting> s) {
        return assertThrows(
                        ConfigException.class, () -> ConfigLoader.loadSettings(defaults(), null, s))
                .getMessage();
    }

    @Test
    void theDefaultsPassAndTheConstraintsNeverReachTheResolvedConfig() {
        Config c = ConfigLoader.load(defaults(), null, List.of());
        assertFalse(c.asJsonObject().getAsJsonObject("train").has(Constraints.KEY));
        assertEquals(16, c.getInt("train.batch_size"));
    }

    @Test
    void eachRuleKindRejectsItsBadValueNamingTheOptionTheUserTyped() {
        assertEquals(
                "--batch-size -3: key 'train.batch_size' must be >= 1, got -3",
                error(List.of(new ConfigLoader.Setting("train.batch_size=-3", "--batch-size -3"))));
        assertEquals(
                "--batch-size 0: key 'train.batch_size' must be >= 1, got 0",
                error(List.of(new ConfigLoader.Setting("train.batch_size=0", "--batch-size 0"))));
        assertEquals(
                "--set train.lr=0: key 'train.lr' must be > 0, got 0",
                error(List.of(ConfigLoader.Setting.of("train.lr=0"))));
        assertEquals(
                "--set train.betas=[0.9,1.0]: key 'train.betas[1]' must be in [0, 1), got 1.0",
                error(List.of(ConfigLoader.Setting.of("train.betas=[0.9,1.0]"))));
        assertEquals(
                "--set train.optimizer=\"adagrad\": key 'train.optimizer' must be one of sgd,"
                        + " adam, got string \"adagrad\"",
                error(List.of(ConfigLoader.Setting.of("train.optimizer=\"adagrad\""))));
        assertEquals(
                "--set train.clip=-1: key 'train.clip' must be >= 0, got -1",
                error(List.of(ConfigLoader.Setting.of("train.clip=-1"))));
        // null means "not set" and is never checked
        ConfigLoader.loadSettings(
                defaults(), null, List.of(ConfigLoader.Setting.of("train.clip=null")));
    }

    @Test
    void aViolationFromAFileNamesTheFileAndTheLastLayerWins(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"train\": {\"lr\": -1}}");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> ConfigLoader.load(defaults(), f, List.of()));
        assertEquals(f + ": key 'train.lr' must be > 0, got -1", e.getMessage());
        // a later override repairs it
        ConfigLoader.load(defaults(), f, List.of("train.lr=0.5"));
    }

    @Test
    void aMalformedRuleIsADefaultsError() {
        JsonObject d = defaults();
        d.getAsJsonObject("train")
                .getAsJsonObject(Constraints.KEY)
                .addProperty("batch_size", "positive");
        assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(d, null, List.of()));
        JsonObject d2 = defaults();
        d2.getAsJsonObject("train").getAsJsonObject(Constraints.KEY).addProperty("nope", "[0, 1]");
        assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(d2, null, List.of()));
    }

    @Test
    void resumeChangesSeparateNeutralKeysFromTrajectoryKeys() {
        Config a = ConfigLoader.load(defaults(), null, List.of());
        Config b = ConfigLoader.load(defaults(), null, List.of("train.lr=0.01", "seed=3"));
        List<ResumeChanges.Change> d = ResumeChanges.diff(a, b);
        assertEquals(
                List.of("seed", "train.lr"), d.stream().map(ResumeChanges.Change::key).toList());
        assertEquals(2, ResumeChanges.trajectory(d).size());
        assertEquals(true, ResumeChanges.neutral("threads"));
        assertEquals(true, ResumeChanges.neutral("search.log_every"));
        assertEquals(true, ResumeChanges.neutral("data.workers"));
        assertEquals(false, ResumeChanges.neutral("data.root"));
        assertEquals(false, ResumeChanges.neutral("train.max_steps"));
        // 0.1 and 0.10 are the same number
        Config c = ConfigLoader.load(defaults(), null, List.of("train.lr=0.10"));
        assertEquals(List.of(), ResumeChanges.diff(a, c));
    }
}
