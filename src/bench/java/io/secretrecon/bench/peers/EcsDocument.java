package io.secretrecon.bench.peers;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The part of an ECS audit document a user of this rule would map with Jackson data binding:
 * what the ES|QL query reads, unknown fields ignored. Annotated for both plain Jackson and the
 * copy shaded into Flink ({@code flink-json}'s {@code JsonDeserializationSchema}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
public class EcsDocument {

    @JsonProperty("@timestamp")
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonProperty("@timestamp")
    public String timestamp;
    public Event event;
    public User user;
    public Source source;
    @JsonProperty("user_agent")
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonProperty("user_agent")
    public UserAgent userAgent;
    public Kubernetes kubernetes;

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class Event {
        public String dataset;
        public String action;
        public String ingested;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class User {
        public String name;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class Source {
        public String ip;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class UserAgent {
        public String original;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class Kubernetes {
        public Audit audit;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class Audit {
        public Annotations annotations;
        public String auditID;
        public ObjectRef objectRef;
        public AuditUser user;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class Annotations {
        @JsonProperty("authorization_k8s_io/decision")
        @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonProperty("authorization_k8s_io/decision")
        public String decision;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class ObjectRef {
        public String name;
        public String namespace;
        public String resource;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @org.apache.flink.shaded.jackson2.com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public static class AuditUser {
        public String username;
    }
}
