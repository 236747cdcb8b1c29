package io.secretrecon.config;

import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One job setting: its key, its type, its default and what it means, defined once in
 * {@link Settings}. {@link #read} takes the value from {@link RawSettings} or, when the key is
 * absent, parses the default with the same type, so a default can never be of the wrong type.
 * Every error names the key; none quotes a value that came from a {@code ${env:}} or
 * {@code ${file:}} reference (it may be a secret).
 *
 * @param <T> the typed value
 */
public final class Setting<T> {

    private final String key;
    private final String defaultText;
    private final String meaning;
    private final Type<T> type;

    Setting(String key, String defaultText, String meaning, Type<T> type) {
        this.key = Objects.requireNonNull(key);
        this.defaultText = Objects.requireNonNull(defaultText);
        this.meaning = Objects.requireNonNull(meaning);
        this.type = Objects.requireNonNull(type);
    }

    public String key() {
        return key;
    }

    /** The default as it is written in the README and the settings file; empty when there is none. */
    public String defaultText() {
        return defaultText;
    }

    /** One line for the README's configuration table. */
    public String meaning() {
        return meaning;
    }

    /** The typed value: the raw value if the key is set, else the default. */
    public T read(RawSettings raw) {
        if (raw.contains(key)) {
            return type.parse(key, new Value(raw.list(key), raw.text(key), raw.isReference(key)));
        }
        return defaultValue();
    }

    /** The typed default. */
    public T defaultValue() {
        return type.parse(key, new Value(splitList(defaultText), defaultText, false));
    }

    private static List<String> splitList(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return key;
    }

    /** A raw value in both of its forms; {@code secret} when it came from a reference. */
    static final class Value {
        final List<String> items;
        final String text;
        final boolean secret;

        Value(List<String> items, String text, boolean secret) {
            this.items = items;
            this.text = text == null ? "" : text.trim();
            this.secret = secret;
        }

        /** The value for an error message: a referenced value is never shown. */
        String quoted() {
            return secret ? "(the referenced value)" : "'" + text + "'";
        }
    }

    /** How a value of one type is parsed; errors throw {@link ConfigException} naming the key. */
    interface Type<T> {
        T parse(String key, Value value);
    }

    static final Type<String> TEXT = (key, v) -> v.text;

    static final Type<List<String>> LIST = (key, v) -> List.copyOf(v.items);

    static final Type<Duration> DURATION = (key, v) -> {
        try {
            return TimeUtils.parseDuration(v.text);
        } catch (RuntimeException e) {
            throw ConfigException.forKey(key, v.quoted() + " is not a duration (examples: 6m, 30 s, 500ms)");
        }
    };

    static final Type<Duration> POSITIVE_DURATION = (key, v) -> {
        Duration d = DURATION.parse(key, v);
        if (d.toMillis() <= 0) {
            throw ConfigException.forKey(key, "must be at least 1 ms, got " + v.quoted());
        }
        return d;
    };

    static final Type<Integer> POSITIVE_INT = (key, v) -> {
        int n;
        try {
            n = Integer.parseInt(v.text);
        } catch (NumberFormatException e) {
            throw ConfigException.forKey(key, v.quoted() + " is not an integer");
        }
        if (n < 1) {
            throw ConfigException.forKey(key, "must be at least 1, got " + v.quoted());
        }
        return n;
    };

    /** A memory size in bytes, between 1 KiB and just under 2 GiB (it sizes Java arrays). */
    static final Type<Long> MEMORY_SIZE = (key, v) -> {
        long bytes;
        try {
            bytes = MemorySize.parse(v.text).getBytes();
        } catch (IllegalArgumentException e) {
            throw ConfigException.forKey(key, v.quoted() + " is not a memory size (examples: 16mb, 512kb)");
        }
        if (bytes < 1024 || bytes > Integer.MAX_VALUE - 16) {
            throw ConfigException.forKey(key, "must be between 1kb and 2gb, got " + v.quoted());
        }
        return bytes;
    };

    static final Type<Boolean> BOOLEAN = (key, v) -> {
        String s = v.text.toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw ConfigException.forKey(key, v.quoted() + " is not true or false");
    };

    /** One constant of {@code type}, written in lower case with dashes ({@code windows}, {@code all}). */
    static <E extends Enum<E>> Type<E> enumType(Class<E> type) {
        return (key, v) -> parseEnum(key, v, type);
    }

    /** A non-empty set of constants, written as a list ({@code kafka,stdout}). */
    static <E extends Enum<E>> Type<List<E>> enumListType(Class<E> type) {
        return (key, v) -> {
            List<E> out = new ArrayList<>();
            for (String item : v.items) {
                E e = parseEnum(key, new Value(List.of(item), item, v.secret), type);
                if (!out.contains(e)) {
                    out.add(e);
                }
            }
            return List.copyOf(out);
        };
    }

    private static <E extends Enum<E>> E parseEnum(String key, Value v, Class<E> type) {
        String normalized = v.text.toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(normalized)) {
                return e;
            }
        }
        throw ConfigException.forKey(key, v.quoted() + " is not one of " + String.join(", ", names(type)));
    }

    static <E extends Enum<E>> List<String> names(Class<E> type) {
        List<String> allowed = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            allowed.add(name(e));
        }
        return allowed;
    }

    /** How a constant is written in settings: {@code ELASTICSEARCH} is {@code elasticsearch}. */
    public static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
