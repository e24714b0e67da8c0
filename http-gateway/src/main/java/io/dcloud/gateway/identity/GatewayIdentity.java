package io.dcloud.gateway.identity;

import io.dcloud.gateway.common.AuditLog;
import io.dcloud.identity.Authenticator;
import io.dcloud.identity.IdentitySettings;
import io.dcloud.identity.LoginThrottle;
import io.dcloud.identity.Passwords;
import io.dcloud.identity.Tokens;
import io.dcloud.identity.UserRegistry;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the gateway needs to know who asks: the token signer and checker, who may sign in (in
 * order), the throttle of failed sign-ins, password hashing (on {@code hashing}, never a request
 * thread), the user registry and the audit trail.
 */
public record GatewayIdentity(
    IdentitySettings settings,
    Tokens tokens,
    List<Authenticator> authenticators,
    LoginThrottle throttle,
    Passwords passwords,
    Executor hashing,
    ActorRef<UserRegistry.Command> users,
    AuditLog audit) {}
