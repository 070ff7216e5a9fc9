package org.dpnas.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * A verb whose first positional word selects a sub-verb, for example {@code dpnas eval seg RUN}.
 *
 * <p>{@code dpnas eval}, {@code dpnas eval --help} and {@code dpnas eval help} list the sub-verbs
 * (the first with exit code 2, the others 0); {@code dpnas eval help seg} is {@code dpnas eval seg
 * --help}; an unknown sub-verb is a usage error with a suggestion. Groups may nest.
 */
public class CommandGroup implements Command {

    private final String name;
    private final String summary;
    private final Map<String, Command> subcommands = new LinkedHashMap<>();

    /**
     * Creates a group; sub-verbs are listed in the given order.
     *
     * @param name the verb
     * @param summary one line for {@code dpnas --help}
     * @param subcommands the sub-verbs, at least one, with distinct names
     * @throws IllegalArgumentException if names repeat, there are no sub-verbs, or a sub-verb
     *     breaks the conventions checked by {@link Main}
     */
    public CommandGroup(String name, String summary, List<? extends Command> subcommands) {
        this.name = Objects.requireNonNull(name, "name");
        this.summary = Objects.requireNonNull(summary, "summary");
        if (subcommands.isEmpty()) {
            throw new IllegalArgumentException("group '" + name + "' needs at least one sub-verb");
        }
        for (Command c : subcommands) {
            Dispatch.validate(c);
            if (this.subcommands.putIfAbsent(c.name(), c) != null) {
                throw new IllegalArgumentException(
                        "group '" + name + "' has two sub-verbs named '" + c.name() + "'");
            }
        }
    }

    /**
     * Creates a group from sub-verbs given inline.
     *
     * @param name the verb
     * @param summary one line for {@code dpnas --help}
     * @param subcommands the sub-verbs
     */
    public CommandGroup(String name, String summary, Command... subcommands) {
        this(name, summary, List.of(subcommands));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return summary;
    }

    /** Returns no options: options belong to the sub-verbs. */
    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public List<String> positionals() {
        return List.of("SUBVERB", "...");
    }

    /**
     * Returns the sub-verbs in listing order.
     *
     * @return an unmodifiable view
     */
    public Collection<Command> subcommands() {
        return Collections.unmodifiableCollection(subcommands.values());
    }

    /**
     * Dispatches on {@code cl}'s positionals as if they followed {@code dpnas NAME}; {@link Main}
     * instead hands the raw arguments over, so sub-verb options are parsed by the sub-verb.
     */
    @Override
    public int run(CommandLine cl, PrintStream out, PrintStream err) {
        return dispatch("dpnas " + name, cl.getArgList(), out, err, Dispatch.debugFromEnv());
    }

    /** Selects the sub-verb from the first argument and invokes it with the rest. */
    int dispatch(String prog, List<String> args, PrintStream out, PrintStream err, boolean debug) {
        if (args.isEmpty()) {
            printHelp(prog, err);
            return CliException.USAGE;
        }
        String first = args.get(0);
        List<String> rest = args.subList(1, args.size());
        if (first.equals("-h") || first.equals("--help") || first.equals("help")) {
            if (first.equals("help") && !rest.isEmpty()) {
                Command sub = subcommands.get(rest.get(0));
                if (sub != null) {
                    List<String> helpArgs = new ArrayList<>(rest.subList(1, rest.size()));
                    helpArgs.add("--help");
                    return Dispatch.invoke(prog + " " + sub.name(), sub, helpArgs, out, err, debug);
                }
                return unknownSubverb(prog, rest.get(0), err);
            }
            printHelp(prog, out);
            return 0;
        }
        if (first.startsWith("-") && first.length() > 1) {
            err.println(prog + ": unknown option '" + first + "'");
            printShortUsage(prog, err);
            return CliException.USAGE;
        }
        Command sub = subcommands.get(first);
        if (sub == null) {
            return unknownSubverb(prog, first, err);
        }
        return Dispatch.invoke(prog + " " + sub.name(), sub, rest, out, err, debug);
    }

    private int unknownSubverb(String prog, String typed, PrintStream err) {
        err.println(prog + ": " + Dispatch.unknown("sub-verb", typed, subcommands.keySet()));
        printShortUsage(prog, err);
        return CliException.USAGE;
    }

    private void printShortUsage(String prog, PrintStream err) {
        err.println("usage: " + prog + " SUBVERB [options]");
        err.println("Run '" + prog + " --help' for its sub-verbs.");
    }

    private void printHelp(String prog, PrintStream out) {
        out.println("usage: " + prog + " SUBVERB [options]");
        out.println();
        out.println(summary);
        out.println();
        out.println("sub-verbs:");
        Dispatch.printTable(out, subcommands.values());
        out.println();
        out.println("Run '" + prog + " SUBVERB --help' for a sub-verb's options.");
    }
}
