package io.secretrecon.config;

/** A configuration that cannot work; the message names the key and what is wrong with it. */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException forKey(String key, String problem) {
        return new ConfigException(key + ": " + problem);
    }
}
