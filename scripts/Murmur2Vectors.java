// Prints test vectors for faustgen's murmur2 partitioner, computed by the Kafka Java client itself.
// Fetch the jars:  mvn -B -q dependency:get -Dartifact=org.apache.kafka:kafka-clients:3.9.1
//                  mvn -B -q dependency:get -Dartifact=org.slf4j:slf4j-api:1.7.36
// Run (Utils' static initializer needs slf4j-api on the class path):
//   M2=~/.m2/repository
//   java -cp $M2/org/apache/kafka/kafka-clients/3.9.1/kafka-clients-3.9.1.jar:$M2/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar \
//     scripts/Murmur2Vectors.java > test/fixtures/murmur2-vectors.json
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

public class Murmur2Vectors {
    private static final int[] PARTITION_COUNTS = {1, 3, 8, 12, 100};

    public static void main(String[] args) {
        List<byte[]> keys = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String[] strings = {
            "", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi",
            "abcdefghij", "abcdefghijk", "abcdefghijkl", "abcdefghijklm", "foo", "bar", "user-42",
            "order:1234567890", "the quick brown fox jumps over the lazy dog", "\"foo\"", "\"user-42\"",
            "{\"id\":7}", "1", "42", "-1", "é", "日本語", "ключ", "emoji \uD83D\uDE00", "ß€",
        };
        for (String s : strings) {
            keys.add(s.getBytes(StandardCharsets.UTF_8));
            labels.add("utf8:" + s);
        }
        keys.add(new byte[] {(byte) 0x80});
        keys.add(new byte[] {(byte) 0xff, (byte) 0xfe});
        keys.add(new byte[] {(byte) 0x80, (byte) 0x81, (byte) 0x82});
        keys.add(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        keys.add(new byte[] {0, 0, 0, 0, 0});
        keys.add(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef, (byte) 0xca, (byte) 0xfe});
        keys.add(new byte[] {0x7f, (byte) 0x80, (byte) 0x9a, (byte) 0xc3, (byte) 0xe5, (byte) 0xf0, (byte) 0xfd});
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) all[i] = (byte) i;
        keys.add(all);
        byte[] high = new byte[13];
        for (int i = 0; i < 13; i++) high[i] = (byte) (0xf3 - i * 7);
        keys.add(high);
        byte[] big = new byte[1000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) ((i * 31 + 7) & 0xff);
        keys.add(big);
        for (int i = labels.size(); i < keys.size(); i++) labels.add("binary");

        StringBuilder out = new StringBuilder();
        out.append("{\n  \"source\": \"org.apache.kafka.common.utils.Utils.murmur2, kafka-clients 3.9.1\",\n");
        out.append("  \"partitionCounts\": [1, 3, 8, 12, 100],\n  \"vectors\": [\n");
        for (int i = 0; i < keys.size(); i++) {
            byte[] key = keys.get(i);
            int hash = Utils.murmur2(key);
            out.append("    {\"label\": ").append(jsonString(labels.get(i)));
            out.append(", \"keyHex\": \"").append(hex(key)).append("\"");
            out.append(", \"murmur2\": ").append(hash);
            out.append(", \"positive\": ").append(Utils.toPositive(hash));
            out.append(", \"partitions\": {");
            for (int j = 0; j < PARTITION_COUNTS.length; j++) {
                int n = PARTITION_COUNTS[j];
                if (j > 0) out.append(", ");
                out.append("\"").append(n).append("\": ").append(Utils.toPositive(hash) % n);
            }
            out.append("}}").append(i + 1 < keys.size() ? ",\n" : "\n");
        }
        out.append("  ]\n}\n");
        System.out.print(out);
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) sb.append(String.format("%02x", b & 0xff));
        return sb.toString();
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }
}
