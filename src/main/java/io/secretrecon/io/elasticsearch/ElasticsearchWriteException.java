package io.secretrecon.io.elasticsearch;

/** Elasticsearch refused the writer in a way no retry can fix; it fails the task (and the job's restart strategy applies). */
public class ElasticsearchWriteException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ElasticsearchWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
