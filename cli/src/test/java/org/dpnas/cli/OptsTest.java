package org.dpnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;

class OptsTest {

    @Test
    void descriptionsEndWithTheDefault() {
        Option seed = Opts.value("seed", "N", "seed for every random stream", "0");
        assertEquals("seed for every random stream (default: 0)", seed.getDescription());
        assertEquals("seed", seed.getLongOpt());
        assertEquals("N", seed.getArgName());
        assertTrue(seed.hasArg());
        assertFalse(seed.isRequired());

        assertEquals(
                "output directory (default: none)",
                Opts.value("out", "DIR", "output directory.", null).getDescription());
        assertEquals(
                "suffix (default: \"\")", Opts.value("suffix", "S", "suffix", "").getDescription());

        Option resume = Opts.flag("resume", "continue from the last checkpoint");
        assertEquals("continue from the last checkpoint (default: off)", resume.getDescription());
        assertFalse(resume.hasArg());

        Option set = Opts.repeatable("set", "KEY=VALUE", "override a config entry");
        assertEquals("override a config entry (repeatable; default: none)", set.getDescription());
        assertEquals(1, set.getArgs());

        Option config = Opts.required("config", "FILE", "the config");
        assertEquals("the config (required)", config.getDescription());
        assertTrue(config.isRequired());
    }

    @Test
    void shortNameIsOptional() {
        Option o = Opts.value("o", "out", "DIR", "output", "runs");
        assertEquals("o", o.getOpt());
        assertEquals("out", o.getLongOpt());
    }

    @Test
    void ofKeepsOrderAndRejectsDuplicates() {
        Options o = Opts.of(Opts.flag("b", "b"), Opts.flag("a", "a"));
        assertEquals(List.of("b", "a"), o.getOptions().stream().map(Option::getLongOpt).toList());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Opts.of(Opts.flag("seed", "x"), Opts.value("seed", "N", "y", "0")));
        assertEquals("duplicate option '--seed'", e.getMessage());
    }

    @Test
    void rejectsMalformedNames() {
        assertThrows(IllegalArgumentException.class, () -> Opts.flag("maxSteps", "x"));
        assertThrows(IllegalArgumentException.class, () -> Opts.flag("--seed", "x"));
        assertThrows(IllegalArgumentException.class, () -> Opts.flag("seed", " "));
        assertThrows(
                IllegalArgumentException.class, () -> Opts.value("seed", "two words", "x", "0"));
        assertThrows(IllegalArgumentException.class, () -> Opts.value("ab", "seed", "N", "x", "0"));
    }
}
