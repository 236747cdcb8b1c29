package io.secretrecon.io.elasticsearch;

import io.secretrecon.alert.Alert;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.DeadLetters;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Writes alerts to Elasticsearch with bulk requests and emits, as its output, the alerts that
 * Elasticsearch rejects for good, as {@link DeadLetter}s with reason {@value #REASON_REJECTED}
 * and Elasticsearch's reason: the pipeline unions them into the dead-letter stream.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>Nothing acknowledged is lost.</b> Every alert buffered or in flight is written (or
 *       dead-lettered) in {@link #prepareSnapshotPreBarrier}, before the checkpoint barrier goes
 *       downstream, and at the end of a bounded input ({@link #endInput}, BATCH mode). So a
 *       completed checkpoint covers only alerts Elasticsearch has acknowledged, and the dead
 *       letters of those alerts travel ahead of the barrier into the same checkpoint of the
 *       dead-letter sink. This is why the writer is an operator and not a Sink V2 writer (which has
 *       no output) nor a {@code ProcessFunction} flushing in {@code snapshotState} (which runs after
 *       the barrier has left, too late for the dead letters it would emit). The operator has no
 *       state of its own.</li>
 *   <li><b>Idempotent, ordered by revision.</b> {@code _id} = alert id, {@code version} =
 *       revision, {@code version_type: external}: a replay after a restore writes the same
 *       documents again and Elasticsearch answers 409, which counts as success, and an older
 *       revision never overwrites a newer one. At-least-once delivery is therefore effectively
 *       once in the index.</li>
 *   <li><b>Back-pressure, never dropping.</b> A bulk is sent when {@code bulk.max-actions} alerts
 *       or {@code bulk.max-bytes} are buffered, or when the oldest buffered alert is
 *       {@code bulk.flush-interval} old. At most {@code bulk.max-in-flight} bulks are in flight;
 *       beyond that {@link #processElement} blocks (it yields to the mailbox, so answers, timers
 *       and checkpoints still run) and Flink back-pressures upstream. A bulk keeps its in-flight
 *       slot while its items are retried.</li>
 *   <li><b>Retries.</b> Connection errors, timeouts, 429 and 5xx (for the request or an item) are
 *       retried with exponential backoff and jitter ({@link Backoff}) until Elasticsearch answers;
 *       a 413 splits the bulk, and a single document that is still too large is dead-lettered.
 *       401, 403 and other request-level 4xx fail the job (nothing could be written), and so does
 *       a mapping conflict found when the writer opens.</li>
 * </ul>
 *
 * <p>The index template is checked when the writer opens and, if Elasticsearch is unreachable
 * then, before its first bulk request, so that no alert can create the index with dynamic
 * mappings.
 *
 * <p>Metrics (operator scope): {@value #METRIC_WRITTEN}, {@value #METRIC_UNCHANGED} (409 on a
 * replay), {@value #METRIC_RETRIED} (each retry of each alert), {@value #METRIC_FAILED}
 * (dead-lettered), {@value #METRIC_BULKS}, {@value #METRIC_LATENCY} (histogram of bulk round
 * trips in ms), and the gauges {@value #METRIC_IN_FLIGHT} and {@value #METRIC_BUFFERED}.
 */
public final class ElasticsearchAlertWriter extends AbstractStreamOperator<DeadLetter>
        implements OneInputStreamOperator<Alert, DeadLetter>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchAlertWriter.class);


    public static final String METRIC_WRITTEN = "documentsWritten";
    public static final String METRIC_UNCHANGED = "documentsUnchanged";
    public static final String METRIC_RETRIED = "documentsRetried";
    public static final String METRIC_FAILED = "documentsFailed";
    public static final String METRIC_BULKS = "bulkRequests";
    public static final String METRIC_LATENCY = "bulkLatencyMs";
    public static final String METRIC_IN_FLIGHT = "bulksInFlight";
    public static final String METRIC_BUFFERED = "documentsBuffered";

    private static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);
    private static final int MAX_DETAIL_CHARS = 4000;

    private final ElasticsearchSettings settings;
    private final transient MailboxExecutor mailbox;

    private transient RestClient client;
    private transient ScheduledThreadPoolExecutor retryScheduler;
    private transient Backoff backoff;
    private transient ArrayDeque<BulkDocument> buffer;
    private transient long bufferedBytes;
    private transient ScheduledFuture<?> flushTimer;
    /** The flush interval passed while no in-flight slot was free: send as soon as one is. */
    private transient boolean flushOverdue;
    private transient volatile int inFlight;
    private transient boolean indexReady;
    private transient volatile boolean closed;

    private transient Counter written;
    private transient Counter unchanged;
    private transient Counter retried;
    private transient Counter failed;
    private transient Counter bulks;
    private transient Histogram latency;

    ElasticsearchAlertWriter(StreamOperatorParameters<DeadLetter> parameters, ElasticsearchSettings settings) {
        super(parameters);
        this.settings = settings;
        this.mailbox = parameters.getMailboxExecutor();
    }

    @Override
    public void open() throws Exception {
        super.open();
        buffer = new ArrayDeque<>();
        backoff = new Backoff(settings.retryInitialBackoff(), settings.retryMaxBackoff(), new Random());
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        retryScheduler = new ScheduledThreadPoolExecutor(1, new ExecutorThreadFactory("elasticsearch-retry-" + subtask));
        retryScheduler.setRemoveOnCancelPolicy(true);
        client = ElasticsearchClients.create(settings, settings.bulkMaxInFlight() + 1);

        MetricGroup metrics = getMetricGroup();
        written = metrics.counter(METRIC_WRITTEN);
        unchanged = metrics.counter(METRIC_UNCHANGED);
        retried = metrics.counter(METRIC_RETRIED);
        failed = metrics.counter(METRIC_FAILED);
        bulks = metrics.counter(METRIC_BULKS);
        latency = metrics.histogram(METRIC_LATENCY, new DescriptiveStatisticsHistogram(1000));
        metrics.gauge(METRIC_IN_FLIGHT, () -> inFlight);
        metrics.gauge(METRIC_BUFFERED, () -> buffer == null ? 0 : buffer.size());

        try {
            ElasticsearchIndex.ensureTemplate(client, settings); // a mapping conflict fails the task here
            indexReady = true;
        } catch (IOException unreachable) {
            LOG.warn("Elasticsearch {} cannot be reached yet ({}); the index template is checked before the first bulk request",
                    settings.hosts(), unreachable.getMessage());
        }
    }

    @Override
    public void processElement(StreamRecord<Alert> element) throws Exception {
        // Converted at once: with object reuse the alert instance is not ours after this call.
        BulkDocument doc = BulkDocument.of(settings.index(), element.getValue());
        if (buffer.isEmpty() && flushTimer == null) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            flushTimer = getProcessingTimeService().registerTimer(now + settings.bulkFlushInterval().toMillis(), this::onFlushTimer);
        }
        buffer.add(doc);
        bufferedBytes += doc.size();
        while (bufferFull()) {
            if (inFlight < settings.bulkMaxInFlight()) {
                startBulk();
            } else {
                mailbox.yield(); // back-pressure: wait for an answer
            }
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flushAll("checkpoint " + checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (!buffer.isEmpty() || inFlight > 0) {
            throw new IllegalStateException("checkpoint " + context.getCheckpointId() + " with " + buffer.size()
                    + " buffered alerts and " + inFlight + " bulks in flight: they must be flushed before the barrier");
        }
    }

    @Override
    public void endInput() throws Exception {
        flushAll("end of input");
    }

    @Override
    public void finish() throws Exception {
        flushAll("finish");
        super.finish();
    }

    @Override
    public void close() throws Exception {
        closed = true;
        if (retryScheduler != null) {
            retryScheduler.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
        super.close();
    }

    // ------------------------------------------------------------------ buffering

    private boolean bufferFull() {
        return buffer.size() >= settings.bulkMaxActions() || bufferedBytes >= settings.bulkMaxBytes();
    }

    /** Sends everything and waits for every answer (yielding to the mailbox meanwhile). */
    private void flushAll(String why) throws InterruptedException {
        if (buffer == null || (buffer.isEmpty() && inFlight == 0)) {
            return;
        }
        long started = System.nanoTime();
        int count = buffer.size();
        while (!buffer.isEmpty() || inFlight > 0) {
            if (!buffer.isEmpty() && inFlight < settings.bulkMaxInFlight()) {
                startBulk();
            } else {
                mailbox.yield();
            }
        }
        LOG.debug("Flushed {} buffered alerts and every bulk in flight for {} in {} ms", count, why,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void onFlushTimer(long time) {
        flushTimer = null;
        if (buffer.isEmpty()) {
            return;
        }
        flushOverdue = true;
        sendWhileSlotsFree();
        if (!buffer.isEmpty() && flushTimer == null) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            flushTimer = getProcessingTimeService().registerTimer(now + settings.bulkFlushInterval().toMillis(), this::onFlushTimer);
        }
    }

    private void sendWhileSlotsFree() {
        while (!buffer.isEmpty() && inFlight < settings.bulkMaxInFlight() && (flushOverdue || bufferFull())) {
            startBulk();
        }
        if (buffer.isEmpty()) {
            flushOverdue = false;
        }
    }

    /** Takes the next bulk off the buffer (at least one alert, within the count and byte limits) and sends it. */
    private void startBulk() {
        List<BulkDocument> docs = new ArrayList<>(Math.min(buffer.size(), settings.bulkMaxActions()));
        long bytes = 0;
        while (!buffer.isEmpty() && docs.size() < settings.bulkMaxActions()) {
            BulkDocument next = buffer.peek();
            if (!docs.isEmpty() && bytes + next.size() > settings.bulkMaxBytes()) {
                break;
            }
            docs.add(buffer.poll());
            bytes += next.size();
        }
        bufferedBytes -= bytes;
        inFlight++;
        dispatch(new Bulk(docs));
    }

    // ------------------------------------------------------------------ requests and answers

    /** The alerts of one in-flight slot that are not written yet. */
    private static final class Bulk {
        List<BulkDocument> pending;
        int attempt;
        /** Halved by a 413 answer. */
        int chunkLimit = Integer.MAX_VALUE;

        Bulk(List<BulkDocument> pending) {
            this.pending = pending;
        }
    }

    /** Sends the next chunk of a bulk. Runs in the mailbox thread. */
    private void dispatch(Bulk bulk) {
        if (closed) {
            return;
        }
        if (!indexReady) {
            try {
                ElasticsearchIndex.ensureTemplate(client, settings);
                indexReady = true;
            } catch (IOException e) {
                retryLater(bulk, bulk.pending.size(), "checking the index template: " + e.getMessage());
                return;
            }
        }
        List<BulkDocument> chunk = new ArrayList<>(bulk.pending.subList(0, Math.min(bulk.chunkLimit, bulk.pending.size())));
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", "errors,items.*.status,items.*.error");
        request.setEntity(new NByteArrayEntity(BulkDocument.body(chunk), NDJSON));
        long started = System.nanoTime();
        bulks.inc();
        client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                // Parsed here, on the client's I/O thread, to keep the task thread free.
                List<BulkResults.Item> items = null;
                Exception malformed = null;
                try {
                    items = BulkResults.parse(EntityUtils.toByteArray(response.getEntity()));
                } catch (IOException | RuntimeException e) {
                    malformed = e;
                }
                List<BulkResults.Item> parsed = items;
                Exception error = malformed;
                post(() -> onAnswer(bulk, chunk, started, parsed, error));
            }

            @Override
            public void onFailure(Exception exception) {
                post(() -> onRequestFailure(bulk, chunk, exception));
            }
        });
    }

    private void post(Runnable action) {
        if (closed) {
            return;
        }
        try {
            mailbox.execute(action::run, "Elasticsearch bulk answer");
        } catch (RejectedExecutionException ending) {
            // the task is shutting down: its state is restored from the last checkpoint anyway
        }
    }

    private void onAnswer(Bulk bulk, List<BulkDocument> chunk, long started, List<BulkResults.Item> items, Exception malformed) {
        latency.update(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        if (malformed != null || items.size() != chunk.size()) {
            throw new ElasticsearchWriteException("Elasticsearch answered a bulk request of " + chunk.size() + " alerts with "
                    + (malformed != null ? "an unreadable body: " + malformed.getMessage() : items.size() + " items"), malformed);
        }
        List<BulkDocument> again = new ArrayList<>();
        String retryReason = null;
        for (int i = 0; i < chunk.size(); i++) {
            BulkResults.Item item = items.get(i);
            BulkDocument doc = chunk.get(i);
            switch (item.outcome()) {
                case WRITTEN:
                    written.inc();
                    break;
                case UNCHANGED:
                    unchanged.inc();
                    break;
                case RETRY:
                    again.add(doc);
                    if (retryReason == null) {
                        retryReason = "HTTP " + item.status + " " + item.error;
                    }
                    break;
                default:
                    deadLetter(doc, "HTTP " + item.status + " " + item.error);
            }
        }
        again.addAll(bulk.pending.subList(chunk.size(), bulk.pending.size()));
        bulk.pending = again;
        if (retryReason != null) {
            retryLater(bulk, again.size(), retryReason);
            return;
        }
        bulk.attempt = 0;
        continueOrFinish(bulk);
    }

    private void onRequestFailure(Bulk bulk, List<BulkDocument> chunk, Exception exception) {
        if (exception instanceof ResponseException) {
            Response response = ((ResponseException) exception).getResponse();
            int status = response.getStatusLine().getStatusCode();
            String error = errorBody(response);
            switch (BulkResults.ofRequest(status)) {
                case RETRY:
                    retryLater(bulk, chunk.size(), "HTTP " + status + " " + error);
                    return;
                case SPLIT:
                    if (chunk.size() > 1) {
                        bulk.chunkLimit = Math.max(1, chunk.size() / 2);
                        LOG.info("Elasticsearch refused a bulk of {} alerts as too large (HTTP 413); sending {} at a time",
                                chunk.size(), bulk.chunkLimit);
                        dispatch(bulk);
                        return;
                    }
                    deadLetter(chunk.get(0), "HTTP 413 the alert alone is larger than Elasticsearch accepts (http.max_content_length): " + error);
                    bulk.pending = new ArrayList<>(bulk.pending.subList(1, bulk.pending.size()));
                    continueOrFinish(bulk);
                    return;
                default:
                    throw new ElasticsearchWriteException("Elasticsearch " + settings.hosts() + " refused a bulk request to index "
                            + settings.index() + " with HTTP " + status + " (" + settings.authDescription() + "): " + error
                            + (status == 401 || status == 403 ? "; check elasticsearch.username/password or api-key and the user's"
                                    + " privileges (write and manage on the index)" : ""), exception);
            }
        }
        if (BulkResults.retryable(exception)) {
            retryLater(bulk, chunk.size(), exception.toString());
            return;
        }
        throw new ElasticsearchWriteException("a bulk request to Elasticsearch " + settings.hosts() + " failed: " + exception, exception);
    }

    private static String errorBody(Response response) {
        try {
            return response.getEntity() == null ? "" : ElasticsearchIndex.errorOf(EntityUtils.toString(response.getEntity()));
        } catch (IOException e) {
            return "(unreadable answer: " + e.getMessage() + ")";
        }
    }

    private void continueOrFinish(Bulk bulk) {
        if (!bulk.pending.isEmpty()) {
            dispatch(bulk);
            return;
        }
        inFlight--;
        sendWhileSlotsFree();
    }

    /** Sends the bulk's pending alerts again after a backoff; the bulk keeps its slot meanwhile. */
    private void retryLater(Bulk bulk, int alerts, String reason) {
        bulk.attempt++;
        retried.inc(alerts);
        long delay = backoff.delayMillis(bulk.attempt);
        if (bulk.attempt == 1 || bulk.attempt % 10 == 0) {
            LOG.warn("Retrying {} alerts for Elasticsearch index {} in {} ms (attempt {}): {}", alerts, settings.index(), delay,
                    bulk.attempt, reason);
        } else {
            LOG.debug("Retrying {} alerts in {} ms (attempt {}): {}", alerts, delay, bulk.attempt, reason);
        }
        // Not a processing-time timer: those stop firing once the task starts to finish, and a
        // retry may be due while finish() drains the last bulks.
        try {
            retryScheduler.schedule(() -> post(() -> dispatch(bulk)), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // close() has run: the task is going away
        }
    }

    private void deadLetter(BulkDocument doc, String reason) {
        failed.inc();
        String detail = "Elasticsearch rejected alert " + doc.id + " revision " + doc.version + " for index " + settings.index()
                + ": " + reason;
        if (detail.length() > MAX_DETAIL_CHARS) {
            detail = detail.substring(0, MAX_DETAIL_CHARS) + "...";
        }
        LOG.warn("{}; sent to the dead-letter output", detail);
        output.collect(new StreamRecord<>(DeadLetters.rejected(detail, doc.source)));
    }

    // ------------------------------------------------------------------ factory

    /** Creates the writer with the task's mailbox; the writer starts a new chain (see the class doc). */
    public static final class Factory extends AbstractStreamOperatorFactory<DeadLetter>
            implements OneInputStreamOperatorFactory<Alert, DeadLetter> {

        private static final long serialVersionUID = 1L;

        private final ElasticsearchSettings settings;

        public Factory(ElasticsearchSettings settings) {
            this.settings = settings;
            // Not chained to the detector: while the writer yields for back-pressure no mail of an
            // upstream operator can call back into it.
            setChainingStrategy(ChainingStrategy.HEAD);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<DeadLetter>> T createStreamOperator(StreamOperatorParameters<DeadLetter> parameters) {
            return (T) new ElasticsearchAlertWriter(parameters, settings);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return ElasticsearchAlertWriter.class;
        }
    }
}
