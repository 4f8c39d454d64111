// Prints what Kafka Connect's numeric converters and BooleanConverter do with
// sample values and byte strings, one tab-separated line per case, for
// sluice's golden tests (schemas/simple/number_test.go). Run against the
// Apache Kafka jars of the version named in the output file's name.
import java.util.*;
import org.apache.kafka.connect.converters.*;
import org.apache.kafka.connect.data.*;
import org.apache.kafka.connect.storage.Converter;

public class NumericGolden {
  static String hex(byte[] b) {
    if (b == null) return "null";
    StringBuilder s = new StringBuilder("0x");
    for (byte x : b) s.append(String.format("%02x", x));
    return s.toString();
  }
  static String repr(Object v) {
    if (v == null) return "null";
    if (v instanceof Float) return String.format("0x%08x", Float.floatToRawIntBits((Float) v));
    if (v instanceof Double) return String.format("0x%016x", Double.doubleToRawLongBits((Double) v));
    return v.toString();
  }
  static String cls(Object v) { return v == null ? "null" : v.getClass().getName(); }
  static String err(Exception e) {
    String cause = e.getCause() instanceof org.apache.kafka.common.errors.SerializationException ? e.getCause().getMessage() : "";
    return "ERR\t" + e.getMessage() + "\t" + cause;
  }
  static void from(String n, Converter c, Schema s, Object v) {
    String head = "from\t" + n + "\t" + (s == null ? "-" : s.type()) + "\t" + cls(v) + "\t" + repr(v) + "\t";
    try { System.out.println(head + "OK\t" + hex(c.fromConnectData("topic", s, v))); }
    catch (Exception e) { System.out.println(head + err(e)); }
  }
  static void to(String n, Converter c, byte[] b) {
    String head = "to\t" + n + "\t" + hex(b) + "\t";
    try {
      SchemaAndValue sv = c.toConnectData("topic", b);
      System.out.println(head + "OK\t" + sv.schema().type() + "\t" + sv.schema().isOptional() + "\t" + cls(sv.value()) + "\t" + repr(sv.value()));
    } catch (Exception e) { System.out.println(head + err(e)); }
  }
  public static void main(String[] a) {
    Object[][] cases = {
      // Samples of Kafka's ShortConverterTest ... DoubleConverterTest, plus edge values.
      {"short", new ShortConverter(), new Object[]{Short.MIN_VALUE, (short) 123, Short.MAX_VALUE, (short) 0, (short) -1}},
      {"integer", new IntegerConverter(), new Object[]{Integer.MIN_VALUE, 1234, Integer.MAX_VALUE, 0, -1}},
      {"long", new LongConverter(), new Object[]{Long.MIN_VALUE, 1234L, Long.MAX_VALUE, 0L, -1L}},
      {"float", new FloatConverter(), new Object[]{Float.MIN_VALUE, 1234.31f, Float.MAX_VALUE, -0.0f, Float.NaN,
          Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0x7fc00001)}},
      {"double", new DoubleConverter(), new Object[]{Double.MIN_VALUE, 1234.31, Double.MAX_VALUE, -0.0, Double.NaN,
          Double.NEGATIVE_INFINITY, Double.longBitsToDouble(0x7ff8000000000001L)}},
      {"boolean", new BooleanConverter(), new Object[]{true, false}},
    };
    Schema[] schemas = {null, Schema.STRING_SCHEMA, Schema.INT16_SCHEMA, Schema.INT32_SCHEMA, Schema.INT64_SCHEMA,
        Schema.FLOAT32_SCHEMA, Schema.FLOAT64_SCHEMA, Schema.OPTIONAL_BOOLEAN_SCHEMA};
    Object[] others = {null, "not a valid number", (short) 7, 7, 7L, 7.5f, 7.5, true};
    byte[][] inputs = {null, {}, {0}, {1}, {2}, {(byte) 0xff}, {0x12, 0x34}, {(byte) 0x80, 0, 0, 1},
        {1, 2, 3, 4, 5, 6, 7, 8}, {(byte) 0xff, (byte) 0xf0, 0, 0, 0, 0, 0, 0}, {(byte) 0x7f, (byte) 0xc0, 0, 1}, new byte[10], "42".getBytes()};
    for (Object[] cs : cases) {
      String n = (String) cs[0];
      Converter c = (Converter) cs[1];
      c.configure(new HashMap<>(), true);
      for (Object v : (Object[]) cs[2]) {
        from(n, c, null, v);
        to(n, c, c.fromConnectData("topic", null, v));
      }
      for (Schema s : schemas) for (Object v : others) from(n, c, s, v);
      for (byte[] b : inputs) to(n, c, b);
    }
  }
}
