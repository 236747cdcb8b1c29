package io.secretrecon.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rewrites the configuration table of a README between its {@code <!-- settings:start -->} and
 * {@code <!-- settings:end -->} markers from {@link Settings} ({@code scripts/settings-table.sh}).
 */
public final class SettingsTable {

    static final String START = "<!-- settings:start -->\n";
    static final String END = "<!-- settings:end -->";

    private SettingsTable() {}

    public static void main(String[] args) throws IOException {
        Path readme = Path.of(args.length > 0 ? args[0] : "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            throw new IllegalStateException(readme + " has no " + START.trim() + " ... " + END + " markers");
        }
        Files.writeString(readme, text.substring(0, start + START.length()) + Settings.markdownTable() + text.substring(end),
                StandardCharsets.UTF_8);
    }
}
