package org.dpnas.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

/**
 * Typed getters for parsed options and positionals that throw {@link CliException} with uniform
 * one-line messages, such as {@code option '--seed' expects an integer, got 'abc'}.
 *
 * <p>Options are named by their long name (or short name if they have no long one). When a
 * single-valued option is given more than once, the last occurrence wins.
 */
public final class Args {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private Args() {}

    /**
     * Returns an option's value as an {@code int}.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @param defaultValue the value when the option is absent
     * @return the value
     * @throws CliException if the value is not an integer in range
     */
    public static int intValue(CommandLine cl, String opt, int defaultValue) {
        String raw = last(cl, opt);
        if (raw == null) {
            return defaultValue;
        }
        long v = parseLong(cl, opt, raw, Integer.MIN_VALUE, Integer.MAX_VALUE);
        return (int) v;
    }

    /**
     * Returns an option's value as a {@code long}.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @param defaultValue the value when the option is absent
     * @return the value
     * @throws CliException if the value is not an integer in range
     */
    public static long longValue(CommandLine cl, String opt, long defaultValue) {
        String raw = last(cl, opt);
        return raw == null ? defaultValue : parseLong(cl, opt, raw, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Returns an option's value as a finite {@code float}; plain decimal notation only ({@code
     * 0.1}, {@code 1e-4}), no {@code NaN}, {@code Infinity} or type suffixes.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @param defaultValue the value when the option is absent
     * @return the value
     * @throws CliException if the value is not a finite number representable as a float
     */
    public static float floatValue(CommandLine cl, String opt, float defaultValue) {
        String raw = last(cl, opt);
        if (raw == null) {
            return defaultValue;
        }
        checkDecimal(cl, opt, raw);
        float v = Float.parseFloat(raw);
        if (!Float.isFinite(v)) {
            throw new CliException(name(cl, opt) + " is out of range, got '" + raw + "'");
        }
        return v;
    }

    /**
     * Returns an option's value as a finite {@code double}, with the same syntax as {@link
     * #floatValue}.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @param defaultValue the value when the option is absent
     * @return the value
     * @throws CliException if the value is not a finite number
     */
    public static double doubleValue(CommandLine cl, String opt, double defaultValue) {
        String raw = last(cl, opt);
        if (raw == null) {
            return defaultValue;
        }
        checkDecimal(cl, opt, raw);
        double v = Double.parseDouble(raw);
        if (!Double.isFinite(v)) {
            throw new CliException(name(cl, opt) + " is out of range, got '" + raw + "'");
        }
        return v;
    }

    /**
     * Returns an option's value as text.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @param defaultValue the value when the option is absent, may be {@code null}
     * @return the value
     */
    public static String string(CommandLine cl, String opt, String defaultValue) {
        String raw = last(cl, opt);
        return raw == null ? defaultValue : raw;
    }

    /**
     * Returns an option's value, failing when it is absent.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @return the value
     * @throws CliException {@code option '--x' is required} when absent
     */
    public static String requiredString(CommandLine cl, String opt) {
        String raw = last(cl, opt);
        if (raw == null) {
            throw new CliException(name(cl, opt) + " is required");
        }
        return raw;
    }

    /**
     * Returns an option's value as a path (not checked for existence).
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @param defaultValue the value when the option is absent, may be {@code null}
     * @return the path
     * @throws CliException if the value is empty or not a valid path
     */
    public static Path path(CommandLine cl, String opt, Path defaultValue) {
        String raw = last(cl, opt);
        return raw == null ? defaultValue : toPath(name(cl, opt), raw);
    }

    /**
     * Returns whether a flag was given.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @return {@code true} if present
     */
    public static boolean flag(CommandLine cl, String opt) {
        return cl.hasOption(opt);
    }

    /**
     * Returns every value of a repeatable option in command-line order.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @return the values, empty when absent; unmodifiable
     */
    public static List<String> strings(CommandLine cl, String opt) {
        String[] values = cl.getOptionValues(opt);
        return values == null ? List.of() : List.of(values);
    }

    /**
     * Returns the values of a repeatable {@code KEY=VALUE} option such as {@code --set
     * train.lr=0.1}, in command-line order; a later key replaces an earlier one.
     *
     * @param cl the parsed command line
     * @param opt the option's name
     * @return key to value, empty when absent; unmodifiable
     * @throws CliException if a value has no {@code '='} or an empty key
     */
    public static Map<String, String> keyValues(CommandLine cl, String opt) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String raw : strings(cl, opt)) {
            int eq = raw.indexOf('=');
            if (eq <= 0 || raw.substring(0, eq).isBlank()) {
                throw new CliException(name(cl, opt) + " expects KEY=VALUE, got '" + raw + "'");
            }
            String key = raw.substring(0, eq).strip();
            result.remove(key);
            result.put(key, raw.substring(eq + 1));
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * Returns the positional argument at an index.
     *
     * @param cl the parsed command line
     * @param index zero-based position
     * @param name the argument's name in the usage line, for the error message
     * @return the argument
     * @throws CliException {@code missing argument NAME} when there are too few
     */
    public static String positional(CommandLine cl, int index, String name) {
        List<String> args = cl.getArgList();
        if (index >= args.size()) {
            throw new CliException("missing argument " + name);
        }
        return args.get(index);
    }

    /**
     * Returns the positional argument at an index as a path.
     *
     * @param cl the parsed command line
     * @param index zero-based position
     * @param name the argument's name in the usage line, for error messages
     * @return the path
     * @throws CliException if the argument is missing or not a valid path
     */
    public static Path positionalPath(CommandLine cl, int index, String name) {
        return toPath("argument " + name, positional(cl, index, name));
    }

    /**
     * Fails if more than {@code max} positional arguments were given.
     *
     * @param cl the parsed command line
     * @param max the number of positionals the command accepts
     * @throws CliException {@code unexpected argument 'x'} naming the first extra one
     */
    public static void atMostPositionals(CommandLine cl, int max) {
        List<String> args = cl.getArgList();
        if (args.size() > max) {
            throw new CliException("unexpected argument '" + args.get(max) + "'");
        }
    }

    private static String last(CommandLine cl, String opt) {
        String[] values = cl.getOptionValues(opt);
        return values == null || values.length == 0 ? null : values[values.length - 1];
    }

    private static long parseLong(CommandLine cl, String opt, String raw, long min, long max) {
        if (!INTEGER.matcher(raw).matches()) {
            throw new CliException(name(cl, opt) + " expects an integer, got '" + raw + "'");
        }
        try {
            long v = Long.parseLong(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the range message
        }
        throw new CliException(
                name(cl, opt)
                        + " expects an integer in ["
                        + min
                        + ", "
                        + max
                        + "], got '"
                        + raw
                        + "'");
    }

    private static void checkDecimal(CommandLine cl, String opt, String raw) {
        if (!DECIMAL.matcher(raw).matches()) {
            throw new CliException(name(cl, opt) + " expects a number, got '" + raw + "'");
        }
    }

    private static Path toPath(String what, String raw) {
        if (raw.isEmpty()) {
            throw new CliException(what + " expects a path, got ''");
        }
        try {
            return Path.of(raw);
        } catch (InvalidPathException e) {
            throw new CliException(what + " expects a path, got '" + raw + "': " + e.getReason());
        }
    }

    /** Formats {@code option '--long'} (or {@code '-s'}) for an option named by either name. */
    static String name(CommandLine cl, String opt) {
        return "option '" + display(cl.getOptions(), opt) + "'";
    }

    private static String display(Option[] given, String opt) {
        for (Option o : given) {
            if (opt.equals(o.getOpt()) || opt.equals(o.getLongOpt())) {
                return o.getLongOpt() != null ? "--" + o.getLongOpt() : "-" + o.getOpt();
            }
        }
        return opt.length() == 1 ? "-" + opt : "--" + opt;
    }
}
