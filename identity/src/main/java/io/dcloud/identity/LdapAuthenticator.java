package io.dcloud.identity;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.OperationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.SingleServerSet;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.SSLUtil;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs in the users of an LDAP directory: the search account finds the user's entry, a bind as
 * that entry on a fresh connection checks the password, and the user's groups map to roles
 * ({@link LdapSettings#rolesOf}). Searches share a pool; the bind never touches it, so a pooled
 * connection is never left bound as a user.
 *
 * <p>A directory that is down, slow past {@code response-timeout} or refuses the search account
 * completes the stage exceptionally with {@link AuthenticatorUnavailable} (wrapped in a
 * CompletionException): an outage, not a wrong password. A user whose groups map to no role and
 * with no {@code default-roles} cannot sign in: a directory usually holds a whole university, and
 * only those the operator named by group (or everyone, by default-roles) should get a session.
 */
public final class LdapAuthenticator implements Authenticator, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LdapAuthenticator.class);
  /** What DCloud accepts as a username; anything else is refused before asking the directory. */
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** Answers that mean the directory could not answer, rather than that it said no. */
  private static final Set<ResultCode> OUTAGES = Set.of(ResultCode.BUSY, ResultCode.UNAVAILABLE);

  private final LdapSettings settings;
  private final Executor executor;
  private final ServerSet directory;
  private final LDAPConnectionPool searches;

  /**
   * Does not need the directory to be up: the pool connects when it can, and sign-ins meanwhile
   * fail with {@link AuthenticatorUnavailable}.
   *
   * @param executor runs the (blocking) directory calls, never the caller's thread
   */
  public LdapAuthenticator(LdapSettings settings, Executor executor) {
    this.settings = settings;
    this.executor = executor;
    this.directory = serverSet(settings);
    SimpleBindRequest searchAccount = settings.bindDn().isEmpty()
        ? null
        : new SimpleBindRequest(settings.bindDn(), settings.bindPassword());
    try {
      this.searches = new LDAPConnectionPool(directory, searchAccount, 1, settings.poolSize(), null, false);
    } catch (LDAPException e) {
      throw new IllegalStateException("cannot set up the LDAP connection pool for " + settings.url(), e);
    }
    // A pooled connection the directory closed (a restart) is replaced and the search tried again.
    searches.setRetryFailedOperationsDueToInvalidConnections(EnumSet.of(OperationType.SEARCH));
    log.info("LDAP sign-in against {}: users under \"{}\", groups under \"{}\", {} mapped groups",
        settings.url(), settings.userBaseDn(), settings.groupBaseDn(), settings.roleMapping().size());
  }

  /** {@value #NAME}: also the {@link User#source} of the users it signs in. */
  public static final String NAME = "ldap";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletionStage<Optional<SignedIn>> authenticate(String username, String password) {
    // An empty password must never reach a bind: LDAP takes it as an anonymous bind, which succeeds.
    if (username == null || !USERNAME.matcher(username).matches() || password == null || password.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return CompletableFuture.supplyAsync(() -> signIn(username, password), executor);
  }

  @Override
  public void close() {
    searches.close();
  }

  private Optional<SignedIn> signIn(String username, String password) {
    Optional<SearchResultEntry> entry = findUser(username);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    String dn = entry.get().getDN();
    Optional<String> name = nameIn(entry.get(), username);
    if (name.isEmpty() || !passwordMatches(dn, password)) {
      return Optional.empty();
    }
    List<String> groups = groupsOf(dn, name.get());
    Set<Role> roles = settings.rolesOf(groups);
    if (roles.isEmpty()) {
      log.info("LDAP user {} has the right password but none of their groups {} maps to a role "
          + "(dcloud.identity.ldap.role-mapping) and there are no default-roles: not signed in", name.get(), groups);
      return Optional.empty();
    }
    log.debug("LDAP user {} ({}) signed in with roles {}", name.get(), dn, roles);
    return Optional.of(new SignedIn(name.get(), roles));
  }

  private Optional<SearchResultEntry> findUser(String username) {
    SearchResult found;
    try {
      SearchRequest request = new SearchRequest(settings.userBaseDn(), SearchScope.SUB,
          LdapFilter.fill(settings.userFilter(), username), settings.usernameAttribute());
      // Two are enough to know the filter is ambiguous.
      request.setSizeLimit(2);
      found = searches.search(request);
    } catch (LDAPException e) {
      if (e.getResultCode() == ResultCode.SIZE_LIMIT_EXCEEDED) {
        return ambiguous(username);
      }
      throw unavailable("searching for user " + username, e);
    }
    if (found.getEntryCount() > 1) {
      return ambiguous(username);
    }
    if (found.getEntryCount() == 0) {
      log.debug("LDAP has no user {}", username);
      return Optional.empty();
    }
    return Optional.of(found.getSearchEntries().get(0));
  }

  private Optional<SearchResultEntry> ambiguous(String username) {
    log.warn("LDAP user-filter matches several entries for username {}: refusing to guess which one signs in",
        username);
    return Optional.empty();
  }

  /** The username as the directory spells it, so one person is one DCloud user whatever case they type. */
  private Optional<String> nameIn(SearchResultEntry entry, String typed) {
    String[] values = entry.getAttributeValues(settings.usernameAttribute());
    Optional<String> name = values == null
        ? Optional.empty()
        : Arrays.stream(values).filter(typed::equalsIgnoreCase).findFirst();
    if (name.isEmpty()) {
      log.warn("LDAP entry {} matched username {} but its {} is not that username: check user-filter and "
          + "username-attribute", entry.getDN(), typed, settings.usernameAttribute());
    }
    return name;
  }

  private boolean passwordMatches(String dn, String password) {
    try (LDAPConnection connection = directory.getConnection()) {
      connection.bind(new SimpleBindRequest(dn, password));
      return true;
    } catch (LDAPException e) {
      if (isOutage(e.getResultCode())) {
        throw unavailable("binding as " + dn, e);
      }
      log.debug("LDAP bind as {} refused: {}", dn, e.getResultCode());
      return false;
    }
  }

  private List<String> groupsOf(String dn, String username) {
    if (settings.groupBaseDn().isEmpty()) {
      return List.of();
    }
    List<String> groups = new ArrayList<>();
    try {
      SearchResult found = searches.search(new SearchRequest(settings.groupBaseDn(), SearchScope.SUB,
          LdapFilter.fill(settings.groupFilter(), dn, username), settings.groupAttribute()));
      for (SearchResultEntry group : found.getSearchEntries()) {
        String[] names = group.getAttributeValues(settings.groupAttribute());
        if (names != null) {
          groups.addAll(Arrays.asList(names));
        }
      }
    } catch (LDAPException e) {
      throw unavailable("searching the groups of " + dn, e);
    }
    return groups;
  }

  private static boolean isOutage(ResultCode code) {
    return ResultCode.isClientSideResultCode(code) || !ResultCode.isConnectionUsable(code) || OUTAGES.contains(code);
  }

  private AuthenticatorUnavailable unavailable(String doing, LDAPException e) {
    log.warn("LDAP directory {} failed while {}: {} ({})", settings.url(), doing, e.getResultCode(),
        e.getExceptionMessage());
    return new AuthenticatorUnavailable("the LDAP directory " + settings.url() + " did not answer", e);
  }

  private static ServerSet serverSet(LdapSettings settings) {
    LDAPConnectionOptions options = new LDAPConnectionOptions();
    options.setConnectTimeoutMillis(Math.toIntExact(settings.connectTimeout().toMillis()));
    options.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
    try {
      LDAPURL url = new LDAPURL(settings.url());
      if (!"ldaps".equalsIgnoreCase(url.getScheme())) {
        return new SingleServerSet(url.getHost(), url.getPort(), options);
      }
      options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
      SSLUtil tls = new SSLUtil(JVMDefaultTrustManager.getInstance());
      return new SingleServerSet(url.getHost(), url.getPort(), tls.createSSLSocketFactory(), options);
    } catch (LDAPException | GeneralSecurityException e) {
      throw new IllegalArgumentException("dcloud.identity.ldap.url: cannot connect to " + settings.url(), e);
    }
  }
}
