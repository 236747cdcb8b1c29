package io.secretrecon.rule.exceptions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/** The exceptions in force, compiled, in id order. Immutable; rebuilt when an exception changes. */
public final class ExceptionSet {

    public static final ExceptionSet EMPTY = new ExceptionSet(List.of());

    private final List<CompiledException> exceptions;

    private ExceptionSet(List<CompiledException> exceptions) {
        this.exceptions = exceptions;
    }

    /** Compiles valid entries (as kept in state). */
    public static ExceptionSet of(Iterable<ExceptionEntry> entries) {
        List<CompiledException> out = new ArrayList<>();
        for (ExceptionEntry e : entries) {
            out.add(CompiledException.of(e));
        }
        out.sort(Comparator.comparing(CompiledException::id));
        return out.isEmpty() ? EMPTY : new ExceptionSet(Collections.unmodifiableList(out));
    }

    public int size() {
        return exceptions.size();
    }

    public boolean isEmpty() {
        return exceptions.isEmpty();
    }

    public List<CompiledException> exceptions() {
        return exceptions;
    }

    /**
     * Tests every exception against a kept event and reports each one that drops it (so an event
     * that two exceptions cover counts as a hit of both).
     *
     * @return whether any exception drops the event
     */
    public boolean drops(ExceptionSubject subject, Consumer<CompiledException> hit) {
        boolean dropped = false;
        for (CompiledException e : exceptions) {
            if (e.appliesTo(subject)) {
                hit.accept(e);
                dropped = true;
            }
        }
        return dropped;
    }
}
