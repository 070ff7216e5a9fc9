package org.dpnas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MainTest {

    /** Captured outcome of one {@code dpnas} invocation. */
    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    /** Action run by a fake verb. */
    interface Action {
        int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception;
    }

    /** A verb with configurable options and action that records its last command line. */
    static final class Fake implements Command {
        final String name;
        final Options options;
        final List<String> positionals;
        final Action action;
        CommandLine seen;

        Fake(String name, Options options, List<String> positionals, Action action) {
            this.name = name;
            this.options = options;
            this.positionals = positionals;
            this.action = action;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String summary() {
            return "summary of " + name;
        }

        @Override
        public Options options() {
            return options;
        }

        @Override
        public List<String> positionals() {
            return positionals;
        }

        @Override
        public int run(CommandLine cl, PrintStream out, PrintStream err) throws Exception {
            seen = cl;
            return action.run(cl, out, err);
        }
    }

    static Result invoke(Main main, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                main.execute(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Options trainOptions() {
        return Opts.of(
                Opts.value("seed", "N", "seed for every random stream", "0"),
                Opts.value("max-steps", "N", "optimizer steps to run", "1000"),
                Opts.flag("resume", "continue from the last checkpoint"),
                Opts.repeatable("set", "KEY=VALUE", "override a config entry"));
    }

    private final Fake train =
            new Fake(
                    "train",
                    trainOptions(),
                    List.of("CONFIG"),
                    (cl, out, err) -> {
                        int seed = Args.intValue(cl, "seed", 0);
                        out.println(
                                "seed=" + seed + " steps=" + Args.intValue(cl, "max-steps", 1000));
                        return 0;
                    });
    private final Fake search = new Fake("search", new Options(), List.of(), (cl, out, err) -> 0);

    private Main main(Command... extra) {
        List<Command> all = new ArrayList<>(List.of(train, search));
        all.addAll(List.of(extra));
        return new Main(all, "1.2.3", false);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "help"})
    void helpListsRegisteredVerbs(String flag) {
        Result r = invoke(main(), flag);
        assertEquals(0, r.code());
        assertEquals("", r.err());
        List<String> lines = List.of(r.out().split("\n"));
        assertEquals(
                "dpnas \u2014 neural architecture search for dense prediction (DJL/PyTorch)",
                lines.get(0));
        assertTrue(lines.contains("usage: dpnas VERB [options]"), r.out());
        assertTrue(lines.contains("  train    summary of train"), r.out());
        assertTrue(lines.contains("  search   summary of search"), r.out());
        assertTrue(
                lines.indexOf("  train    summary of train")
                        < lines.indexOf("  search   summary of search"));
        assertEquals("Run 'dpnas VERB --help' for a verb's options.", lines.get(lines.size() - 1));
        assertNull(train.seen, "help must not run a verb");
    }

    @Test
    void noArgumentsPrintsUsageToErrWithCode2() {
        Result r = invoke(main());
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().contains("usage: dpnas VERB [options]"), r.err());
        assertTrue(r.err().contains("  train    summary of train"), r.err());
    }

    @Test
    void versionPrintsProgramAndVersion() {
        Result r = invoke(main(), "--version");
        assertEquals(0, r.code());
        assertEquals("dpnas 1.2.3\n", r.out());
        // tests run from target/classes, which has no manifest
        assertEquals("dev", Main.detectVersion());
    }

    @Test
    void verbHelpListsOptionsWithDefaultsInDeclarationOrder() {
        Result r = invoke(main(), "train", "--help");
        assertEquals(0, r.code());
        assertEquals("", r.err());
        String out = r.out();
        List<String> lines = List.of(out.split("\n"));
        assertEquals("usage: dpnas train [options] CONFIG", lines.get(0));
        assertTrue(lines.contains("summary of train"), out);
        assertTrue(out.contains("-h,--help"), out);
        assertOptionLine(lines, "--seed <N>", "seed for every random stream (default: 0)");
        assertOptionLine(lines, "--max-steps <N>", "optimizer steps to run (default: 1000)");
        assertOptionLine(lines, "--resume", "continue from the last checkpoint (default: off)");
        assertOptionLine(
                lines, "--set <KEY=VALUE>", "override a config entry (repeatable; default: none)");
        assertTrue(out.indexOf("--seed") < out.indexOf("--max-steps"));
        assertTrue(out.indexOf("--resume") < out.indexOf("--set"));
        assertNull(train.seen, "help must not run the verb");
    }

    @Test
    void longDescriptionsWrapWithinWidthUnderTheDescriptionColumn() {
        String words =
                "resize every image so that its shorter side matches this many pixels ".repeat(3);
        Fake wide =
                new Fake(
                        "wide",
                        Opts.of(Opts.value("s", "short-side", "PX", words, "512")),
                        List.of(),
                        (cl, out, err) -> 0);
        List<String> lines = invoke(main(wide), "wide", "--help").out().lines().toList();
        int first = -1;
        for (int i = 0; i < lines.size(); i++) {
            assertTrue(lines.get(i).length() <= 100, lines.get(i));
            if (lines.get(i).startsWith("  -s,--short-side <PX>")) {
                first = i;
            }
        }
        assertTrue(first > 0, String.join("\n", lines));
        int column = lines.get(first).indexOf("resize");
        assertEquals(" ".repeat(column), lines.get(first + 1).substring(0, column));
        assertTrue(lines.get(lines.size() - 1).endsWith("pixels (default: 512)"), lines.toString());
    }

    private static void assertOptionLine(List<String> lines, String option, String description) {
        for (String line : lines) {
            if (line.contains(option + " ")) {
                assertTrue(line.strip().endsWith(description), line);
                return;
            }
        }
        throw new AssertionError("no help line for " + option + " in " + lines);
    }

    @Test
    void helpVerbEqualsVerbDashDashHelp() {
        assertEquals(invoke(main(), "train", "--help"), invoke(main(), "help", "train"));
        assertEquals(invoke(main(), "train", "--help"), invoke(main(), "train", "-h"));
    }

    @Test
    void helpAfterDoubleDashIsAPositional() {
        Result r = invoke(main(), "train", "--seed", "4", "--", "--help");
        assertEquals(0, r.code());
        assertEquals("seed=4 steps=1000\n", r.out());
        assertEquals(List.of("--help"), train.seen.getArgList());
    }

    @Test
    void unknownVerbSuggestsCloseName() {
        Result r = invoke(main(), "trian");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        List<String> lines = r.errLines();
        assertEquals("dpnas: unknown verb 'trian' (did you mean 'train'?)", lines.get(0));
        assertEquals("usage: dpnas VERB [options]", lines.get(1));
        assertEquals(1, r.err().split("unknown verb").length - 1, "one error line");
    }

    @Test
    void unknownVerbFarFromEveryNameHasNoSuggestion() {
        Result r = invoke(main(), "tr");
        assertEquals(2, r.code());
        assertEquals("dpnas: unknown verb 'tr'", r.errLines().get(0));
        assertEquals(
                "dpnas: unknown verb 'serch' (did you mean 'search'?)",
                invoke(main(), "serch").errLines().get(0));
    }

    @Test
    void unknownTopLevelOption() {
        Result r = invoke(main(), "--verbose");
        assertEquals(2, r.code());
        assertEquals("dpnas: unknown option '--verbose'", r.errLines().get(0));
    }

    @Test
    void unknownOptionIsUsageError() {
        Result r = invoke(main(), "train", "--foo", "cfg.yaml");
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals(
                List.of(
                        "dpnas train: unknown option '--foo'",
                        "usage: dpnas train [options] CONFIG",
                        "Run 'dpnas train --help' for its options."),
                r.errLines());
        assertNull(train.seen);
    }

    @Test
    void unknownOptionWithInlineValueNamesOnlyTheOption() {
        Result r = invoke(main(), "train", "--foo=3");
        assertEquals(2, r.code());
        assertEquals("dpnas train: unknown option '--foo'", r.errLines().get(0));
    }

    @Test
    void abbreviatedOptionIsRejectedNotPrefixMatched() {
        Result r = invoke(main(), "train", "--max-step", "5");
        assertEquals(2, r.code());
        assertEquals("dpnas train: unknown option '--max-step'", r.errLines().get(0));
        assertNull(train.seen);

        Result ok = invoke(main(), "train", "--max-steps", "5");
        assertEquals(0, ok.code());
        assertEquals("seed=0 steps=5\n", ok.out());
    }

    @Test
    void missingOptionValue() {
        Result r = invoke(main(), "train", "--seed");
        assertEquals(2, r.code());
        assertEquals("dpnas train: option '--seed' needs a value", r.errLines().get(0));
        assertEquals("usage: dpnas train [options] CONFIG", r.errLines().get(1));
    }

    @Test
    void badIntegerValue() {
        Result r = invoke(main(), "train", "--seed", "abc");
        assertEquals(2, r.code());
        assertEquals("dpnas train: option '--seed' expects an integer, got 'abc'\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void optionsAndPositionalsReachTheCommand() {
        Result r =
                invoke(
                        main(),
                        "train",
                        "--seed=-3",
                        "--set",
                        "a=1",
                        "cfg.yaml",
                        "--set",
                        "b=2",
                        "--resume");
        assertEquals(0, r.code(), r.err());
        assertEquals("seed=-3 steps=1000\n", r.out());
        assertEquals(List.of("cfg.yaml"), train.seen.getArgList());
        assertEquals(Map.of("a", "1", "b", "2"), Args.keyValues(train.seen, "set"));
        assertTrue(Args.flag(train.seen, "resume"));
        assertEquals(-3, Args.intValue(invokeAndSee("train", "--seed", "-3"), "seed", 0));
    }

    private CommandLine invokeAndSee(String... args) {
        assertEquals(0, invoke(main(), args).code());
        return train.seen;
    }

    @Test
    void cliExceptionMessageAndCodePropagate() {
        Fake fails =
                new Fake(
                        "report",
                        new Options(),
                        List.of(),
                        (cl, out, err) -> {
                            throw new CliException("no run directory at runs/x", 3);
                        });
        Result r = invoke(main(fails), "report");
        assertEquals(3, r.code());
        assertEquals("dpnas report: no run directory at runs/x\n", r.err());
    }

    @Test
    void commandExitCodeIsReturned() {
        Fake seven = new Fake("seven", new Options(), List.of(), (cl, out, err) -> 7);
        assertEquals(7, invoke(main(seven), "seven").code());
    }

    @Test
    void illegalArgumentIsUsageErrorWithoutPrefix() {
        Fake bad = failing(new IllegalArgumentException("crop size must be positive, got -1"));
        Result r = invoke(main(bad), "bad");
        assertEquals(2, r.code());
        assertEquals("dpnas bad: crop size must be positive, got -1\n", r.err());
    }

    @Test
    void ioExceptionIsReportedWithCode1() {
        Fake bad = failing(new NoSuchFileException("/data/voc"));
        Result r = invoke(main(bad), "bad");
        assertEquals(1, r.code());
        assertEquals("dpnas bad: /data/voc: no such file or directory\n", r.err());
    }

    @Test
    void otherExceptionIsErrorWithCode1AndNoTraceUnlessDebug() {
        Fake bad = failing(new IllegalStateException("tensor shapes differ"));
        Result r = invoke(main(bad), "bad");
        assertEquals(1, r.code());
        assertEquals("dpnas bad: error: tensor shapes differ\n", r.err());

        Main debug = new Main(List.of(bad), "1.2.3", true);
        Result d = invoke(debug, "bad");
        assertEquals(1, d.code());
        assertEquals("dpnas bad: error: tensor shapes differ", d.errLines().get(0));
        assertTrue(d.err().contains("java.lang.IllegalStateException: tensor shapes differ"));
        assertTrue(d.err().contains("\tat org.dpnas.cli.MainTest"), d.err());
    }

    @Test
    void exceptionWithoutMessageShowsItsClass() {
        Result r = invoke(main(failing(new NullPointerException())), "bad");
        assertEquals(1, r.code());
        assertEquals("dpnas bad: error: java.lang.NullPointerException\n", r.err());
    }

    private static Fake failing(Exception e) {
        return new Fake(
                "bad",
                new Options(),
                List.of(),
                (cl, out, err) -> {
                    throw e;
                });
    }

    @Test
    void registryRejectsDuplicateNames() {
        Fake again = new Fake("train", new Options(), List.of(), (cl, out, err) -> 0);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> main(again));
        assertEquals("two verbs named 'train'", e.getMessage());
    }

    @Test
    void registryRejectsOptionWithoutDefaultInHelp() {
        Options raw = new Options();
        raw.addOption(Option.builder().longOpt("lr").hasArg().desc("learning rate").get());
        Fake undocumented = new Fake("fit", raw, List.of(), (cl, out, err) -> 0);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> main(undocumented));
        assertTrue(e.getMessage().contains("--lr must end with its default"), e.getMessage());
    }

    @Test
    void registryRejectsOwnHelpOptionAndBadNames() {
        Options withHelp = Opts.of(Opts.flag("help", "show help"));
        assertThrows(
                IllegalArgumentException.class,
                () -> main(new Fake("fit", withHelp, List.of(), (cl, out, err) -> 0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> main(new Fake("Fit", new Options(), List.of(), (cl, out, err) -> 0)));
        assertThrows(
                IllegalArgumentException.class,
                () -> main(new Fake("help", new Options(), List.of(), (cl, out, err) -> 0)));
    }

    @Test
    void defaultCommandsFollowTheConventions() {
        // Main validates every registered verb, so this fails as soon as one breaks the rules.
        Main shipped = new Main(Main.defaultCommands(), "x", false);
        Result r = invoke(shipped, "--help");
        assertEquals(0, r.code());
        for (Command c : Main.defaultCommands()) {
            assertTrue(r.out().contains("  " + c.name() + " "), c.name());
            assertEquals(0, invoke(shipped, c.name(), "--help").code(), c.name());
        }
        assertFalse(r.out().isEmpty());
    }

    @Test
    void staticRunUsesDefaultCommands() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                Main.run(
                        new String[] {"--version"},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        assertEquals("dpnas dev\n", out.toString(StandardCharsets.UTF_8));
    }
}
