/**
 * Layered JSON configuration: caller defaults, a chain of config files joined by {@code base}, and
 * {@code --set a.b=value} overrides, validated against the defaults.
 *
 * <p>Resolution order, lowest to highest precedence: the caller's defaults, the root of the {@code
 * base} chain, ..., the named config file, then the overrides in the order given. Objects merge key
 * by key; every other value (number, string, boolean, array, null) replaces. The defaults are the
 * schema: a key that has no default is an error, and every value must have its default's type (see
 * {@link org.dpnas.common.config.ConfigLoader} for the type rules). Entry point: {@link
 * org.dpnas.common.config.ConfigLoader#load}.
 */
package org.dpnas.common.config;
