// Oracle prints what java.text.SimpleDateFormat makes of the cases on
// stdin, one per line, tab-separated, so the expected values in the Go
// tests can be checked against a JDK (US English locale):
//
//	F <pattern> <epoch millis> <zone ID>   format the instant in the zone
//	P <pattern> <text>                     parse, non-lenient, UTC default
//
// A tab in the text is written as \t.
// Output: the input line, a tab, and the result: the formatted text; for P
// the epoch millis and how many characters Java used, or ERR. Two-digit
// years are placed from 1950-07-01T00:00Z on, as the Go tests do.
//
//	java -Duser.language=en -Duser.country=US testdata/Oracle.java < cases.tsv
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.text.ParsePosition;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.TimeZone;

public class Oracle {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isEmpty()) continue;
            String[] f = line.split("\t", -1);
            String out;
            try {
                SimpleDateFormat fmt = new SimpleDateFormat(f[1]);
                if (f[0].equals("F")) {
                    fmt.setTimeZone(TimeZone.getTimeZone(f[3]));
                    out = fmt.format(new Date(Long.parseLong(f[2])));
                } else {
                    fmt.setTimeZone(TimeZone.getTimeZone("UTC"));
                    fmt.setLenient(false);
                    fmt.set2DigitYearStart(new Date(-615513600000L)); // 1950-07-01T00:00Z
                    ParsePosition pos = new ParsePosition(0);
                    Date d = fmt.parse(f[2].replace("\\t", "\t"), pos);
                    // DateFormat.parse(String) fails when nothing was read.
                    out = d == null || pos.getIndex() == 0 ? "ERR@" + pos.getErrorIndex() : d.getTime() + "\t" + pos.getIndex();
                }
            } catch (IllegalArgumentException e) {
                out = "EXC " + e.getMessage();
            }
            System.out.println(line + "\t" + out);
        }
    }
}
