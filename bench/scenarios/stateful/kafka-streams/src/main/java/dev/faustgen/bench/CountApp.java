package dev.faustgen.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The stateful benchmark's Kafka Streams side: JSON events keyed by a string, counted per key with
 * groupByKey().count() into the default persistent (RocksDB, cached) store and its changelog.
 * Settings are Kafka Streams' defaults (one stream thread) but for the processing guarantee.
 *
 * A probe wraps the count: it forwards each event to the count (which updates the store
 * synchronously in the same thread) and then notes the time, so "processed" means "the table holds
 * the update". It prints, on stdout: READY (state RUNNING), FIRST epochMs (first event), LAST
 * epochMs (the BENCH_EXPECTED-th event), COUNT n every 100,000 events, and at exit STATS {json} with the latency samples
 * (now - record timestamp, after the update) of events whose id >= BENCH_SAMPLE_MIN_ID.
 *
 * Environment: BENCH_BOOTSTRAP, BENCH_APP_ID, BENCH_IN, BENCH_STATE_DIR, BENCH_EXPECTED,
 * BENCH_SAMPLE_MIN_ID (0 = no samples), BENCH_GUARANTEE (at_least_once | exactly_once_v2).
 */
public final class CountApp {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final class Probe {
    final long expected;
    final long sampleMinId;
    long processed;
    long[] samples = new long[1024];
    int sampleCount;

    Probe(long expected, long sampleMinId) {
      this.expected = expected;
      this.sampleMinId = sampleMinId;
    }

    void updated(JsonNode event, long timestamp) {
      long now = System.currentTimeMillis();
      processed++;
      if (processed == 1) say("FIRST " + now);
      if (processed == expected) say("LAST " + now);
      if (processed % 100_000 == 0) say("COUNT " + processed);
      if (sampleMinId > 0 && event.path("id").asLong(-1) >= sampleMinId) {
        if (sampleCount == samples.length) samples = Arrays.copyOf(samples, samples.length * 2);
        samples[sampleCount++] = now - timestamp;
      }
    }

    long percentile(long[] sorted, double p) {
      if (sorted.length == 0) return -1;
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    String stats() {
      long[] sorted = Arrays.copyOf(samples, sampleCount);
      Arrays.sort(sorted);
      return "{\"processed\":" + processed + ",\"samples\":" + sampleCount + ",\"p50Ms\":" + percentile(sorted, 50)
          + ",\"p99Ms\":" + percentile(sorted, 99) + "}";
    }
  }

  static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) throw new IllegalArgumentException("environment variable " + name + " is not set");
    return value;
  }

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, env("BENCH_APP_ID"));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, env("BENCH_BOOTSTRAP"));
    props.put(StreamsConfig.STATE_DIR_CONFIG, env("BENCH_STATE_DIR"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, env("BENCH_GUARANTEE"));
    Probe probe = new Probe(Long.parseLong(env("BENCH_EXPECTED")), Long.parseLong(env("BENCH_SAMPLE_MIN_ID")));

    Serializer<JsonNode> serializer = (topic, node) -> {
      try {
        return node == null ? null : JSON.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    Deserializer<JsonNode> deserializer = (topic, bytes) -> {
      try {
        return bytes == null ? null : JSON.readTree(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    Serde<JsonNode> jsonSerde = Serdes.serdeFrom(serializer, deserializer);

    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(env("BENCH_IN"), Consumed.with(Serdes.String(), jsonSerde))
        .processValues(() -> new FixedKeyProcessor<String, JsonNode, JsonNode>() {
          private FixedKeyProcessorContext<String, JsonNode> context;

          @Override
          public void init(FixedKeyProcessorContext<String, JsonNode> context) {
            this.context = context;
          }

          @Override
          public void process(FixedKeyRecord<String, JsonNode> record) {
            context.forward(record);
            probe.updated(record.value(), record.timestamp());
          }
        })
        .groupByKey(Grouped.with(Serdes.String(), jsonSerde))
        .count(Materialized.as("counts"));

    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    CountDownLatch closed = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) say("READY");
      if (now == KafkaStreams.State.ERROR) say("ERROR state " + before + " -> " + now);
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(60));
      say("STATS " + probe.stats());
      closed.countDown();
    }));
    streams.start();
    closed.await();
  }
}
