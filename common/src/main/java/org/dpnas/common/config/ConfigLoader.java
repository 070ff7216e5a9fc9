package org.dpnas.common.config;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.MalformedJsonException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Resolves a {@link Config} from the caller's defaults, an optional chain of JSON config files and
 * {@code --set} overrides.
 *
 * <p><b>File chain.</b> A config file is a strict JSON object. Its optional top-level key {@value
 * #BASE_KEY} is a string naming a parent config, as a path relative to the directory of the file
 * that names it (absolute paths are used as they are). Parents are followed recursively; a cycle,
 * an unreadable base or a base that is not a string is an error naming the files involved. The
 * {@value #BASE_KEY} key is removed and never appears in the result.
 *
 * <p><b>Merge.</b> Layers apply in order defaults, root base, ..., the named file, overrides.
 * Objects merge key by key; any other value (number, string, boolean, array, null) replaces the
 * value below it. Because every layer is validated against the defaults, the result has exactly the
 * defaults' keys in the defaults' order.
 *
 * <p><b>Overrides.</b> Each override is {@code a.b.c=value}. The value is parsed as strict JSON
 * when it is a complete JSON document ({@code 3}, {@code 0.5}, {@code true}, {@code null}, {@code
 * [1,2]}, {@code "x"}, {@code {"k":1}}); otherwise it is taken as a plain string, so {@code
 * data.root=/tmp/x} works. An object value merges into the object at that path like a file layer.
 *
 * <p><b>Types.</b> Every key must exist in the defaults, and every value must match its default:
 *
 * <ul>
 *   <li>a number default whose JSON text contains {@code .}, {@code e} or {@code E} (such as {@code
 *       0.01}, {@code 1.0} or {@code 1e-4}) is a float and accepts any number;
 *   <li>any other number default (such as {@code 10}) is an integer and accepts only numbers with
 *       an integral value within the 64-bit range ({@code 3} and {@code 3.0}, not {@code 0.5});
 *   <li>string, boolean, array and object defaults accept only the same JSON type; objects are
 *       checked key by key, and an array default whose elements are all of one primitive kind also
 *       checks each element by these rules (an empty default array accepts any elements);
 *   <li>a {@code null} default accepts null or any string, number or boolean.
 * </ul>
 *
 * <p>Duplicate keys inside one JSON object are not detected; the last one wins (Gson behaviour).
 */
public final class ConfigLoader {

    /** The top-level key that names a parent config file. */
    public static final String BASE_KEY = "base";

    /** The source name used in messages about overrides, followed by the override text. */
    public static final String OVERRIDE_SOURCE = "--set";

    private ConfigLoader() {}

    /**
     * Resolves defaults, the file chain starting at {@code configFileOrNull} and the overrides into
     * a validated, complete config.
     *
     * @param defaults every allowed key with its default value; not modified
     * @param configFileOrNull the user's config file, or null to use only defaults and overrides
     * @param overrides {@code a.b.c=value} strings applied in order; null means none
     * @return the resolved config
     * @throws ConfigException on a bad file, base chain, override, unknown key or wrong type
     * @throws IllegalArgumentException when the defaults are null or are not a usable schema
     */
    public static Config load(JsonObject defaults, Path configFileOrNull, List<String> overrides) {
        List<Setting> settings = new ArrayList<>();
        if (overrides != null) {
            overrides.forEach(o -> settings.add(Setting.of(o)));
        }
        return loadSettings(defaults, configFileOrNull, settings);
    }

    /**
     * One {@code a.b.c=value} override and the words that set it, for messages: {@code --set
     * a.b.c=value} by default, or the convenience option the user typed ({@code --batch-size -3}).
     *
     * @param text the {@code a.b.c=value} text
     * @param source how messages name it
     */
    public record Setting(String text, String source) {
        /** An override from {@code --set}. */
        public static Setting of(String text) {
            return new Setting(text, OVERRIDE_SOURCE + " " + text);
        }
    }

    /**
     * Like {@link #load(JsonObject, Path, List)}, with overrides that carry their own source name,
     * and with the {@linkplain Constraints constraints} declared in the defaults checked on the
     * result; a violation names the key, the rule, the value and the layer that set it.
     */
    public static Config loadSettings(
            JsonObject defaults, Path configFileOrNull, List<Setting> settings) {
        Schema.checkDefaults(defaults);
        JsonObject schema = defaults.deepCopy();
        Constraints constraints = Constraints.extract(schema);
        JsonObject merged = schema.deepCopy();
        List<JsonObject> layers = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        if (configFileOrNull != null) {
            for (Layer layer : readChain(configFileOrNull)) {
                Schema.validate(schema, layer.values(), "", layer.source());
                JsonSupport.mergeInto(merged, layer.values());
                layers.add(layer.values());
                sources.add(layer.source());
            }
        }
        if (settings != null) {
            for (Setting setting : settings) {
                if (setting.text() == null) {
                    throw new ConfigException(OVERRIDE_SOURCE + ": override must not be null");
                }
                JsonObject layer = parseOverride(setting.text(), setting.source());
                Schema.validate(schema, layer, "", setting.source());
                JsonSupport.mergeInto(merged, layer);
                layers.add(layer);
                sources.add(setting.source());
            }
        }
        for (String key : constraints.keys()) {
            String problem = constraints.violation(merged, key);
            if (problem != null) {
                String source = "defaults";
                for (int i = layers.size() - 1; i >= 0; i--) {
                    if (Constraints.sets(layers.get(i), key)) {
                        source = sources.get(i);
                        break;
                    }
                }
                throw new ConfigException(source + ": " + problem);
            }
        }
        return new Config(schema, merged, "");
    }

    /**
     * Reads a defaults object from a classpath resource, resolved like {@link
     * Class#getResourceAsStream(String)} (relative to the anchor's package unless it starts with
     * {@code /}).
     *
     * @param anchor the class whose loader and package locate the resource
     * @param resourceName the resource name, such as {@code "defaults.json"}
     * @return the parsed JSON object
     * @throws ConfigException when the resource is missing, unreadable, not strict JSON or not an
     *     object
     */
    public static JsonObject defaultsFromResource(Class<?> anchor, String resourceName) {
        Objects.requireNonNull(anchor, "anchor");
        Objects.requireNonNull(resourceName, "resourceName");
        String source = "resource '" + resourceName + "' (relative to " + anchor.getName() + ")";
        try (InputStream in = anchor.getResourceAsStream(resourceName)) {
            if (in == null) {
                throw new ConfigException(source + ": not found on the classpath");
            }
            return parseObject(new InputStreamReader(in, StandardCharsets.UTF_8), source);
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + reason(e), e);
        }
    }

    /**
     * Applies overrides to {@code merged} in place after validating each against {@code schema}.
     *
     * @param prefix dotted path of {@code schema} within the root config, used in messages
     */
    static void applyOverrides(
            JsonObject schema, JsonObject merged, List<String> overrides, String prefix) {
        if (overrides == null) {
            return;
        }
        for (String override : overrides) {
            JsonObject layer = parseOverride(override);
            Schema.validate(schema, layer, prefix, OVERRIDE_SOURCE + " " + override);
            JsonSupport.mergeInto(merged, layer);
        }
    }

    /** Turns {@code a.b.c=value} into the object {@code {"a":{"b":{"c":value}}}}. */
    static JsonObject parseOverride(String override) {
        if (override == null) {
            throw new ConfigException(OVERRIDE_SOURCE + ": override must not be null");
        }
        return parseOverride(override, OVERRIDE_SOURCE + " " + override);
    }

    private static JsonObject parseOverride(String override, String source) {
        int eq = override.indexOf('=');
        if (eq < 0) {
            throw new ConfigException(source + ": malformed override, expected key=value");
        }
        String key = override.substring(0, eq).trim();
        String[] parts = key.split("\\.", -1);
        for (String part : parts) {
            if (part.isEmpty()) {
                throw new ConfigException(
                        source + ": malformed key '" + key + "' (empty segment in dotted path)");
            }
        }
        String raw = override.substring(eq + 1);
        JsonElement value = JsonSupport.tryParse(raw);
        if (value == null) {
            value = new JsonPrimitive(raw);
        }
        JsonObject root = new JsonObject();
        JsonObject cursor = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonObject next = new JsonObject();
            cursor.add(parts[i], next);
            cursor = next;
        }
        cursor.add(parts[parts.length - 1], value);
        return root;
    }

    /** One file of the chain: its values without {@code base}, and its display path. */
    private record Layer(JsonObject values, String source) {}

    /** Reads the chain starting at {@code file}; the result is ordered root base first. */
    private static List<Layer> readChain(Path file) {
        List<Layer> chain = new ArrayList<>();
        List<Path> identities = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Path current = file;
        String namedBy = null;
        while (true) {
            String display = current.normalize().toString();
            Path identity = identity(current);
            int seen = identities.indexOf(identity);
            if (seen >= 0) {
                StringBuilder cycle = new StringBuilder();
                for (int i = seen; i < names.size(); i++) {
                    cycle.append(names.get(i)).append(" -> ");
                }
                cycle.append(display);
                throw new ConfigException(namedBy + ": base cycle: " + cycle);
            }
            JsonObject values = readFile(current, display, namedBy);
            identities.add(identity);
            names.add(display);
            JsonElement base = values.remove(BASE_KEY);
            chain.add(0, new Layer(values, display));
            if (base == null) {
                return chain;
            }
            if (!base.isJsonPrimitive() || !base.getAsJsonPrimitive().isString()) {
                throw new ConfigException(
                        display
                                + ": key '"
                                + BASE_KEY
                                + "' expects a string, got "
                                + JsonSupport.describe(base));
            }
            try {
                current = current.resolveSibling(base.getAsString());
            } catch (InvalidPathException e) {
                throw new ConfigException(
                        display + ": invalid base path '" + base.getAsString() + "'", e);
            }
            namedBy = display;
        }
    }

    private static Path identity(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    private static JsonObject readFile(Path file, String display, String namedBy) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parseObject(reader, display);
        } catch (IOException e) {
            String what =
                    namedBy == null
                            ? "cannot read config '" + display + "'"
                            : namedBy + ": cannot read base '" + display + "'";
            throw new ConfigException(what + ": " + reason(e), e);
        }
    }

    private static JsonObject parseObject(Reader reader, String source) throws IOException {
        JsonElement element;
        try {
            element = JsonSupport.parseStrict(reader);
        } catch (JsonParseException
                | EOFException
                | MalformedJsonException
                | IllegalStateException e) {
            throw new ConfigException(
                    source + ": invalid JSON" + JsonSupport.explainParseError(e), e);
        }
        if (!element.isJsonObject()) {
            throw new ConfigException(
                    source
                            + ": top level must be a JSON object, got "
                            + JsonSupport.describe(element));
        }
        return element.getAsJsonObject();
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.replace('\n', ' ');
    }
}
