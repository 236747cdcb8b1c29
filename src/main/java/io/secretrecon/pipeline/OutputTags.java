package io.secretrecon.pipeline;

import io.secretrecon.event.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side outputs of the topology. */
public final class OutputTags {

    /** Records the parser rejected, and late events. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private OutputTags() {}
}
