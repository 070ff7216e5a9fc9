package org.dpnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Test;

class ArgsTest {

    private static final Options OPTIONS =
            Opts.of(
                    Opts.value("s", "seed", "N", "seed", "0"),
                    Opts.value("steps", "N", "steps", "10"),
                    Opts.value("lr", "X", "learning rate", "0.1"),
                    Opts.value("out", "DIR", "output directory", "runs"),
                    Opts.flag("resume", "resume"),
                    Opts.repeatable("set", "KEY=VALUE", "override"));

    private static CommandLine parse(String... args) throws ParseException {
        return DefaultParser.builder().setAllowPartialMatching(false).get().parse(OPTIONS, args);
    }

    private static String error(Runnable r) {
        return assertThrows(CliException.class, r::run).getMessage();
    }

    @Test
    void defaultsWhenAbsent() throws ParseException {
        CommandLine cl = parse();
        assertEquals(42, Args.intValue(cl, "seed", 42));
        assertEquals(7L, Args.longValue(cl, "steps", 7L));
        assertEquals(0.5f, Args.floatValue(cl, "lr", 0.5f));
        assertEquals(0.25, Args.doubleValue(cl, "lr", 0.25));
        assertEquals(Path.of("runs"), Args.path(cl, "out", Path.of("runs")));
        assertNull(Args.string(cl, "out", null));
        assertFalse(Args.flag(cl, "resume"));
        assertEquals(List.of(), Args.strings(cl, "set"));
        assertEquals(Map.of(), Args.keyValues(cl, "set"));
    }

    @Test
    void parsesValuesAndLastOccurrenceWins() throws ParseException {
        CommandLine cl =
                parse(
                        "-s",
                        "3",
                        "--seed",
                        "-9",
                        "--steps",
                        "12345678901",
                        "--lr",
                        "1e-4",
                        "--out",
                        "a/b");
        assertEquals(-9, Args.intValue(cl, "seed", 0));
        assertEquals(-9, Args.intValue(cl, "s", 0));
        assertEquals(12345678901L, Args.longValue(cl, "steps", 0));
        assertEquals(1e-4f, Args.floatValue(cl, "lr", 0f));
        assertEquals(1e-4, Args.doubleValue(cl, "lr", 0));
        assertEquals(Path.of("a", "b"), Args.path(cl, "out", null));
    }

    @Test
    void badNumbersNameTheLongOption() throws ParseException {
        assertEquals(
                "option '--seed' expects an integer, got 'abc'",
                error(() -> Args.intValue(parseQuietly("-s", "abc"), "s", 0)));
        assertEquals(
                "option '--seed' expects an integer, got '1.5'",
                error(() -> Args.intValue(parseQuietly("--seed", "1.5"), "seed", 0)));
        assertEquals(
                "option '--seed' expects an integer in [-2147483648, 2147483647], got '3000000000'",
                error(() -> Args.intValue(parseQuietly("--seed", "3000000000"), "seed", 0)));
        assertEquals(
                "option '--steps' expects an integer in [-9223372036854775808, 9223372036854775807],"
                        + " got '99999999999999999999'",
                error(
                        () ->
                                Args.longValue(
                                        parseQuietly("--steps", "99999999999999999999"),
                                        "steps",
                                        0)));
        assertEquals(
                "option '--lr' expects a number, got 'fast'",
                error(() -> Args.floatValue(parseQuietly("--lr", "fast"), "lr", 0f)));
        assertEquals(
                "option '--lr' expects a number, got 'NaN'",
                error(() -> Args.doubleValue(parseQuietly("--lr", "NaN"), "lr", 0)));
        assertEquals(
                "option '--lr' expects a number, got '1f'",
                error(() -> Args.floatValue(parseQuietly("--lr", "1f"), "lr", 0f)));
        assertEquals(
                "option '--lr' is out of range, got '1e60'",
                error(() -> Args.floatValue(parseQuietly("--lr", "1e60"), "lr", 0f)));
    }

    private static CommandLine parseQuietly(String... args) {
        try {
            return parse(args);
        } catch (ParseException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void repeatableOptionTakesOneValuePerOccurrence() throws ParseException {
        CommandLine cl = parse("--set", "a=1", "cfg.yaml", "--set", "b= x=y ", "--set", "a=3");
        assertEquals(List.of("cfg.yaml"), cl.getArgList());
        assertEquals(List.of("a=1", "b= x=y ", "a=3"), Args.strings(cl, "set"));
        assertEquals(List.of("b", "a"), List.copyOf(Args.keyValues(cl, "set").keySet()));
        assertEquals(Map.of("a", "3", "b", " x=y "), Args.keyValues(cl, "set"));
        assertEquals(
                "option '--set' expects KEY=VALUE, got '=1'",
                error(() -> Args.keyValues(parseQuietly("--set", "=1"), "set")));
        assertEquals(
                "option '--set' expects KEY=VALUE, got 'lr'",
                error(() -> Args.keyValues(parseQuietly("--set", "lr"), "set")));
    }

    @Test
    void requiredStringAndPositionals() throws ParseException {
        CommandLine cl = parse("one", "two");
        assertEquals("option '--out' is required", error(() -> Args.requiredString(cl, "out")));
        assertEquals("one", Args.positional(cl, 0, "CONFIG"));
        assertEquals(Path.of("two"), Args.positionalPath(cl, 1, "RUN_DIR"));
        assertEquals("missing argument OUT", error(() -> Args.positional(cl, 2, "OUT")));
        assertEquals("unexpected argument 'two'", error(() -> Args.atMostPositionals(cl, 1)));
        Args.atMostPositionals(cl, 2);
        assertEquals(
                "option '--out' expects a path, got ''",
                error(() -> Args.path(parseQuietly("--out="), "out", null)));
    }
}
