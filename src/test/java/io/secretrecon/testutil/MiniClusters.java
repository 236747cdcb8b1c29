package io.secretrecon.testutil;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink cluster of the integration tests: one TaskManager, two slots, parallelism 2. */
public final class MiniClusters {

    private MiniClusters() {}

    public static MiniClusterExtension twoSlots() {
        return twoSlots(new Configuration());
    }

    /** The same cluster, whose metrics {@code reporter} sees (the tests read the web UI's metrics there). */
    public static MiniClusterExtension twoSlotsReportingTo(InMemoryReporter reporter) {
        return twoSlots(reporter.addToConfiguration(new Configuration()));
    }

    private static MiniClusterExtension twoSlots(Configuration configuration) {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(configuration)
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }
}
