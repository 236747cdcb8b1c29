package io.secretrecon.io;

import org.apache.flink.core.fs.Path;

import java.io.Serializable;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which files of {@code source.path} are read: every path given explicitly, whatever its name,
 * and inside directories everything but hidden entries (names starting with a dot: editor swap
 * files, {@code .DS_Store}). Flink's default filter also drops names starting with {@code _}, and
 * drops a given path with such a name silently: a log called {@code _audit.log} would be skipped.
 */
final class AuditFileFilter implements Predicate<Path>, Serializable {

    private static final long serialVersionUID = 1L;

    /** The given paths as absolute URI paths: the enumerator hands them over qualified. */
    private final Set<String> roots;

    AuditFileFilter(Set<Path> roots) {
        this.roots = roots.stream().map(AuditFileFilter::key).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private static String key(Path p) {
        String path = p.toUri().getPath();
        return p.toUri().getScheme() == null && !p.isAbsolute() ? new java.io.File(path).getAbsolutePath() : path;
    }

    @Override
    public boolean test(Path path) {
        return !path.getName().startsWith(".") || roots.contains(key(path));
    }
}
