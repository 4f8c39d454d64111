import org.apache.maven.artifact.versioning.*;
import java.util.*;
public class Oracle {
  public static void main(String[] a) throws Exception {
    String[] specs = {"[1.0,2.0)", "[4.4.0]", "1.0", "4.4.0", "(,1.0]", "[1.0,)", "(1.0,2.0]", "[1.0", "1.0]", "[1.0,2.0),[3.0,)", "(1.0)", "[2.0,1.0]", "[1.0,1.0)", "[1.0,2.0],[1.5,3.0]", "", " ", "[]", "[,]", "[1.0,2.0,3.0]", "latest", "abc", "[1.0,2.0)x", "1.0,2.0", "[1.0],[2.0]", "(,)", "[ 1.0 , 2.0 ]", "1.0 2.0", "[1.0,2.0)[3.0]", "[1.0,2.0) , [3.0]","((1.0,2.0)", "[1.0,,2.0]"};
    String[] vers = {"0.9","1.0","1.0.0","1.5","2.0","2.0-SNAPSHOT","3.0","4.4.0","4.4.0-SNAPSHOT","abc"};
    for (String s : specs) {
      try {
        VersionRange r = VersionRange.createFromVersionSpec(s);
        if (r == null) { System.out.println("SPEC\t" + s + "\tNULL"); continue; }
        StringBuilder sb = new StringBuilder();
        for (String v : vers) if (r.containsVersion(new DefaultArtifactVersion(v))) sb.append(v).append(' ');
        System.out.println("SPEC\t" + s + "\tOK\t" + r.hasRestrictions() + "\t" + r + "\t" + sb.toString().trim());
      } catch (InvalidVersionSpecificationException e) {
        System.out.println("SPEC\t" + s + "\tERR\t" + e.getMessage());
      }
    }
    String[] cmp = {"1","1.0","1.0.0","1-0","1.0-0","1.9","1.10","1.10.0","4.4.0","4.4.0-SNAPSHOT","4.4.0-alpha","4.4.0-alpha-1","4.4.0-a1","4.4.0-beta","4.4.0-milestone","4.4.0-m2","4.4.0-rc","4.4.0-rc1","4.4.0-cr","4.4.0-ga","4.4.0-final","4.4.0-release","4.4.0-sp","4.4.0-sp1","4.4.0-foo","4.4.0-1","4.4.0.1","4.4.0-xyz","4.4","4.4-SNAPSHOT","1.0a","1.0-a","1.0.a","1a1","1.0RC1","1.0-RC1","v1","1.0.0.0.0","2","1.0-1","1.0.1","1.0-sp-1","1.0-0.1", "1.0.Final", "1.0-final.1","0","0.0","","1.0.0-alpha.beta","1-1.foo-bar1baz-.1","3.7.0-ccs","7.9.0-ce","10.0.0","99999999999999999999","9999999999","1.01","1.001","1.0.x"};
    for (String x : cmp) System.out.println("CANON\t" + x + "\t" + new ComparableVersion(x).getCanonical());
    for (String x : cmp) for (String y : cmp) System.out.println("CMP\t" + x + "\t" + y + "\t" + Integer.signum(new ComparableVersion(x).compareTo(new ComparableVersion(y))));
  }
}
