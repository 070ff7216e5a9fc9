package org.dpnas.cli;

import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * Factory for options whose help text always ends with the default, so each option is declared in
 * one call.
 *
 * <pre>{@code
 * Options o = Opts.of(
 *         Opts.value("seed", "N", "seed for every random stream", "0"),
 *         Opts.flag("resume", "continue from the last checkpoint"),
 *         Opts.repeatable("set", "KEY=VALUE", "override a config entry"));
 * }</pre>
 *
 * <p>The defaults written here are documentation; commands pass the same value to the {@link Args}
 * getters.
 */
public final class Opts {

    private static final Pattern LONG_NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    private Opts() {}

    /**
     * Creates an option taking one value, described as {@code "DESCRIPTION (default: DEFAULT)"}.
     *
     * @param longName the name after {@code --}, for example {@code "max-steps"}
     * @param argName the value's placeholder in help, for example {@code "N"}
     * @param description what the option does, without the default
     * @param defaultValue the default shown in help, or {@code null} for {@code none}
     * @return the option
     */
    public static Option value(
            String longName, String argName, String description, String defaultValue) {
        return value(null, longName, argName, description, defaultValue);
    }

    /**
     * Creates an option taking one value with an additional one-letter short name.
     *
     * @param shortName the name after {@code -}, one letter, or {@code null} for none
     * @param longName the name after {@code --}
     * @param argName the value's placeholder in help
     * @param description what the option does, without the default
     * @param defaultValue the default shown in help, or {@code null} for {@code none}
     * @return the option
     */
    public static Option value(
            String shortName,
            String longName,
            String argName,
            String description,
            String defaultValue) {
        return builder(shortName, longName, description, "(default: " + show(defaultValue) + ")")
                .hasArg()
                .argName(checkArgName(argName))
                .get();
    }

    /**
     * Creates a boolean switch without a value, described with {@code (default: off)}.
     *
     * @param longName the name after {@code --}
     * @param description what the switch does when given
     * @return the option
     */
    public static Option flag(String longName, String description) {
        return builder(null, longName, description, "(default: off)").get();
    }

    /**
     * Creates an option that may be given several times, one value each time (for example {@code
     * --set a=1 --set b=2}), described with {@code (repeatable; default: none)}; read it with
     * {@link Args#strings} or {@link Args#keyValues}.
     *
     * @param longName the name after {@code --}
     * @param argName the value's placeholder in help, for example {@code "KEY=VALUE"}
     * @param description what one occurrence does
     * @return the option
     */
    public static Option repeatable(String longName, String argName, String description) {
        return builder(null, longName, description, "(repeatable; default: none)")
                .hasArg()
                .argName(checkArgName(argName))
                .get();
    }

    /**
     * Creates an option taking one value that must be given, described with {@code (required)}; the
     * parser reports its absence.
     *
     * @param longName the name after {@code --}
     * @param argName the value's placeholder in help
     * @param description what the option does
     * @return the option
     */
    public static Option required(String longName, String argName, String description) {
        return builder(null, longName, description, "(required)")
                .hasArg()
                .argName(checkArgName(argName))
                .required()
                .get();
    }

    /**
     * Collects options in the order given, which is also their order in help.
     *
     * @param options the options
     * @return a new {@link Options}
     * @throws IllegalArgumentException if two options share a name
     */
    public static Options of(Option... options) {
        Options result = new Options();
        for (Option o : options) {
            Objects.requireNonNull(o, "option");
            if (o.getLongOpt() != null && result.hasLongOption(o.getLongOpt())) {
                throw new IllegalArgumentException("duplicate option '--" + o.getLongOpt() + "'");
            }
            if (o.getOpt() != null && result.hasShortOption(o.getOpt())) {
                throw new IllegalArgumentException("duplicate option '-" + o.getOpt() + "'");
            }
            result.addOption(o);
        }
        return result;
    }

    private static Option.Builder builder(
            String shortName, String longName, String description, String suffix) {
        Objects.requireNonNull(longName, "longName");
        if (!LONG_NAME.matcher(longName).matches()) {
            throw new IllegalArgumentException(
                    "option name must be lower case words joined by '-', got '" + longName + "'");
        }
        if (shortName != null && !shortName.matches("[A-Za-z]")) {
            throw new IllegalArgumentException(
                    "short option name must be one letter, got '" + shortName + "'");
        }
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException("option '--" + longName + "' needs a description");
        }
        String text = description.strip();
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return Option.builder(shortName).longOpt(longName).desc(text + " " + suffix);
    }

    private static String checkArgName(String argName) {
        if (argName == null || argName.isBlank() || argName.contains(" ")) {
            throw new IllegalArgumentException(
                    "argument name must be one non-blank word, got '" + argName + "'");
        }
        return argName;
    }

    private static String show(String defaultValue) {
        if (defaultValue == null) {
            return "none";
        }
        return defaultValue.isEmpty() ? "\"\"" : defaultValue;
    }
}
