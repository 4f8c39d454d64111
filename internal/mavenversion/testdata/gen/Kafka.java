import org.apache.kafka.connect.runtime.isolation.PluginUtils;
import org.apache.maven.artifact.versioning.*;
public class Kafka {
  public static void main(String[] a) throws Exception {
    String[] specs = {"[1.0,2.0)", "[4.4.0]", "1.0", " 2.0.0 ", "latest", "", "(,1.0]", "[1.0", "1.0]", "(1.0)", "[2.0,1.0]", "abc", "1.0,2.0", "[1.0],[2.0]", "4.4.0-SNAPSHOT"};
    String[] vers = {"0.9","1.0","1.0.0","1.5","2.0","2.0.0","2.0-SNAPSHOT","4.4.0","4.4.0-SNAPSHOT","abc"};
    for (String s : specs) {
      try {
        VersionRange r = PluginUtils.connectorVersionRequirement(s);
        if (r == null) { System.out.println("REQ\t" + s + "\tNULL"); continue; }
        StringBuilder sb = new StringBuilder();
        for (String v : vers) if (r.containsVersion(new DefaultArtifactVersion(v))) sb.append(v).append(' ');
        System.out.println("REQ\t" + s + "\tOK\t" + r + "\t" + sb.toString().trim());
      } catch (InvalidVersionSpecificationException e) {
        System.out.println("REQ\t" + s + "\tERR\t" + e.getMessage());
      }
    }
  }
}
