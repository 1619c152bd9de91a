// Test helper: Apache Avro Java as the reference for faustgen's Avro codec (see avro-java.ts).
// Reads requests from stdin, one per line, fields separated by a tab:
//   E <schema JSON> <datum in Avro's JSON encoding>  ->  the binary encoding, in hex
//   D <schema JSON> <hex of the binary encoding>     ->  the datum in Avro's JSON encoding
// and answers one line each: "ok <result>" or "error <message>".
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;

public final class AvroBridge {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isEmpty()) continue;
      String[] parts = line.split("\t", 3);
      try {
        Schema schema = new Schema.Parser().parse(parts[1]);
        out.println("ok " + (parts[0].equals("E") ? encode(schema, parts[2]) : decode(schema, parts[2])));
      } catch (Exception e) {
        out.println("error " + String.valueOf(e).replace('\n', ' '));
      }
    }
  }

  private static String encode(Schema schema, String json) throws Exception {
    Object datum = new GenericDatumReader<Object>(schema).read(null, DecoderFactory.get().jsonDecoder(schema, json));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
    new GenericDatumWriter<Object>(schema).write(datum, encoder);
    encoder.flush();
    return HexFormat.of().formatHex(bytes.toByteArray());
  }

  private static String decode(Schema schema, String hex) throws Exception {
    byte[] data = HexFormat.of().parseHex(hex);
    Object datum = new GenericDatumReader<Object>(schema).read(null, DecoderFactory.get().binaryDecoder(data, null));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JsonEncoder encoder = EncoderFactory.get().jsonEncoder(schema, bytes);
    new GenericDatumWriter<Object>(schema).write(datum, encoder);
    encoder.flush();
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
