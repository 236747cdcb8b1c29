package io.secretrecon.bench.peers;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * The rule as a Flink SQL user would write it: the filesystem connector with the {@code json}
 * format over the ECS documents (nested ROW types for the fields the query reads, event time
 * {@code event.ingested} with a 30 s watermark), the WHERE clause, a {@code HOP} window table
 * function (6 minutes, sliding by {@code --slide-min}), {@code COUNT(DISTINCT)} and
 * {@code ARRAY_AGG(DISTINCT)}, into the {@code print} connector. Streaming mode, default
 * settings, parallelism 2. One tab-separated line per alert on stdout, the net runtime on stderr.
 *
 * <pre>SqlHopJob --input DIR [--slide-min 1] [--parallelism 2]</pre>
 */
public final class SqlHopJob {

    private SqlHopJob() {}

    public static void main(String[] args) throws Exception {
        String input = null;
        long slideMin = 1;
        int parallelism = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--input": input = args[i + 1]; break;
                case "--slide-min": slideMin = Long.parseLong(args[i + 1]); break;
                case "--parallelism": parallelism = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Configuration conf = new Configuration();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.setString("table.local-time-zone", "UTC");
        TableEnvironment t = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode()
                .withConfiguration(conf).build());

        t.executeSql("CREATE TABLE audit (\n"
                + "  `@timestamp` STRING,\n"
                + "  `event` ROW<`dataset` STRING, `action` STRING, `ingested` TIMESTAMP_LTZ(3)>,\n"
                + "  `user` ROW<`name` STRING>,\n"
                + "  `source` ROW<`ip` STRING>,\n"
                + "  `user_agent` ROW<`original` STRING>,\n"
                + "  `kubernetes` ROW<`audit` ROW<\n"
                + "      `annotations` ROW<`authorization_k8s_io/decision` STRING>,\n"
                + "      `auditID` STRING,\n"
                + "      `objectRef` ROW<`name` STRING, `namespace` STRING, `resource` STRING>,\n"
                + "      `user` ROW<`username` STRING>>>,\n"
                + "  ts AS `event`.`ingested`,\n"
                + "  WATERMARK FOR ts AS ts - INTERVAL '30' SECOND\n"
                + ") WITH (\n"
                + "  'connector' = 'filesystem',\n"
                + "  'path' = '" + input.replace("'", "''") + "',\n"
                + "  'format' = 'json',\n"
                + "  'json.timestamp-format.standard' = 'ISO-8601'\n"
                + ")");
        t.executeSql("CREATE TEMPORARY VIEW secret_gets AS\n"
                + "SELECT `user`.`name` AS user_name, `kubernetes`.`audit`.`user`.`username` AS username,\n"
                + "       `source`.`ip` AS ip, `user_agent`.`original` AS agent,\n"
                + "       `kubernetes`.`audit`.`objectRef`.`name` AS secret,\n"
                + "       `kubernetes`.`audit`.`objectRef`.`namespace` AS ns,\n"
                + "       `kubernetes`.`audit`.`annotations`.`authorization_k8s_io/decision` AS decision, ts\n"
                + "FROM audit\n"
                + "WHERE `event`.`dataset` = 'kubernetes.audit_logs' AND `event`.`action` = 'get'\n"
                + "  AND `kubernetes`.`audit`.`objectRef`.`resource` = 'secrets'\n"
                + "  AND `source`.`ip` IS NOT NULL AND `user`.`name` IS NOT NULL\n"
                + "  AND `source`.`ip` NOT IN ('127.0.0.1', '::1')\n"
                + "  AND `user`.`name` NOT IN ('system:kube-controller-manager', 'system:kube-scheduler')\n"
                + "  AND `kubernetes`.`audit`.`objectRef`.`name` NOT LIKE 'sh.helm.release.%'\n"
                + "  AND `kubernetes`.`audit`.`user`.`username` NOT IN (\n"
                + "      'system:serviceaccount:flux-system:kustomize-controller',\n"
                + "      'system:serviceaccount:flux-system:helm-controller',\n"
                + "      'system:serviceaccount:flux-system:source-controller',\n"
                + "      'system:serviceaccount:security:trivy-operator')");
        t.executeSql("CREATE TABLE alerts (line STRING) WITH ('connector' = 'print')");
        TableResult result = t.executeSql("INSERT INTO alerts\n"
                + "SELECT CONCAT_WS(CHR(9), CAST(window_start AS STRING), CAST(window_end AS STRING), user_name, username, ip,\n"
                + "           COALESCE(agent, 'null'), CAST(unique_credentials AS STRING), ARRAY_JOIN(secrets_names, ','),\n"
                + "           COALESCE(ARRAY_JOIN(namespaces, ','), ''), COALESCE(ARRAY_JOIN(outcome, ','), ''),\n"
                + "           CAST(events AS STRING))\n"
                + "FROM (\n"
                + "  SELECT window_start, window_end, user_name, username, ip, agent,\n"
                + "         COUNT(DISTINCT secret) AS unique_credentials,\n"
                + "         ARRAY_AGG(DISTINCT secret) AS secrets_names,\n"
                + "         ARRAY_AGG(DISTINCT ns) AS namespaces,\n"
                + "         ARRAY_AGG(DISTINCT decision) AS outcome,\n"
                + "         COUNT(*) AS events\n"
                + "  FROM TABLE(HOP(TABLE secret_gets, DESCRIPTOR(ts), INTERVAL '" + slideMin + "' MINUTE, INTERVAL '6' MINUTE))\n"
                + "  GROUP BY window_start, window_end, user_name, username, ip, agent\n"
                + "  HAVING COUNT(DISTINCT secret) >= 3)");
        result.await();
        long ms = result.getJobClient().orElseThrow().getJobExecutionResult().get().getNetRuntime();
        System.err.println("bench: job finished in " + ms + " ms");
    }
}
