// JavaJSON prints what Kafka Connect's JsonConverter (Jackson) and Avro's
// Schema.toString (Jackson) write for the JSON edge cases sluice's
// internal/javafmt must reproduce. See README.md for how to run it.
//
// Output: one case a line, "kind<TAB>name<TAB>output"; lines starting with
// '#' are comments. The output never holds a tab or a line break (Jackson
// escapes both).

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

public class JavaJSON {
    static void out(String kind, String name, String json) {
        System.out.println(kind + "\t" + name + "\t" + json);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        System.out.println("# java.version=" + System.getProperty("java.version")
            + " jackson-core=" + com.fasterxml.jackson.core.json.PackageVersion.VERSION
            + " avro=" + org.apache.avro.Schema.class.getPackage().getImplementationVersion());

        // Kafka Connect's JsonConverter as the internal topics and
        // value.converter.schemas.enable=false use it.
        JsonConverter conv = new JsonConverter();
        conv.configure(Map.of("schemas.enable", "false", "converter.type", "value"));

        // Strings: every control character, DEL, the line/paragraph
        // separators, '/', '"', '\\', non-ASCII, non-BMP, U+FFFD.
        Map<String, String> strings = new LinkedHashMap<>();
        for (int c = 0; c < 0x20; c++) {
            strings.put(String.format("c%02X", c), "a" + (char) c + "b");
        }
        strings.put("c7F", "a\u007Fb");
        strings.put("u2028", "a\u2028b");
        strings.put("u2029", "a\u2029b");
        strings.put("slash", "a/b</script>");
        strings.put("quote", "a\"b");
        strings.put("backslash", "a\\b");
        strings.put("html", "<&>'=");
        strings.put("latin1", "caf\u00E9 \u00FF");
        strings.put("euro", "\u20AC");
        strings.put("emoji", "\uD83D\uDE00 \uD834\uDD1E"); // U+1F600, U+1D11E
        strings.put("fffd", "\uFFFD");
        strings.put("empty", "");
        strings.put("mixed", "x\"\\/\u0000\u001B\u007F\u2028\u00E9\uD83D\uDE00\r\n");
        for (Map.Entry<String, String> e : strings.entrySet()) {
            out("string", e.getKey(), utf8(conv.fromConnectData("t", Schema.STRING_SCHEMA, e.getValue())));
            // Avro's Schema.toString writes through a character-based
            // generator (StringWriter): same escapes expected.
            java.io.StringWriter w = new java.io.StringWriter();
            try (com.fasterxml.jackson.core.JsonGenerator g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(w)) {
                g.writeString(e.getValue());
            }
            out("string-writer", e.getKey(), w.toString());
        }

        // Doubles (JsonConverter FLOAT64, Double.toString underneath).
        Map<String, Double> doubles = new LinkedHashMap<>();
        doubles.put("min_value", Double.MIN_VALUE);
        doubles.put("5e-324", 5e-324);
        doubles.put("min_normal", Double.MIN_NORMAL);
        doubles.put("max_value", Double.MAX_VALUE);
        doubles.put("1e7", 1e7);
        doubles.put("below_1e7", Math.nextDown(1e7));
        doubles.put("1e-3", 1e-3);
        doubles.put("below_1e-3", Math.nextDown(1e-3));
        doubles.put("zero", 0.0);
        doubles.put("neg_zero", -0.0);
        doubles.put("1e10", 1.0E10);
        doubles.put("0.1", 0.1);
        doubles.put("1e-4", 1e-4);
        doubles.put("100", 100.0);
        doubles.put("neg_1.5e300", -1.5e300);
        doubles.put("third", 1.0 / 3);
        doubles.put("nan", Double.NaN);
        doubles.put("inf", Double.POSITIVE_INFINITY);
        doubles.put("neg_inf", Double.NEGATIVE_INFINITY);
        for (Map.Entry<String, Double> e : doubles.entrySet()) {
            out("double", e.getKey(), utf8(conv.fromConnectData("t", Schema.FLOAT64_SCHEMA, e.getValue())));
            out("double-tostring", e.getKey(), Double.toString(e.getValue()));
        }

        // Floats (JsonConverter FLOAT32, Float.toString underneath).
        Map<String, Float> floats = new LinkedHashMap<>();
        floats.put("min_value", Float.MIN_VALUE);
        floats.put("1.4e-45", 1.4E-45f);
        floats.put("min_normal", Float.MIN_NORMAL);
        floats.put("max_value", Float.MAX_VALUE);
        floats.put("1e7", 1e7f);
        floats.put("below_1e7", Math.nextDown(1e7f));
        floats.put("1e-3", 1e-3f);
        floats.put("below_1e-3", Math.nextDown(1e-3f));
        floats.put("zero", 0.0f);
        floats.put("neg_zero", -0.0f);
        floats.put("1e10", 1.0E10f);
        floats.put("0.1", 0.1f);
        floats.put("third", 1.0f / 3);
        floats.put("nan", Float.NaN);
        floats.put("inf", Float.POSITIVE_INFINITY);
        floats.put("neg_inf", Float.NEGATIVE_INFINITY);
        for (Map.Entry<String, Float> e : floats.entrySet()) {
            out("float", e.getKey(), utf8(conv.fromConnectData("t", Schema.FLOAT32_SCHEMA, e.getValue())));
            out("float-tostring", e.getKey(), Float.toString(e.getValue()));
        }

        // Internal-topic records. An offset is a schemaless map (keys in
        // TreeMap order, which is the sorted order sluice writes); the
        // offset key a [connector, partition] list.
        Map<String, Object> offset = new TreeMap<>();
        offset.put("d", 5e-324);
        offset.put("f", 1.4E-45f);
        offset.put("n", Double.MIN_NORMAL);
        offset.put("s", strings.get("mixed"));
        offset.put("z", -0.0);
        out("storage", "offset", utf8(conv.fromConnectData("t", null, offset)));
        Map<String, Object> partition = new TreeMap<>();
        partition.put("file", "/tmp/a\u2028b\u001F.txt");
        out("storage", "offset_key", utf8(conv.fromConnectData("t", null, Arrays.asList("conn\u00E9\u0007", partition))));
        // A status record: KafkaStatusBackingStore's STATUS_SCHEMA_V0 fields.
        Schema status = SchemaBuilder.struct()
            .field("state", Schema.STRING_SCHEMA)
            .field("trace", SchemaBuilder.string().optional().build())
            .field("worker_id", Schema.STRING_SCHEMA)
            .field("generation", Schema.INT32_SCHEMA)
            .field("version", SchemaBuilder.string().optional().build())
            .build();
        Struct st = new Struct(status)
            .put("state", "FAILED")
            .put("trace", "java.lang.Exception: \u001B[31mred\u001B[0m\n\tat X.y(X.java:1)\u2028/\"\\\uD83D\uDE00\u007F")
            .put("worker_id", "h\u00F6st:8083")
            .put("generation", 7)
            .put("version", "4.4.0");
        out("storage", "status", utf8(conv.fromConnectData("t", status, st)));
        // A connector config (CONNECTOR_CONFIGURATION_V0: a map of strings).
        Schema props = SchemaBuilder.struct()
            .field("properties", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build())
            .build();
        Map<String, String> cfg = new TreeMap<>();
        cfg.put("name", "c\u0001");
        cfg.put("transforms.x.regex", "^a\\.b/\u2029$");
        cfg.put("\u00E9\uD83D\uDE00", "\t\b\f");
        out("storage", "config", utf8(conv.fromConnectData("t", props, new Struct(props).put("properties", cfg))));

        // Avro: Schema.toString of a schema shaped as sluice's AvroData
        // writes it (connect.doc, connect.default and default carrying the
        // edge cases). The input is parsed by Avro and written back by it.
        String avroIn = "{\"type\":\"record\",\"name\":\"Rec\",\"namespace\":\"ns\",\"fields\":["
            + "{\"name\":\"d\",\"type\":{\"type\":\"double\",\"connect.default\":5e-324},\"default\":5e-324},"
            + "{\"name\":\"n\",\"type\":{\"type\":\"double\",\"connect.default\":2.2250738585072014E-308},\"default\":2.2250738585072014E-308},"
            + "{\"name\":\"e\",\"type\":{\"type\":\"double\",\"connect.default\":1e7},\"default\":1e7},"
            + "{\"name\":\"m\",\"type\":{\"type\":\"double\",\"connect.default\":0.001},\"default\":0.001},"
            + "{\"name\":\"z\",\"type\":{\"type\":\"double\",\"connect.default\":-0.0},\"default\":-0.0},"
            + "{\"name\":\"f\",\"type\":{\"type\":\"float\",\"connect.default\":1.4E-45},\"default\":1.4E-45},"
            + "{\"name\":\"g\",\"type\":{\"type\":\"float\",\"connect.default\":3.4028235E38},\"default\":3.4028235E38},"
            + "{\"name\":\"h\",\"type\":{\"type\":\"float\",\"connect.default\":0.1},\"default\":0.1},"
            + "{\"name\":\"t\",\"type\":{\"type\":\"float\",\"connect.default\":1.0E10},\"default\":1.0E10}],"
            + "\"connect.doc\":" + jsonQuote(strings.get("mixed") + "<&>\u2029\u001F\b") + ","
            + "\"connect.name\":\"ns.Rec\"}";
        org.apache.avro.Schema avro = new org.apache.avro.Schema.Parser().parse(avroIn);
        out("avro", "record", avro.toString());

        // NaN and the infinities as Avro defaults (built with Avro's API: the
        // JSON parser has no literal for them).
        List<org.apache.avro.Schema.Field> nonFinite = new ArrayList<>();
        Map<String, Double> specials = new LinkedHashMap<>();
        specials.put("nan", Double.NaN);
        specials.put("inf", Double.POSITIVE_INFINITY);
        specials.put("neg_inf", Double.NEGATIVE_INFINITY);
        for (Map.Entry<String, Double> e : specials.entrySet()) {
            org.apache.avro.Schema t = org.apache.avro.Schema.create(org.apache.avro.Schema.Type.DOUBLE);
            t.addProp("connect.default", e.getValue());
            nonFinite.add(new org.apache.avro.Schema.Field(e.getKey(), t, null, e.getValue()));
        }
        org.apache.avro.Schema rec = org.apache.avro.Schema.createRecord("Special", null, "ns", false, nonFinite);
        rec.addProp("connect.name", "ns.Special");
        out("avro", "non_finite", rec.toString());
    }

    // jsonQuote writes s as a JSON string with every non-printable-ASCII
    // character as a \\u escape, so that the Avro input is unambiguous.
    static String jsonQuote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7F) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
