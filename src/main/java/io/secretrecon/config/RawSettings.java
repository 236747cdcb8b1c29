package io.secretrecon.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings as text before validation: a YAML file (nested or dotted keys, like Flink's
 * {@code config.yaml}) overlaid with {@code --key value} arguments. Values may reference
 * secrets kept outside the file: {@code ${env:NAME}} and {@code ${file:/path}} are replaced when
 * read (the file's content with one trailing newline removed).
 */
public final class RawSettings {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

    private final Map<String, Object> values = new LinkedHashMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();

    /** Reads a YAML settings file. */
    public RawSettings loadYaml(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonParser p = new YAMLFactory().createParser(r)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return this;
            }
            if (t != JsonToken.START_OBJECT) {
                throw new ConfigException(file + ": expected a mapping of settings at the top level");
            }
            readMapping(p, "", file.toString());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read settings file: " + e.getMessage());
        }
        return this;
    }

    private void readMapping(JsonParser p, String prefix, String origin) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix + p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                readMapping(p, key + ".", origin);
            } else if (t == JsonToken.START_ARRAY) {
                List<String> list = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t.isStructStart()) {
                        throw new ConfigException(key + ": list items must be plain values (" + origin + ")");
                    }
                    if (t != JsonToken.VALUE_NULL) { // getText() would give the word "null"
                        list.add(p.getText());
                    }
                }
                put(key, list, origin);
            } else if (t == JsonToken.VALUE_NULL) {
                put(key, "", origin);
            } else {
                put(key, p.getText(), origin);
            }
        }
    }

    /** Applies {@code --key value} pairs. */
    public RawSettings applyArguments(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new ConfigException("argument '" + a + "': expected --key value");
            }
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (i + 1 >= args.length) {
                    throw ConfigException.forKey(key, "missing value after --" + key);
                }
                value = args[++i];
            }
            put(key, value, "command line");
        }
        return this;
    }

    public RawSettings put(String key, Object value, String origin) {
        values.remove(key);
        values.put(key, value);
        origins.put(key, origin);
        return this;
    }

    public Map<String, Object> values() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    /**
     * Whether the value mentions a {@code ${env:}} or {@code ${file:}} reference: what it resolves
     * to may be a secret, so errors about it must not quote it.
     */
    public boolean isReference(String key) {
        Object v = values.get(key);
        if (v == null) {
            return false;
        }
        List<?> items = v instanceof List ? (List<?>) v : List.of(v);
        for (Object item : items) {
            if (REFERENCE.matcher(item.toString()).find()) {
                return true;
            }
        }
        return false;
    }

    /** The value as text (lists joined by commas), with references resolved; null if absent. */
    public String text(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof List) {
            return String.join(",", list(key));
        }
        return resolve(key, (String) v);
    }

    /** The value as a list: a YAML list, or text split at commas; empty items dropped. */
    public List<String> list(String key) {
        Object v = values.get(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        List<?> items = v instanceof List ? (List<?>) v : List.of(((String) v).split(","));
        for (Object item : items) {
            String s = resolve(key, item.toString()).trim();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    static String resolve(String key, String value) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1).equals("env")) {
                replacement = System.getenv(m.group(2));
                if (replacement == null) {
                    throw ConfigException.forKey(key, "environment variable " + m.group(2) + " is not set");
                }
            } else {
                try {
                    replacement = Files.readString(Path.of(m.group(2)), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw ConfigException.forKey(key, "cannot read secret file " + m.group(2));
                }
                if (replacement.endsWith("\n")) {
                    replacement = replacement.substring(0, replacement.length() - 1);
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
