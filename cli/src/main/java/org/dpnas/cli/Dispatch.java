package org.dpnas.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.MissingOptionException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;
import org.dpnas.common.util.Names;

/** Shared machinery of {@link Main} and {@link CommandGroup}: parsing, help and error mapping. */
final class Dispatch {

    /** Width of help text. */
    static final int WIDTH = 100;

    private Dispatch() {}

    /**
     * Runs a command with its raw arguments and returns the exit code; never throws for command
     * failures.
     *
     * @param prog the program prefix, for example {@code "dpnas train"}
     */
    static int invoke(
            String prog,
            Command cmd,
            List<String> args,
            PrintStream out,
            PrintStream err,
            boolean debug) {
        if (cmd instanceof CommandGroup group) {
            return group.dispatch(prog, args, out, err, debug);
        }
        if (wantsHelp(args)) {
            printHelp(prog, cmd, out);
            return 0;
        }
        CommandLine cl;
        try {
            cl =
                    DefaultParser.builder()
                            .setAllowPartialMatching(false)
                            .get()
                            .parse(cmd.options(), args.toArray(String[]::new));
        } catch (ParseException e) {
            err.println(prog + ": " + describe(e));
            err.println(usageLine(prog, cmd));
            err.println("Run '" + prog + " --help' for its options.");
            return CliException.USAGE;
        }
        try {
            return cmd.run(cl, out, err);
        } catch (CliException e) {
            err.println(prog + ": " + e.getMessage());
            return e.exitCode();
        } catch (IllegalArgumentException e) {
            err.println(prog + ": " + message(e));
            trace(e, err, debug);
            return CliException.USAGE;
        } catch (IOException e) {
            err.println(prog + ": " + describe(e));
            trace(e, err, debug);
            return 1;
        } catch (UncheckedIOException e) {
            err.println(prog + ": " + describe(e.getCause()));
            trace(e, err, debug);
            return 1;
        } catch (Exception | LinkageError e) {
            err.println(prog + ": error: " + message(e));
            trace(e, err, debug);
            return 1;
        }
    }

    /** True if {@code -h} or {@code --help} occurs before any {@code --} terminator. */
    private static boolean wantsHelp(List<String> args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("-h") || a.equals("--help")) {
                return true;
            }
        }
        return false;
    }

    /** The usage line, for example {@code usage: dpnas train [options] CONFIG}. */
    static String usageLine(String prog, Command cmd) {
        StringBuilder sb = new StringBuilder("usage: ").append(prog).append(" [options]");
        for (String p : cmd.positionals()) {
            sb.append(' ').append(p);
        }
        return sb.toString();
    }

    /** Prints a leaf command's help: usage line, summary and every option. */
    static void printHelp(String prog, Command cmd, PrintStream out) {
        out.println(usageLine(prog, cmd));
        out.println();
        out.println(cmd.summary());
        out.println();
        out.println("options:");
        List<Option> shown = new ArrayList<>();
        shown.add(helpOption());
        shown.addAll(cmd.options().getOptions());
        List<String> left = new ArrayList<>();
        int width = 0;
        for (Option o : shown) {
            String l;
            if (o.getLongOpt() == null) {
                l = "  -" + o.getOpt();
            } else {
                l =
                        (o.getOpt() != null ? "  -" + o.getOpt() + "," : "     ")
                                + "--"
                                + o.getLongOpt();
            }
            if (o.hasArg()) {
                l += " <" + (o.getArgName() != null ? o.getArgName() : "ARG") + ">";
            }
            left.add(l);
            width = Math.max(width, l.length());
        }
        for (int i = 0; i < shown.size(); i++) {
            String indent = " ".repeat(width + 3);
            List<String> wrapped = wrap(shown.get(i).getDescription(), WIDTH - indent.length());
            out.println(pad(left.get(i), width) + "   " + wrapped.get(0));
            for (String more : wrapped.subList(1, wrapped.size())) {
                out.println(indent + more);
            }
        }
    }

    /** Splits text at spaces into lines of at most {@code width} characters where possible. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" +")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > Math.max(width, 20)) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    private static Option helpOption() {
        return Option.builder("h").longOpt("help").desc("show this help and exit").get();
    }

    /** Prints a table of names and summaries, two spaces indented and aligned. */
    static void printTable(PrintStream out, Collection<? extends Command> commands) {
        int width = 0;
        for (Command c : commands) {
            width = Math.max(width, c.name().length());
        }
        for (Command c : commands) {
            out.println("  " + pad(c.name(), width) + "   " + c.summary());
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }

    /** Checks a command's name and that its options follow the framework's conventions. */
    static void validate(Command cmd) {
        String name = cmd.name();
        if (name == null || !name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException(
                    "verb names must be lower case words joined by '-', got '" + name + "'");
        }
        if (name.equals("help")) {
            throw new IllegalArgumentException("'help' is reserved and cannot be a verb");
        }
        String summary = cmd.summary();
        if (summary == null || summary.isBlank() || summary.contains("\n")) {
            throw new IllegalArgumentException("verb '" + name + "' needs a one-line summary");
        }
        for (Option o : cmd.options().getOptions()) {
            String shown = o.getLongOpt() != null ? "--" + o.getLongOpt() : "-" + o.getOpt();
            if ("h".equals(o.getOpt()) || "help".equals(o.getLongOpt())) {
                throw new IllegalArgumentException(
                        "verb '" + name + "' must not declare " + shown + "; help is built in");
            }
            String d = o.getDescription();
            boolean documented =
                    d != null
                            && d.endsWith(")")
                            && (d.contains("default: ") || d.endsWith("(required)"));
            if (!documented) {
                throw new IllegalArgumentException(
                        "verb '"
                                + name
                                + "': description of "
                                + shown
                                + " must end with its default, e.g. '(default: 0)'; use Opts");
            }
        }
        if (cmd instanceof CommandGroup group) {
            for (Command sub : group.subcommands()) {
                validate(sub);
            }
        }
    }

    /** Returns the closest name within edit distance 2, or {@code null}. */
    static String suggest(String typed, Collection<String> names) {
        String best = null;
        int bestDistance = 3;
        String lower = typed.toLowerCase(Locale.ROOT);
        for (String n : names) {
            int d = Names.editDistance(lower, n);
            if (d < bestDistance) {
                best = n;
                bestDistance = d;
            }
        }
        return best;
    }

    /** The {@code unknown X 'typed' (did you mean 'y'?)} message. */
    static String unknown(String what, String typed, Collection<String> names) {
        String guess = suggest(typed, names);
        return "unknown "
                + what
                + " '"
                + typed
                + "'"
                + (guess == null ? "" : " (did you mean '" + guess + "'?)");
    }

    private static String describe(ParseException e) {
        if (e instanceof UnrecognizedOptionException u && u.getOption() != null) {
            String token = u.getOption();
            int eq = token.indexOf('=');
            if (token.startsWith("--") && eq > 0) {
                token = token.substring(0, eq);
            }
            return "unknown option '" + token + "'";
        }
        if (e instanceof MissingArgumentException m && m.getOption() != null) {
            return "option '" + display(m.getOption()) + "' needs a value";
        }
        if (e instanceof MissingOptionException m) {
            List<String> names = new ArrayList<>();
            for (Object o : m.getMissingOptions()) {
                names.add(
                        "'" + (o instanceof String s && s.length() > 1 ? "--" + s : "-" + o) + "'");
            }
            return (names.size() == 1 ? "missing required option " : "missing required options ")
                    + String.join(", ", names);
        }
        return message(e);
    }

    private static String display(Option o) {
        return o.getLongOpt() != null ? "--" + o.getLongOpt() : "-" + o.getOpt();
    }

    /** A user-facing text for an I/O failure; NIO exceptions often carry only the path. */
    static String describe(IOException e) {
        String file = e instanceof java.nio.file.FileSystemException f ? f.getFile() : null;
        if (file != null) {
            String what;
            if (e instanceof NoSuchFileException) {
                what = "no such file or directory";
            } else if (e instanceof AccessDeniedException) {
                what = "permission denied";
            } else if (e instanceof FileAlreadyExistsException) {
                what = "already exists";
            } else if (e instanceof NotDirectoryException) {
                what = "not a directory";
            } else if (e instanceof DirectoryNotEmptyException) {
                what = "directory not empty";
            } else {
                String reason = ((java.nio.file.FileSystemException) e).getReason();
                what = reason != null ? reason : e.getClass().getSimpleName();
            }
            return file + ": " + what;
        }
        return message(e);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : m;
    }

    private static void trace(Throwable e, PrintStream err, boolean debug) {
        if (debug) {
            e.printStackTrace(err);
        }
    }

    /** Whether {@code DPNAS_DEBUG=1} is set in the environment. */
    static boolean debugFromEnv() {
        return "1".equals(System.getenv("DPNAS_DEBUG"));
    }
}
