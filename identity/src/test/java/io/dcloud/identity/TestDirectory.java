package io.dcloud.identity;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real LDAP server in this JVM on 127.0.0.1, holding a small university: people with passwords,
 * groupOfNames groups, and a search account. Searches need that account (as many directories
 * require), so a test passing proves the authenticator uses it. It records the binds it is asked
 * for, so a test can tell a sign-in refused before the directory from one the directory refused.
 */
public final class TestDirectory implements AutoCloseable {
  public static final String BASE = "dc=example,dc=org";
  public static final String PEOPLE = "ou=people," + BASE;
  public static final String GROUPS = "ou=groups," + BASE;
  public static final String SEARCH_DN = "cn=dcloud-search," + BASE;
  public static final String SEARCH_PASSWORD = "search-secret";
  public static final String PAREN_DN = "cn=Pat (Lab) O\\2C Brien," + PEOPLE;

  private final InMemoryDirectoryServer server;
  private final List<String> binds;

  private TestDirectory(InMemoryDirectoryServer server, List<String> binds) {
    this.server = server;
    this.binds = binds;
  }

  /** Listens on {@code port} (0: any free one). */
  public static TestDirectory start(int port) throws LDAPException {
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
    config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), port, null));
    config.addAdditionalBindCredentials(SEARCH_DN, SEARCH_PASSWORD);
    config.setAuthenticationRequiredOperationTypes(OperationType.SEARCH);
    List<String> binds = new CopyOnWriteArrayList<>();
    config.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
      @Override
      public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) {
        binds.add(request.getRequest().getBindDN());
      }
    });
    InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
    server.addEntries(
        "dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example", "",
        "dn: " + PEOPLE, "objectClass: organizationalUnit", "ou: people", "",
        "dn: " + GROUPS, "objectClass: organizationalUnit", "ou: groups", "",
        "dn: uid=alice," + PEOPLE, "objectClass: inetOrgPerson", "uid: alice", "cn: Alice", "sn: A",
        "userPassword: alice-pw", "",
        "dn: uid=bob," + PEOPLE, "objectClass: inetOrgPerson", "uid: bob", "cn: Bob", "sn: B",
        "userPassword: bob-pw", "",
        "dn: uid=admin," + PEOPLE, "objectClass: inetOrgPerson", "uid: admin", "cn: Admin", "sn: C",
        "userPassword: admin-pw", "",
        // A DN with a comma and parentheses: the group filter must escape it to find the groups.
        "dn: " + PAREN_DN, "objectClass: inetOrgPerson", "uid: pat", "cn: Pat (Lab) O, Brien", "sn: O",
        "userPassword: pat-pw", "",
        "dn: cn=ml-lab," + GROUPS, "objectClass: groupOfNames", "cn: ml-lab",
        "member: uid=alice," + PEOPLE, "member: " + PAREN_DN, "",
        "dn: cn=Developers," + GROUPS, "objectClass: groupOfNames", "cn: Developers",
        "member: uid=alice," + PEOPLE, "",
        "dn: cn=library," + GROUPS, "objectClass: groupOfNames", "cn: library",
        "member: uid=bob," + PEOPLE, "member: uid=alice," + PEOPLE, "",
        "dn: cn=it-staff," + GROUPS, "objectClass: groupOfNames", "cn: it-staff",
        "member: uid=admin," + PEOPLE);
    server.startListening();
    return new TestDirectory(server, binds);
  }

  /** The DNs of every simple bind the server was asked for, in order. */
  public List<String> binds() {
    return binds;
  }

  public int port() {
    return server.getListenPort();
  }

  public String url() {
    return "ldap://127.0.0.1:" + port();
  }

  /**
   * The {@code dcloud.identity.ldap} block that signs the people of the directory at {@code url} in:
   * ml-lab's members as data scientists, Developers' as app developers, it-staff's as admins;
   * {@code extra}: more settings of the block, one a line.
   */
  public static String settings(String url, String extra) {
    return "dcloud.identity.ldap {\n"
        + "url = \"" + url + "\"\n"
        + "bind-dn = \"" + SEARCH_DN + "\"\n"
        + "bind-password = \"" + SEARCH_PASSWORD + "\"\n"
        + "user-base-dn = \"" + PEOPLE + "\"\n"
        + "group-base-dn = \"" + GROUPS + "\"\n"
        + "role-mapping { ml-lab = [data-scientist], developers = [app-developer], it-staff = [admin] }\n"
        + "connect-timeout = 2s\n"
        + extra + "\n}";
  }

  @Override
  public void close() {
    server.shutDown(true);
  }
}
