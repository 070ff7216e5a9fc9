package org.dpnas.common.search;

/**
 * A command-line convenience option that sets one config key, declared by a method for its search
 * verb ({@code --layers L} sets {@code space.layers}).
 *
 * @param option the option name without dashes
 * @param arg the argument's name in help, e.g. {@code N}
 * @param description what it does
 * @param key the dotted config key it sets
 * @param kind the value's type: {@code int}, {@code float} or {@code string}
 */
public record ConfigOption(
        String option, String arg, String description, String key, String kind) {}
