package org.dpnas.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.dpnas.cli.backbone.CostBackboneCommand;
import org.dpnas.cli.backbone.ForwardCommand;
import org.dpnas.cli.bench.BenchEvalDetCommand;
import org.dpnas.cli.bench.BenchMethodCommand;
import org.dpnas.cli.cost.CostCommand;
import org.dpnas.cli.data.BenchCommand;
import org.dpnas.cli.data.CheckCommand;
import org.dpnas.cli.eval.EvalDetCommand;
import org.dpnas.cli.eval.EvalModelCommand;
import org.dpnas.cli.eval.EvalSegCommand;
import org.dpnas.cli.predict.PredictCommand;
import org.dpnas.cli.pretrain.PretrainCommand;
import org.dpnas.cli.search.SearchMethodCommand;
import org.dpnas.cli.search.TrialChildCommand;
import org.dpnas.cli.sweep.SweepCommand;
import org.dpnas.cli.train.TrainCommand;
import org.dpnas.cli.weights.ExportCommand;
import org.dpnas.cli.weights.InspectCommand;
import org.dpnas.common.search.Registry;
import org.dpnas.common.search.SearchMethod;

/**
 * Entry point of the {@code dpnas} command: dispatches {@code dpnas VERB [options] ARGS} to a
 * registered {@link Command}.
 *
 * <p>To add a verb, add one line {@code commands.add(new MyCommand());} to {@link
 * #defaultCommands()}. Exit codes: 0 success and help, 1 runtime failure, 2 usage error (including
 * {@code dpnas} without arguments, which prints the usage to standard error), other codes as chosen
 * by a command or its {@link CliException}.
 */
public final class Main {

    /** The one-line description printed at the top of {@code dpnas --help}. */
    public static final String DESCRIPTION =
            "dpnas \u2014 neural architecture search for dense prediction (DJL/PyTorch)";

    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final String version;
    private final boolean debug;

    /**
     * Creates a dispatcher over the given verbs, with the version from the jar manifest and debug
     * output when {@code DPNAS_DEBUG=1}.
     *
     * @param commands the verbs, listed in help in this order
     * @throws IllegalArgumentException if two verbs share a name or a verb breaks the conventions
     *     (lower-case name, one-line summary, option descriptions ending with their default, no own
     *     {@code -h}/{@code --help})
     */
    public Main(List<? extends Command> commands) {
        this(commands, detectVersion(), Dispatch.debugFromEnv());
    }

    /**
     * Creates a dispatcher with an explicit version string.
     *
     * @param commands the verbs, listed in help in this order
     * @param version printed by {@code dpnas --version}
     */
    public Main(List<? extends Command> commands, String version) {
        this(commands, version, Dispatch.debugFromEnv());
    }

    /** Creates a dispatcher with explicit debug mode (stack traces for unexpected failures). */
    Main(List<? extends Command> commands, String version, boolean debug) {
        this.version = Objects.requireNonNull(version, "version");
        this.debug = debug;
        for (Command c : commands) {
            Dispatch.validate(c);
            if (this.commands.putIfAbsent(c.name(), c) != null) {
                throw new IllegalArgumentException("two verbs named '" + c.name() + "'");
            }
        }
    }

    /**
     * Returns the verbs of the shipped {@code dpnas} command, one registration line each.
     *
     * @return a new mutable list, possibly empty
     */
    public static List<Command> defaultCommands() {
        List<Command> commands = new ArrayList<>();
        // Register verbs here, one line each, in the order they should appear in help.
        List<SearchMethod> methods = Registry.methods();
        commands.add(
                new CommandGroup(
                        "search",
                        "search an architecture (writes best/genotype.json)",
                        methods.stream().map(SearchMethodCommand::new).toArray(Command[]::new)));
        commands.add(new TrainCommand());
        commands.add(new PretrainCommand());
        commands.add(
                new CommandGroup(
                        "eval",
                        "evaluate a trained model or prediction files",
                        new EvalModelCommand(),
                        new EvalSegCommand(),
                        new EvalDetCommand()));
        commands.add(new PredictCommand());
        commands.add(new CostCommand());
        commands.add(
                new CommandGroup(
                        "weights",
                        "export and inspect safetensors weights",
                        new ExportCommand(),
                        new InspectCommand()));
        commands.add(
                new CommandGroup(
                        "backbone",
                        "run or time a torchvision-compatible backbone",
                        new ForwardCommand(),
                        new CostBackboneCommand()));
        commands.add(
                new CommandGroup(
                        "data",
                        "check datasets and measure data throughput",
                        new CheckCommand(),
                        new BenchCommand()));
        commands.add(
                new CommandGroup(
                        "bench",
                        "benchmarks that print numbers",
                        java.util.stream.Stream.concat(
                                        java.util.stream.Stream.of(new BenchEvalDetCommand()),
                                        methods.stream().map(BenchMethodCommand::new))
                                .toArray(Command[]::new)));
        commands.add(new SweepCommand());
        commands.add(new TrialChildCommand());
        return commands;
    }

    /**
     * Runs {@code dpnas} with the {@link #defaultCommands()}; never calls {@link System#exit}.
     *
     * @param args the command-line arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new Main(defaultCommands()).execute(args, out, err);
    }

    /**
     * Runs {@code dpnas} and exits the JVM with its exit code.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Dispatches one command line to the registered verbs.
     *
     * @param args the command-line arguments
     * @param out standard output
     * @param err standard error
     * @return the exit code
     */
    public int execute(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(Arrays.asList(args), out, err);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int dispatch(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            printUsage(err);
            return CliException.USAGE;
        }
        String first = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (first) {
            case "-h", "--help" -> {
                printUsage(out);
                return 0;
            }
            case "help" -> {
                if (rest.isEmpty()) {
                    printUsage(out);
                    return 0;
                }
                // dpnas help VERB [SUB...] is dpnas VERB [SUB...] --help
                List<String> helpArgs = new ArrayList<>(rest);
                if (commands.get(rest.get(0)) instanceof CommandGroup && rest.size() == 1) {
                    helpArgs.add("help");
                } else {
                    helpArgs.add("--help");
                }
                return dispatch(helpArgs, out, err);
            }
            case "--version" -> {
                out.println("dpnas " + version);
                return 0;
            }
            default -> {
                // fall through to verb lookup
            }
        }
        if (first.startsWith("-") && first.length() > 1) {
            err.println("dpnas: unknown option '" + first + "'");
            printShortUsage(err);
            return CliException.USAGE;
        }
        Command cmd = commands.get(first);
        if (cmd == null) {
            err.println("dpnas: " + Dispatch.unknown("verb", first, commands.keySet()));
            printShortUsage(err);
            return CliException.USAGE;
        }
        return Dispatch.invoke("dpnas " + cmd.name(), cmd, rest, out, err, debug);
    }

    private static void printShortUsage(PrintStream err) {
        err.println("usage: dpnas VERB [options]");
        err.println("Run 'dpnas --help' for the list of verbs.");
    }

    private void printUsage(PrintStream out) {
        out.println(DESCRIPTION);
        out.println();
        out.println("usage: dpnas VERB [options]");
        out.println("       dpnas --version");
        out.println();
        out.println("verbs:");
        if (commands.isEmpty()) {
            out.println("  (none registered)");
        } else {
            Dispatch.printTable(out, commands.values());
        }
        out.println();
        out.println("Run 'dpnas VERB --help' for a verb's options.");
    }

    /**
     * Returns the version from the jar manifest's {@code Implementation-Version}, or {@code "dev"}
     * when running from classes outside a jar or without that entry.
     *
     * @return the version string
     */
    public static String detectVersion() {
        Package p = Main.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }
}
