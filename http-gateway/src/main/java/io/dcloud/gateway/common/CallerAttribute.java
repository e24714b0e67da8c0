package io.dcloud.gateway.common;

import io.dcloud.identity.Caller;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The signed-in caller as an attribute of the request, put there by {@link io.dcloud.gateway.ApiRoute} once {@link
 * Authentication} has checked it. The feature routes take it from there, after their path has
 * matched, so their route trees are built once rather than one tree per feature for every request.
 */
public final class CallerAttribute {
  private static final AttributeKey<Caller> KEY = AttributeKey.create("dcloud-caller", Caller.class);

  private CallerAttribute() {}

  public static HttpRequest attach(HttpRequest request, Caller caller) {
    return request.addAttribute(KEY, caller);
  }

  /** The caller {@link #attach} put on the request (always there under {@link io.dcloud.gateway.ApiRoute}'s authentication). */
  public static Route of(Function<Caller, Route> inner) {
    return Directives.attribute(KEY, inner);
  }
}
