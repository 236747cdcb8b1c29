package io.secretrecon.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The byte lookup of member keys ({@code resolveLiteral}) against the map lookup ({@code resolve}). */
class FieldTrieTest {

    @Test
    void everyFieldsPathIsFoundByItsBytes() {
        for (AuditField f : AuditField.values()) {
            FieldTrie.Node n = FieldTrie.RECORD;
            for (String segment : f.path) {
                FieldTrie.Node child = literal(n, segment);
                assertThat(child).as("%s at %s", f, segment).isNotNull().isSameAs(n.resolve(segment));
                n = child;
            }
            assertThat(n.field).isEqualTo(f);
        }
    }

    @Test
    void keysNextToTheFieldsAndRandomKeysResolveAsTheMapDoes() {
        Random random = new Random(9);
        List<String> keys = new ArrayList<>(List.of("", "a", "items", "ITEMS", "user_agent "));
        for (AuditField f : AuditField.values()) {
            for (String s : f.path) {
                keys.add(s.substring(1));
                keys.add(s.substring(0, s.length() - 1));
                keys.add(s + "x");
                keys.add("x" + s);
                keys.add((char) (s.charAt(0) ^ 1) + s.substring(1));
                keys.add(s.substring(0, s.length() - 1) + (char) (s.charAt(s.length() - 1) ^ 1));
                keys.add(s.length() > 2 ? s.charAt(0) + s.substring(2, s.length()) + s.charAt(s.length() - 1) : s);
            }
        }
        for (int k = 0; k < 20_000; k++) {
            char[] c = new char[random.nextInt(12)];
            for (int j = 0; j < c.length; j++) {
                c[j] = (char) ('_' + random.nextInt(28));
            }
            keys.add(new String(c));
        }
        List<FieldTrie.Node> nodes = new ArrayList<>();
        collect(FieldTrie.RECORD, nodes);
        collect(FieldTrie.RAW_ITEM, nodes);
        for (FieldTrie.Node n : nodes) {
            for (String key : keys) {
                if (key.indexOf('.') < 0) {
                    assertThat(literal(n, key)).as("key '%s'", key).isSameAs(n.resolve(key));
                }
            }
        }
    }

    /** Every node below {@code n} with children, reached through the fields' paths. */
    private static void collect(FieldTrie.Node n, List<FieldTrie.Node> nodes) {
        for (AuditField f : AuditField.values()) {
            FieldTrie.Node at = n;
            for (String segment : f.path) {
                if (at == null || !at.hasChildren()) {
                    break;
                }
                if (!nodes.contains(at)) {
                    nodes.add(at);
                }
                at = at.resolve(segment);
            }
        }
    }

    /** The key inside a larger buffer, so that the lookup must keep to its bounds. */
    private static FieldTrie.Node literal(FieldTrie.Node n, String key) {
        byte[] bytes = ("\"" + key + "\":").getBytes(StandardCharsets.ISO_8859_1);
        return n.resolveLiteral(bytes, 1, 1 + key.length());
    }
}
