// Prints, as JSON, what Kafka Connect's numeric converters (org.apache.kafka.connect.converters.*) produce:
// fromConnectData bytes for representative values, toConnectData results for representative inputs, and the
// exceptions of bad inputs. Compile and run against the 4.4.0 jars (see run-numconv.sh).
import java.util.*;
import org.apache.kafka.connect.converters.*;
import org.apache.kafka.connect.data.*;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.HeaderConverter;

public class NumConv {
    static StringBuilder out = new StringBuilder();

    static String q(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static String hex(byte[] b) {
        if (b == null) return "null";
        StringBuilder s = new StringBuilder("\"");
        for (byte x : b) s.append(String.format("%02x", x));
        return s.append('"').toString();
    }

    static String show(Object v) {
        if (v == null) return "null";
        if (v instanceof Float f) return q("Float " + f + " bits=" + Integer.toHexString(Float.floatToRawIntBits(f)));
        if (v instanceof Double d) return q("Double " + d + " bits=" + Long.toHexString(Double.doubleToRawLongBits(d)));
        return q(v.getClass().getSimpleName() + " " + v);
    }

    static String schema(Schema s) {
        if (s == null) return "null";
        return "{\"type\":" + q(s.type().toString()) + ",\"optional\":" + s.isOptional() + "}";
    }

    static String exc(Throwable t) {
        String r = "{\"exception\":" + q(t.getClass().getName()) + ",\"message\":" + q(t.getMessage());
        if (t.getCause() != null) r += ",\"cause\":" + q(t.getCause().getClass().getName()) + ",\"cause_message\":" + q(t.getCause().getMessage());
        return r + "}";
    }

    static List<String> entries = new ArrayList<>();

    static void from(String conv, Converter c, HeaderConverter h, Schema s, String schemaName, Object v) {
        String r;
        try { r = "\"bytes\":" + hex(c.fromConnectData("t", s, v)); } catch (Throwable t) { r = "\"error\":" + exc(t); }
        String hr;
        try { hr = "\"bytes\":" + hex(h.fromConnectHeader("t", "h", s, v)); } catch (Throwable t) { hr = "\"error\":" + exc(t); }
        entries.add("{\"converter\":" + q(conv) + ",\"call\":\"fromConnectData\",\"schema\":" + q(schemaName) + ",\"value\":" + show(v) + "," + r + ",\"header\":{" + hr + "}}");
    }

    static void to(String conv, Converter c, HeaderConverter h, byte[] in) {
        String r;
        try {
            SchemaAndValue sv = c.toConnectData("t", in);
            r = "\"schema\":" + schema(sv.schema()) + ",\"value\":" + show(sv.value());
        } catch (Throwable t) { r = "\"error\":" + exc(t); }
        String hr;
        try {
            SchemaAndValue sv = h.toConnectHeader("t", "h", in);
            hr = "\"schema\":" + schema(sv.schema()) + ",\"value\":" + show(sv.value());
        } catch (Throwable t) { hr = "\"error\":" + exc(t); }
        entries.add("{\"converter\":" + q(conv) + ",\"call\":\"toConnectData\",\"input\":" + hex(in) + "," + r + ",\"header\":{" + hr + "}}");
    }

    static void run(String name, Converter c, Schema s, Object[] values, Object[] wrong, byte[][] inputs) {
        c.configure(Map.of(), false);
        HeaderConverter h = (HeaderConverter) c;
        for (Object v : values) from(name, c, h, s, s.type().toString(), v);
        from(name, c, h, null, "null", values[0]);
        from(name, c, h, null, "null", null);
        from(name, c, h, Schema.STRING_SCHEMA, "STRING", "1");
        for (Object v : wrong) from(name, c, h, s, s.type().toString(), v);
        for (byte[] in : inputs) to(name, c, h, in);
    }

    public static void main(String[] a) {
        byte[][] ins = {null, new byte[0], {1}, {0, 1}, {0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 1}, {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}, {(byte) 0x7f, (byte) 0xc0, 0, 0}, {(byte) 0x7f, (byte) 0xf8, 0, 0, 0, 0, 0, 0}};
        run("BooleanConverter", new BooleanConverter(), Schema.OPTIONAL_BOOLEAN_SCHEMA, new Object[]{true, false, null}, new Object[]{1}, new byte[][]{null, new byte[0], {0}, {1}, {2}, {(byte) 0xff}, {0, 1}});
        run("ShortConverter", new ShortConverter(), Schema.OPTIONAL_INT16_SCHEMA, new Object[]{(short) 0, (short) 1, (short) -1, Short.MIN_VALUE, Short.MAX_VALUE, (short) 256, null}, new Object[]{1, 1L}, ins);
        run("IntegerConverter", new IntegerConverter(), Schema.OPTIONAL_INT32_SCHEMA, new Object[]{0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x01020304, null}, new Object[]{(short) 1, 1L, 1.0}, ins);
        run("LongConverter", new LongConverter(), Schema.OPTIONAL_INT64_SCHEMA, new Object[]{0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x0102030405060708L, null}, new Object[]{1, 1.0}, ins);
        run("FloatConverter", new FloatConverter(), Schema.OPTIONAL_FLOAT32_SCHEMA, new Object[]{0.0f, 1.0f, -1.0f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, 3.14159f, null}, new Object[]{1.0, 1}, ins);
        run("DoubleConverter", new DoubleConverter(), Schema.OPTIONAL_FLOAT64_SCHEMA, new Object[]{0.0, 1.0, -1.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 3.141592653589793, null}, new Object[]{1.0f, 1L}, ins);
        System.out.println("[\n  " + String.join(",\n  ", entries) + "\n]");
    }
}
